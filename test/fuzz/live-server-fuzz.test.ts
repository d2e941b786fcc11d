import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CliServer, startCliServer } from '../helpers/cli-server.js';
import { makeClip } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { type HttpFlvViewer, ffprobeStreams, httpFlvView, publishFfmpeg, waitForVideoFrames } from '../helpers/players.js';
import { type ManagedProcess, trackProcesses, waitFor } from '../helpers/processes.js';
import { requireBuilt } from '../helpers/server.js';
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
const LIVE = 'steady';
const runMs = config.durationMs + Math.min(config.deadlineMs.linger, config.judgeWithinMs) + config.settleMs + 60_000;

describeWithPeers(['ffmpeg', 'ffprobe', 'rtmpdump'], `kayak-cast under fuzzing (${config.long ? 'long' : 'bounded'} run)`, () => {
  trackProcesses();
  let server: CliServer;
  let publisher: ManagedProcess;
  let viewer: HttpFlvViewer;
  let recordings: Recordings;

  beforeAll(async () => {
    await requireBuilt();
    const [steadyClip, recordedClip] = await Promise.all([
      makeClip({ seconds: 5, width: 640, height: 360, fps: 25 }),
      makeClip({ seconds: 2, width: 320, height: 240, fps: 25, videoKbps: 400 }),
    ]);
    server = await startCliServer({ args: ['--grace', '2'] });
    publisher = publishFfmpeg(server.rtmpUrl(LIVE), steadyClip, { loop: true });
    await waitFor(async () => (await ffprobeStreams(server.rtmpUrl(LIVE), 10_000)).length === 2, { timeoutMs: 20_000, what: 'the steady stream' });
    recordings = await recordSessions(server, recordedClip, { live: LIVE, recorded: 'recorded' });
    console.info(`[fuzz] recorded sessions: ${describeRecordings(recordings)}`);
    viewer = httpFlvView(server.flvUrl(LIVE));
    await waitForVideoFrames(viewer, 10);
  }, 120_000);

  afterAll(async () => {
    viewer?.close();
    await server?.stop();
  });

  it('stays up, keeps the healthy viewer fed, closes every bad connection and gives the memory back', async () => {
    const report = await runFuzz(
      {
        server,
        target: { rtmpPort: server.rtmpPort, httpPort: server.httpPort, app: 'live', liveKey: LIVE },
        recordings,
        viewer,
        publisherAlive: () => publisher.exit === null,
      },
      config,
    );
    console.info(formatReport(report));
    expect(report.failures, report.failures.join('\n')).toEqual([]);
    // Afterwards a new player still gets the stream over RTMP.
    expect((await ffprobeStreams(server.rtmpUrl(LIVE))).map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
  }, runMs);
});
