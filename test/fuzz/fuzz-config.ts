import {
  DEADLINE_SWEEP_MS,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_MESSAGE_DEADLINE_MS,
  DEFAULT_ROLE_DEADLINE_MS,
  HTTP_HEADERS_TIMEOUT_MS,
  HTTP_KEEP_ALIVE_TIMEOUT_MS,
  HTTP_REQUEST_TIMEOUT_MS,
} from '../../src/server/limits.js';
import { MB } from '../helpers/proc.js';
import { CASE_KINDS, type CaseKind } from './fuzz-cases.js';
import type { FuzzConfig } from './fuzz-run.js';
import { randomSeed } from './rng.js';

/**
 * The two shapes of the live-server fuzz run. The bounded run is part of `npm test` (about half a minute); the long
 * run is `npm run fuzz` (KAYAK_FUZZ_LONG=1), ten minutes by default after a one-minute warm-up, and holds memory to
 * the issue's figure: RSS within 10 MB of the baseline a minute after the last case. The baseline is taken after the
 * warm-up and a minute's settle: the first minutes of work grow what a process keeps for good (compiled code, the C
 * allocator's heap, which does not hand freed memory in its middle back, V8's spaces), 15-22 MB here, and that is
 * held to its own, looser limit (coldRssGrowthBytes); what must not happen is growth that goes on with more cases.
 *
 * Environment (both runs): KAYAK_FUZZ_SECONDS, KAYAK_FUZZ_SEED, KAYAK_FUZZ_ONLY (case numbers, comma-separated: rerun
 * just those), KAYAK_FUZZ_KINDS (e.g. `rtmp-publish,ws`: only those kinds of case), KAYAK_FUZZ_CONCURRENCY,
 * KAYAK_FUZZ_SETTLE_SECONDS, KAYAK_FUZZ_WARMUP_SECONDS.
 */

/**
 * Slack on top of the server's own deadlines: under the long run's load a 2-core machine is seconds late to finish a
 * handshake, notice a deadline and flush a polite close (seen: a 30 s deadline kept at 36.3 s).
 */
const DEADLINE_SLACK_MS = 10_000;
const LINGER_DEADLINE_MS =
  Math.max(
    DEFAULT_HANDSHAKE_TIMEOUT_MS,
    DEFAULT_ROLE_DEADLINE_MS,
    DEFAULT_MESSAGE_DEADLINE_MS,
    HTTP_HEADERS_TIMEOUT_MS,
    HTTP_REQUEST_TIMEOUT_MS,
    HTTP_KEEP_ALIVE_TIMEOUT_MS,
  ) +
  DEADLINE_SWEEP_MS +
  DEADLINE_SLACK_MS;

export function fuzzConfig(env: NodeJS.ProcessEnv = process.env): FuzzConfig & { long: boolean } {
  const long = env['KAYAK_FUZZ_LONG'] === '1';
  const number = (name: string, fallback: number): number => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name}=${value}: expected a number`);
    return n;
  };
  const only = env['KAYAK_FUZZ_ONLY'];
  const kinds = env['KAYAK_FUZZ_KINDS']?.split(',').map((k) => k.trim()).filter((k) => k !== '');
  for (const kind of kinds ?? []) if (!(kind in CASE_KINDS)) throw new Error(`KAYAK_FUZZ_KINDS: unknown kind ${kind} (${Object.keys(CASE_KINDS).join(', ')})`);
  return {
    long,
    seed: number('KAYAK_FUZZ_SEED', randomSeed()) >>> 0,
    durationMs: number('KAYAK_FUZZ_SECONDS', long ? 600 : 15) * 1000,
    warmUpMs: number('KAYAK_FUZZ_WARMUP_SECONDS', long ? 60 : 0) * 1000,
    concurrency: number('KAYAK_FUZZ_CONCURRENCY', long ? 12 : 4),
    ...(only !== undefined && only !== '' ? { only: only.split(',').map((n) => Number(n.trim())) } : {}),
    weights: {
      kinds: kinds === undefined ? {} : Object.fromEntries(Object.keys(CASE_KINDS).filter((k) => !kinds.includes(k)).map((k) => [k as CaseKind, 0])),
      endings: { fin: 5, rst: 3, linger: 2 },
      noRead: 0.15,
      // The bounded run keeps its big values small so that it stays cheap; the long run goes to the message limit.
      maxBigBytes: long ? 8 * MB : 256 * 1024,
    },
    deadlineMs: {
      fin: DEADLINE_SLACK_MS,
      // A silent connection that is neither publisher nor viewer is closed by the longest of the server's deadlines.
      linger: LINGER_DEADLINE_MS,
    },
    // The bounded run judges silent connections only until shortly after its last case (their deadline is longer than
    // the whole bounded run); the long run waits for every one.
    judgeWithinMs: long ? Number.POSITIVE_INFINITY : 5_000,
    healthyGapMs: 2_500,
    settleMs: number('KAYAK_FUZZ_SETTLE_SECONDS', long ? 60 : 8) * 1000,
    rssGrowthBytes: long ? 10 * MB : 30 * MB,
    coldRssGrowthBytes: long ? 32 * MB : 30 * MB,
    peakRssBytes: 160 * MB,
    maxLogLineBytes: 1024,
  };
}
