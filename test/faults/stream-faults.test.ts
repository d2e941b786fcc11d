import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/status/status-snapshot.js';
import { makeClip, timestampRegressions } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { ffprobeStreams, httpJson, publishFfmpeg, rtmpdumpPlay } from '../helpers/players.js';
import { type ManagedProcess, sleep, startProcess, stopProcess, trackProcesses, waitFor } from '../helpers/processes.js';
import { requireBuilt } from '../helpers/server.js';
import { ArrivalViewer, type SteadyStream, startSteadyStream } from '../helpers/steady-stream.js';
import { TcpRecorder } from '../helpers/tcp-recorder.js';
import { RawConnection } from './raw-connection.js';

/**
 * Faults of the peers around a stream, against the built CLI with a bystander publisher and viewer on another key:
 * a publisher's TCP connection reset in the middle of a chunk, then the publisher back within the grace period; and
 * viewers of every kind reset (RST) while the server is writing to them.
 */

const GRACE_S = 5;
/** What the bystander viewer may wait between two tags meanwhile (generous: shared machine). */
const HEALTHY_GAP_MS = 2_000;

async function streamState(steady: SteadyStream, key: string) {
  const s = await httpJson<StatusSnapshot>(steady.server.httpUrl('/api/status'));
  return { stream: s.streams.find((x) => x.key === key), viewers: s.viewers.filter((v) => v.path === `live/${key}`) };
}

