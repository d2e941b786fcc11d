import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeClip } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { ffprobeStreams } from '../helpers/players.js';
import { trackProcesses } from '../helpers/processes.js';
import { requireBuilt } from '../helpers/server.js';
import { type SteadyStream, startSteadyStream } from '../helpers/steady-stream.js';
import { fuzzConfig } from './fuzz-config.js';
import type { Recordings } from './fuzz-cases.js';
import { formatReport, runFuzz } from './fuzz-run.js';
import { describeRecordings, recordSessions } from './recordings.js';

/**
 * Issue 8's fuzz suite: mutations of real recorded sessions (RTMP publish and play, HTTP), malformed and pipelined
 * HTTP, and WebSocket junk, sent at the built CLI (`kayak-cast serve` as a child process, measured from /proc) while a
 * real ffmpeg publishes and a real HTTP-FLV viewer watches. Bounded here; `npm run fuzz` is the long run.
 */
const config = fuzzConfig();
const judgeMs = Math.min(config.deadlineMs.linger, config.judgeWithinMs);
const warmUpMs = config.warmUpMs > 0 ? config.warmUpMs + judgeMs + config.settleMs : 0;
const runMs = warmUpMs + config.durationMs + judgeMs + config.settleMs + 60_000;

describeWithPeers(['ffmpeg', 'ffprobe', 'rtmpdump'], `kayak-cast under fuzzing (${config.long ? 'long' : 'bounded'} run)`, () => {
  trackProcesses();
  let steady: SteadyStream;
  let recordings: Recordings;

  beforeAll(async () => {
    await requireBuilt();
    const recordedClip = await makeClip({ seconds: 2, width: 320, height: 240, fps: 25, videoKbps: 400 });
    steady = await startSteadyStream({ server: { args: ['--grace', '2'] } });
    recordings = await recordSessions(steady.server, recordedClip, { live: steady.key, recorded: 'recorded' });
    console.info(`[fuzz] recorded sessions: ${describeRecordings(recordings)}`);
  }, 120_000);

  afterAll(async () => {
    await steady?.stop();
  });

  it('stays up, keeps the healthy viewer fed, closes every bad connection and gives the memory back', async () => {
    const { server } = steady;
    const target = { rtmpPort: server.rtmpPort, httpPort: server.httpPort, app: 'live', liveKey: steady.key };
    const report = await runFuzz({ steady, target, recordings }, config);
    console.info(formatReport(report));
    expect(report.failures, report.failures.join('\n')).toEqual([]);
    // Afterwards a new player still gets the stream over RTMP.
    expect((await ffprobeStreams(server.rtmpUrl(steady.key))).map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
  }, runMs);
});
