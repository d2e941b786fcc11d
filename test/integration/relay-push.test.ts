import { createServer, connect } from 'node:net';
import type { Server, Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { normalizeCommand } from '../../src/playout/normalize-command.js';
import { PacedPlayout, type PlannedSegment } from '../../src/playout/paced-playout.js';
import { parsePushSpec } from '../../src/server/relay/push-spec.js';
import type { RelaySample } from '../../src/server/rtmp-publish-client.js';
import { type StatusSnapshot, publicView } from '../../src/status/status-snapshot.js';
import { systemClock } from '../../src/util/clock.js';
import { makeClip, mediaFrames } from '../helpers/media.js';
import { type NginxRtmp, startNginxRtmp } from '../helpers/nginx-rtmp.js';
import { describeWithPeers } from '../helpers/peers.js';
import { ffprobePackets, ffprobeStreams, httpFlvView, httpJson, publishFfmpeg, waitForVideoFrames } from '../helpers/players.js';
import { freePort } from '../helpers/ports.js';
import { sleep, trackProcesses, waitFor } from '../helpers/processes.js';
import { type RunningKayak, startKayak, waitForLive } from '../helpers/server.js';

/**
 * Relay push (`--push`) against a real nginx-rtmp started by the test: what arrives there plays; the relay survives
 * the target going away and coming back; a dead or slow target harms nobody else; a playlist arrives as one publish.
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function nginx(port?: number): Promise<NginxRtmp> {
  const n = await startNginxRtmp(port === undefined ? {} : { port });
  cleanups.push(() => n.stop());
  return n;
}

async function kayakPushingTo(...templates: string[]): Promise<RunningKayak> {
  const k = await startKayak({ push: templates.map(parsePushSpec) });
  cleanups.push(() => k.stop());
  return k;
}

function relays(kayak: RunningKayak, key: string): RelaySample[] {
  return kayak.server.relays.status(`live/${key}`);
}

/** How many times nginx-rtmp logged a publish of `key` (its error log at info level names each). */
function publishes(target: NginxRtmp, key: string): number {
  return target.errorLog().split('\n').filter((line) => line.includes('publish:') && line.includes(`name='${key}'`)).length;
}

describeWithPeers(['ffmpeg', 'ffprobe', 'nginx-rtmp'], 'relay push to nginx-rtmp', () => {
  trackProcesses();

  it('pushes a live stream to nginx-rtmp, where ffprobe plays it', async () => {
    const target = await nginx();
    const kayak = await kayakPushingTo(`rtmp://127.0.0.1:${target.port}/live/{key}`);
    const clip = await makeClip({ seconds: 5, width: 640, height: 360, fps: 25 });
    publishFfmpeg(kayak.rtmpUrl('movie'), clip, { loop: true });
    await waitForLive(kayak, 'movie');
    await waitFor(() => relays(kayak, 'movie')[0]?.state === 'live' || null, { timeoutMs: 15_000, what: 'the relay to go live' });
    const streams = await ffprobeStreams(target.url('movie'), 20_000);
    expect(streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    const [status] = relays(kayak, 'movie');
    expect(status?.url).toBe(`rtmp://127.0.0.1:${target.port}/live/mov…`);
    expect(status?.bytesSent).toBeGreaterThan(100_000);
    const api = await waitFor(
      async () => {
        const snapshot = await httpJson<StatusSnapshot>(kayak.httpUrl('/api/status'));
        const relay = snapshot.streams.find((s) => s.key === 'movie')?.relays[0];
        return relay !== undefined && relay.bitrate > 0 ? relay : undefined;
      },
      { timeoutMs: 10_000, what: 'the relay and its bitrate in /api/status' },
    );
    expect(api).toMatchObject({ url: `rtmp://127.0.0.1:${target.port}/live/mov…`, state: 'live', retries: 0, lastError: null });
    expect(publicView(kayak.server.status.snapshot()).streams[0]?.relays).toEqual([]);
  }, 60_000);

  it('resumes by itself when nginx is killed and started again mid-show', async () => {
    const port = await freePort();
    let target = await nginx(port);
    const kayak = await kayakPushingTo(`rtmp://127.0.0.1:${port}/live/{key}`);
    const clip = await makeClip({ seconds: 5, width: 640, height: 360, fps: 25 });
    publishFfmpeg(kayak.rtmpUrl('show'), clip, { loop: true });
    await waitForLive(kayak, 'show');
    await waitFor(() => relays(kayak, 'show')[0]?.state === 'live' || null, { timeoutMs: 15_000, what: 'the relay to go live' });
    const viewer = httpFlvView(kayak.flvUrl('show'));
    await waitForVideoFrames(viewer, 10);

    await target.stop();
    await waitFor(() => relays(kayak, 'show')[0]?.state === 'retrying' || null, { timeoutMs: 15_000, what: 'the relay to notice' });
    const framesWhileDown = mediaFrames(viewer.tags, 'video').length;
    await sleep(2_000);
    expect(mediaFrames(viewer.tags, 'video').length, 'local viewers go on while the target is down').toBeGreaterThan(framesWhileDown + 25);

    target = await nginx(port);
    await waitFor(() => relays(kayak, 'show')[0]?.state === 'live' || null, { timeoutMs: 40_000, what: 'the relay to resume' });
    const streams = await ffprobeStreams(target.url('show'), 20_000);
    expect(streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    const status = relays(kayak, 'show')[0];
    expect(status?.retries).toBeGreaterThanOrEqual(1);
    expect(status?.lastError).toBeTruthy();
    expect(viewer.finish).toBeUndefined();
    viewer.close();
  }, 90_000);

  it('keeps pushing to a live target while another one is dead', async () => {
    const target = await nginx();
    const deadPort = await freePort();
    const kayak = await kayakPushingTo(`rtmp://127.0.0.1:${deadPort}/live/{key}`, `rtmp://127.0.0.1:${target.port}/live/{key}`);
    const clip = await makeClip({ seconds: 5, width: 640, height: 360, fps: 25 });
    publishFfmpeg(kayak.rtmpUrl('two'), clip, { loop: true });
    await waitForLive(kayak, 'two');
    await waitFor(() => relays(kayak, 'two')[1]?.state === 'live' || null, { timeoutMs: 15_000, what: 'the live target' });
    const packets = await ffprobePackets(target.url('two'), 3, { streams: 'v', timeoutMs: 20_000 });
    expect(packets.video.length).toBeGreaterThan(50);
    const [dead, live] = relays(kayak, 'two');
    expect(dead?.state).toBe('retrying');
    expect(dead?.retries).toBeGreaterThanOrEqual(1);
    expect(dead?.lastError).toMatch(/ECONNREFUSED/);
    expect(live?.state).toBe('live');
  }, 60_000);

  it('skips to keyframes for a slow target while local viewers get every frame', async () => {
    const target = await nginx();
    const proxy = await throttlingProxy(target.port, 40_000);
    cleanups.push(() => proxy.close());
    const kayak = await kayakPushingTo(`rtmp://127.0.0.1:${proxy.port}/live/{key}`);
    const clip = await makeClip({ seconds: 5, width: 640, height: 360, fps: 25, videoKbps: 2_000 });
    publishFfmpeg(kayak.rtmpUrl('slow'), clip, { loop: true, readrate: 4 });
    await waitForLive(kayak, 'slow');
    const viewer = httpFlvView(kayak.flvUrl('slow'));
    await waitForVideoFrames(viewer, 10);
    const from = mediaFrames(viewer.tags, 'video').length;
    await waitFor(() => (relays(kayak, 'slow')[0]?.droppedFrames ?? 0) > 0 || null, { timeoutMs: 40_000, what: 'the relay to skip frames' });
    const video = mediaFrames(viewer.tags, 'video').slice(from);
    const steps = video.slice(1).map((t, i) => t.timestamp - (video[i]?.timestamp ?? 0));
    // 40 ms a frame; the clip's loop point adds a few ms (ffmpeg's -stream_loop), a missed frame would add 40.
    expect(Math.max(...steps), 'the local viewer missed no frame').toBeLessThan(80);
    expect(kayak.server.status.stream('live/slow')?.viewerList[0]?.droppedFrames).toBe(0);
    viewer.close();
  }, 90_000);

  it('carries a playlist across its items to nginx as one publish', async () => {
    const target = await nginx();
    const kayak = await kayakPushingTo(`rtmp://127.0.0.1:${target.port}/live/{key}`);
    const channel = kayak.server.hub.publish('live', 'tv', 'playout', 'playout');
    expect(channel).toBeDefined();
    const profile = { width: 320, height: 240, fps: 25, videoBitrate: 300_000, audioBitrate: 64_000, sampleRate: 48_000 };
    const segments: PlannedSegment[] = (['smptebars', 'testsrc2', 'smptebars'] as const).map((pattern, i) => ({
      title: `${pattern} ${i}`,
      seconds: 3,
      command: (at: number) => normalizeCommand({ kind: 'generated', pattern, toneHz: 440 + 110 * i }, at, 3 - at, profile),
    }));
    const playout = new PacedPlayout({ ffmpegPath: 'ffmpeg', sink: channel!, clock: systemClock, logger: kayak.logger, frameMs: 40 });
    const played = playout.play(segments, Date.now() + 300, new AbortController().signal);
    await waitFor(() => relays(kayak, 'tv')[0]?.state === 'live' || null, { timeoutMs: 15_000, what: 'the relay to go live' });
    const probe = ffprobePackets(target.url('tv'), 6, { streams: 'v', timeoutMs: 30_000 });
    await played;
    const packets = await probe;
    const times = packets.video.map((p) => p.dtsTime);
    expect(times.length).toBeGreaterThan(100);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeLessThan(0.2);
    expect(publishes(target, 'tv')).toBe(1);
  }, 90_000);
});

/** A TCP proxy to `port` that passes the client's bytes on at most `bytesPerSecond` (and the server's freely). */
async function throttlingProxy(port: number, bytesPerSecond: number): Promise<{ port: number; close(): void }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port });
    sockets.add(client).add(upstream);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    upstream.pipe(client);
    const slice = Math.max(1, Math.round(bytesPerSecond / 20));
    let backlog: Buffer[] = [];
    client.on('data', (d: Buffer) => {
      backlog.push(d);
      if (backlog.length > 64) client.pause();
    });
    const timer = setInterval(() => {
      let budget = slice;
      const next: Buffer[] = [];
      for (const chunk of backlog) {
        if (budget <= 0) next.push(chunk);
        else if (chunk.length <= budget) {
          upstream.write(chunk);
          budget -= chunk.length;
        } else {
          upstream.write(chunk.subarray(0, budget));
          next.push(chunk.subarray(budget));
          budget = 0;
        }
      }
      backlog = next;
      if (backlog.length < 16) client.resume();
    }, 50);
    client.on('close', () => {
      clearInterval(timer);
      upstream.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}