describeWithPeers(['ffmpeg', 'ffprobe', 'rtmpdump'], 'faults around a stream', () => {
  trackProcesses();
  let steady: SteadyStream;

  beforeAll(async () => {
    await requireBuilt();
    steady = await startSteadyStream({ server: { args: ['--grace', String(GRACE_S)] } });
  }, 60_000);
  afterAll(async () => steady?.stop());

  it('publisher TCP reset mid-chunk, back within the grace: its viewers stay connected on one timeline', async () => {
    const since = steady.mark();
    const clip = await makeClip({ seconds: 5, width: 640, height: 360, fps: 25 });
    const proxy = await TcpRecorder.start(steady.server.rtmpPort);
    let second: ManagedProcess | undefined;
    try {
      const first = publishFfmpeg(`rtmp://127.0.0.1:${proxy.port}/live/movie`, clip, { loop: true });
      await waitFor(async () => (await streamState(steady, 'movie')).stream?.state === 'live', { timeoutMs: 15_000, what: 'movie to be live' });
      const viewer = ArrivalViewer.start(steady.server.flvUrl('movie'));
      const rtmp = rtmpdumpPlay(steady.server.rtmpUrl('movie'), 14);
      await viewer.moreFrames(50);

      // A video chunk run is several hundred bytes: half of one reaches the server, then both directions are reset.
      await (proxy.sessions[0]?.resetMidWrite(600) ?? Promise.reject(new Error('no publish session')));
      const resetAt = Date.now();
      await Promise.race([first.exited, sleep(10_000)]);
      expect(first.exit, 'ffmpeg gives up once its connection is reset').not.toBeNull();
      await waitFor(async () => (await streamState(steady, 'movie')).stream?.state === 'grace', { timeoutMs: 5_000, what: 'movie to be in grace' });
      expect((await streamState(steady, 'movie')).viewers.length, 'both viewers wait through the grace period').toBe(2);

      await sleep(1_000);
      const downtime = Date.now() - resetAt;
      second = publishFfmpeg(steady.server.rtmpUrl('movie'), clip, { loop: true });
      await viewer.moreFrames(75, 20_000);
      const dumped = await rtmp;
      expect(viewer.problem()).toBeUndefined();
      await viewer.stop();

      expect(viewer.last?.regressions, 'video timestamps never go back').toBe(0);
      expect(viewer.largestGap(since).ms).toBeLessThan(GRACE_S * 1000 + 3_000);
      expect(timestampRegressions(dumped.tags, 'video'), 'the RTMP viewer: one timeline too').toEqual([]);
      expect(timestampRegressions(dumped.tags, 'audio')).toEqual([]);
      expect(dumped.tags.filter((t) => t.kind === 'video').length).toBeGreaterThan(100);
      expect(steady.server.log.some((l) => /live\/movie: publisher is back/.test(l.message))).toBe(true);
      console.info(`[faults] publisher reset mid-chunk, a new one started ${downtime} ms later; HTTP-FLV viewer waited at most ${viewer.largestGap(since).ms.toFixed(0)} ms, ${viewer.last?.frames} frames, RTMP viewer ${dumped.tags.length} tags, no timestamp regressions`);
    } finally {
      await proxy.close();
      if (second) await stopProcess(second);
    }
    expect(steady.problems()).toEqual([]);
    expect(steady.largestGapSince(since)).toBeLessThan(HEALTHY_GAP_MS);
    expect(steady.server.errorLines()).toEqual([]);
  }, 90_000);

  it('viewers reset while the server writes to them: HTTP-FLV, WebSocket-FLV, RTMP and real players killed', async () => {
    const since = steady.mark();
    // A heavy stream, so that each viewer's socket has data in flight when it is reset.
    const clip = await makeClip({ seconds: 4, width: 1280, height: 720, fps: 25, videoKbps: 4000 });
    const heavy = publishFfmpeg(steady.server.rtmpUrl('heavy'), clip, { loop: true });
    await waitFor(async () => (await streamState(steady, 'heavy')).stream?.video != null, { timeoutMs: 15_000, what: 'heavy to be live' });
    const { httpPort, rtmpPort } = steady.server;
    // A real RTMP play session (ffprobe's), recorded once, then replayed by the raw viewers.
    const recorder = await TcpRecorder.start(rtmpPort);
    await ffprobeStreams(`rtmp://127.0.0.1:${recorder.port}/live/heavy`);
    const rtmpPlay = Buffer.concat(recorder.sessions[0]?.writes ?? []);
    await recorder.close();
    expect(rtmpPlay.length).toBeGreaterThan(3073);

    const requests = {
      flv: Buffer.from(`GET /live/heavy.flv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`),
      ws: Buffer.from(`GET /live/heavy.flv HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`),
    };
    let resets = 0;
    let received = 0;
    for (let wave = 0; wave < 3; wave++) {
      const viewers = await Promise.all(
        Array.from({ length: 30 }, async (_, i) => {
          const kind = (['flv', 'ws', 'rtmp'] as const)[i % 3] as 'flv' | 'ws' | 'rtmp';
          const c = await RawConnection.open(kind === 'rtmp' ? rtmpPort : httpPort);
          c?.write(kind === 'rtmp' ? rtmpPlay : requests[kind]);
          return c;
        }),
      );
      // Real players too: killed with SIGKILL while reading, the kernel resets their connections.
      const players = [
        startProcess('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', steady.server.flvUrl('heavy'), '-c', 'copy', '-f', 'null', '-'], { name: 'ffmpeg-viewer' }),
        startProcess('rtmpdump', ['-q', '-v', '-r', steady.server.rtmpUrl('heavy'), '-o', '/dev/null'], { name: 'rtmpdump-viewer' }),
      ];
      await sleep(300 + wave * 300);
      // Stop reading, so that the server's writes back up; reset a moment later, mid-write.
      for (const c of viewers) c?.stopReading();
      await sleep(200);
      for (const c of viewers) {
        if (c === undefined) continue;
        received += c.bytesReceived;
        c.reset();
        resets++;
      }
      await Promise.all(players.map((p) => stopProcess(p, 'SIGKILL')));
      resets += players.length;
    }
    // Every reset viewer is gone from the server's list; the bystander never noticed.
    await waitFor(async () => (await streamState(steady, 'heavy')).viewers.length === 0, { timeoutMs: 10_000, what: 'the reset viewers to be dropped' });
    const streams = await ffprobeStreams(steady.server.flvUrl('heavy'));
    expect(streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    await stopProcess(heavy);
    console.info(`[faults] ${resets} viewers reset mid-write (${Math.round(received / 1024)} KB read before); all dropped, bystander waited at most ${steady.largestGapSince(since).toFixed(0)} ms`);
    expect(received, 'the raw viewers were being written to').toBeGreaterThan(1024 * 1024);
    expect(steady.problems()).toEqual([]);
    expect(steady.largestGapSince(since)).toBeLessThan(HEALTHY_GAP_MS);
    expect(steady.server.errorLines()).toEqual([]);
  }, 90_000);
});
