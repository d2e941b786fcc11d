import type { Attack, Ending } from './attack.js';
import { httpCase } from './http-cases.js';
import { Rng } from './rng.js';
import { mutateRtmpSession } from './rtmp-mutations.js';
import { wsCase } from './ws-cases.js';

/** Real sessions recorded at run time (see recordings.ts), one list of client writes per session. */
export interface Recordings {
  publish: Buffer[][];
  play: Buffer[][];
  http: Buffer[][];
}

export interface CaseTarget {
  rtmpPort: number;
  httpPort: number;
  app: string;
  /** The healthy stream, live for the whole run. */
  liveKey: string;
}

export const CASE_KINDS = {
  'rtmp-publish': 40,
  'rtmp-play': 15,
  http: 25,
  ws: 15,
  'stalled-viewer': 5,
} as const;

export type CaseKind = keyof typeof CASE_KINDS;

export interface CaseWeights {
  kinds: Partial<Record<CaseKind, number>>;
  endings: Record<Ending, number>;
  /** Chance that the client never reads. */
  noRead: number;
  /** Cap on the size of the big hostile values (names, strings) in bytes. */
  maxBigBytes: number;
}

export interface FuzzCase extends Attack {
  kind: CaseKind;
  /** What was done, for the report: enough to recognise the case; the seed and number regenerate it exactly. */
  note: string;
}

/** Case `n` of the run with seed `seed`: the same seed, number and recordings give the same bytes. */
export function makeCase(seed: number, n: number, recordings: Recordings, target: CaseTarget, weights: CaseWeights): FuzzCase {
  const rng = Rng.forCase(seed, n);
  const kind = rng.weighted({ ...CASE_KINDS, ...weights.kinds } as Record<CaseKind, number>);
  const ending = rng.weighted(weights.endings);
  let read = !rng.chance(weights.noRead);
  const flvPath = `/${target.app}/${target.liveKey}.flv`;
  let writes: Buffer[];
  let note: string;
  let port = target.rtmpPort;
  switch (kind) {
    case 'rtmp-publish':
    case 'rtmp-play': {
      const pool = kind === 'rtmp-publish' ? recordings.publish : recordings.play;
      const m = mutateRtmpSession(rng, rng.pick(pool), weights.maxBigBytes);
      writes = m.writes;
      note = m.notes.join('; ');
      break;
    }
    case 'http': {
      const plan = httpCase(rng, { port: target.httpPort, app: target.app, liveKey: target.liveKey, recorded: rng.pick(recordings.http) });
      ({ writes, note } = plan);
      port = target.httpPort;
      break;
    }
    case 'ws': {
      ({ writes, note } = wsCase(rng, flvPath));
      port = target.httpPort;
      break;
    }
    case 'stalled-viewer': {
      // A valid viewer that never reads: the server must cut it off once it falls behind (a session until then).
      const ws = rng.chance(0.5);
      writes = [Buffer.from(ws ? wsUpgrade(flvPath) : `GET ${flvPath} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`)];
      note = `${ws ? 'WebSocket-FLV' : 'HTTP-FLV'} viewer that never reads`;
      port = target.httpPort;
      read = false;
      break;
    }
  }
  return { id: n, kind, port, writes, ending, read, note };
}

function wsUpgrade(path: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;
}
