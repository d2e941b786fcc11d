// The benchmark's clients (bench/*.mjs) against real peers, so that a figure in bench/RESULTS.md never rests on a
// client that misreads a stream: the FLV reader against ffprobe on an ffmpeg-made file, the paced publisher against
// nginx-rtmp and ffprobe, and every viewer against kayak-cast fed by ffmpeg.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Children } from '../../bench/children.mjs';
import { LoadFleet } from '../../bench/load-fleet.mjs';
import { FlvTagReader, TAG, isKeyframePicture, isSequenceHeader, readFlvFile } from '../../bench/flv-stream.mjs';
import { RtmpPublisher, prepareClip } from '../../bench/rtmp-publisher.mjs';
import { createViewer, streamEndpoints, timeToKeyframe } from '../../bench/viewers.mjs';
import { seededRandom } from '../helpers/buffer-builder.js';
import { makeClip } from '../helpers/media.js';
import { startNginxRtmp } from '../helpers/nginx-rtmp.js';
import { describeWithPeers } from '../helpers/peers.js';
import { ffprobePackets, publishFfmpeg } from '../helpers/players.js';
import { sleep, trackProcesses } from '../helpers/processes.js';
import { startKayak, waitForLive } from '../helpers/server.js';

const FPS = 25;

/**
 * Media time over wall time while `viewers` play for `ms` (1.0: they keep up with the stream), and the bytes each
 * received meanwhile.
 */
async function mediaRates(viewers, ms) {
  const ts0 = viewers.map((v) => v.lastTs);
  const bytes0 = viewers.map((v) => v.bytes);
  const t0 = performance.now();
  await sleep(ms);
  const wall = performance.now() - t0;
  return { rates: viewers.map((v, i) => (v.lastTs - ts0[i]) / wall), bytes: viewers.map((v, i) => v.bytes - bytes0[i]) };
}

describeWithPeers(['ffmpeg', 'ffprobe', 'nginx-rtmp'], 'benchmark clients against real peers', () => {
  trackProcesses();
  let clip;
  let nginx;
  let kayak;

  beforeAll(async () => {
    [clip, nginx, kayak] = await Promise.all([
      makeClip({ seconds: 4, width: 320, height: 240, fps: FPS, gopSeconds: 1, audioRate: 48_000 }),
      startNginxRtmp(),
      startKayak(),
    ]);
  }, 60_000);

  afterAll(async () => {
    await nginx?.stop();
    await kayak?.stop();
  });

  it('the FLV reader finds every video frame and keyframe ffprobe finds, fed in random pieces', async () => {
    const { video } = await ffprobePackets(clip, 60, { streams: 'v' });
    const file = readFileSync(clip);
    const tags = [];
    const reader = new FlvTagReader({ onTag: (t) => tags.push(t) });
    const random = seededRandom(7);
    for (let i = 0; i < file.length;) {
      const n = 1 + Math.floor(random() * 5000);
      reader.push(file.subarray(i, i + n));
      i += n;
    }
    const isEndOfSequence = (t) => t.head[1] === 2; // AVCPacketType 2: ffmpeg's FLV muxer ends the file with one
    const frames = tags.filter((t) => t.type === TAG.VIDEO && !isSequenceHeader(t.type, t.head) && !isEndOfSequence(t));
    expect(frames.length).toBe(video.length);
    expect(frames.filter((t) => isKeyframePicture(t.head)).length).toBe(video.filter((p) => p.keyframe).length);
    expect(frames.map((t) => t.timestamp)).toEqual(video.map((p) => Math.round(p.dtsTime * 1000)));
  });

  it('the paced publisher feeds nginx-rtmp a stream ffprobe plays, and the RTMP viewer keeps up with it', async () => {
    const target = { host: '127.0.0.1', port: nginx.port, app: 'live', key: 'paced' };
    const publisher = new RtmpPublisher(target, prepareClip(readFlvFile(clip)));
    await publisher.start();
    const viewer = createViewer({ protocol: 'rtmp', endpoints: { rtmp: target } });
    try {
      viewer.start();
      const probed = ffprobePackets(nginx.url('paced'), 2, { streams: 'v' });
      await sleep(1500); // nginx-rtmp has no GOP cache: the viewer waits for the next keyframe (1 s GOP)
      const { rates: [rate] } = await mediaRates([viewer], 2000);
      const { video } = await probed;
      expect(video.length).toBeGreaterThanOrEqual(FPS * 1.5);
      expect(video.some((p) => p.keyframe)).toBe(true);
      expect(viewer.keyframeAt, viewer.closeReason).toBeGreaterThan(0);
      expect(rate).toBeGreaterThan(0.8);
      expect(rate).toBeLessThan(1.2);
      expect(publisher.phase).toBe('publishing');
    } finally {
      viewer.stop();
      publisher.stop();
    }
  }, 30_000);

  it('RTMP, HTTP-FLV and WS-FLV viewers get their first keyframe from kayak-cast and keep up with ffmpeg', async () => {
    publishFfmpeg(kayak.rtmpUrl('mixed'), clip, { loop: true });
    await waitForLive(kayak, 'mixed');
    const endpoints = streamEndpoints({ rtmpPort: kayak.rtmpPort, httpPort: kayak.httpPort, key: 'mixed' });
    for (const protocol of ['rtmp', 'flv', 'ws']) {
      const join = await timeToKeyframe({ protocol, endpoints }, 5000);
      expect(join.keyframeMs, protocol).toBeLessThan(5000);
    }
    const viewers = ['rtmp', 'flv', 'ws'].map((protocol) => createViewer({ protocol, endpoints }));
    try {
      for (const v of viewers) v.start();
      await sleep(1000);
      const { rates, bytes } = await mediaRates(viewers, 2500);
      for (const [i, v] of viewers.entries()) {
        expect(v.state, `${v.protocol}: ${v.closeReason}`).toBe('playing');
        expect(rates[i], v.protocol).toBeGreaterThan(0.8);
        expect(rates[i], v.protocol).toBeLessThan(1.2);
      }
      // the same stream in three wrappings over the same 2.5 s: byte counts close to each other (a margin for a
      // keyframe that one of them got just before the window's end and another just after)
      const [rtmp, flv, ws] = bytes;
      expect(Math.abs(flv - ws) / flv).toBeLessThan(0.15);
      expect(Math.abs(flv - rtmp) / flv).toBeLessThan(0.15);
    } finally {
      for (const v of viewers) v.stop();
    }
  }, 30_000);

  it('a warmed load fleet joins its floor first, then plays kayak-cast over every protocol', async () => {
    publishFfmpeg(kayak.rtmpUrl('warm'), clip, { loop: true });
    await waitForLive(kayak, 'warm');
    const children = new Children();
    const fleet = new LoadFleet(children, 2, { warm: { clipPath: clip, protocols: ['rtmp', 'flv', 'ws', 'hls'] } });
    try {
      const warmedMs = await fleet.ready;
      expect(warmedMs).toHaveLength(2);
      for (const ms of warmedMs) expect(ms).toBeGreaterThan(0);
      // the warm-up's own viewers are gone: nothing left in the processes but what start() opens
      const idle = await fleet.snapshot();
      expect(idle.map((s) => s.viewers.length)).toEqual([0, 0]);
      const endpoints = streamEndpoints({ rtmpPort: kayak.rtmpPort, httpPort: kayak.httpPort, key: 'warm' });
      const specs = ['rtmp', 'flv', 'ws'].flatMap((protocol) => Array.from({ length: 10 }, () => ({ protocol, endpoints })));
      const joined = await fleet.start(specs, { joinTimeoutMs: 15_000 });
      expect(joined.keyframeMs.every((ms) => ms !== null && ms > 0)).toBe(true);
      expect(joined.playing).toBe(30);
    } finally {
      await fleet.stop();
      children.killAllNow();
    }
  }, 60_000);

  it('an HLS viewer plays when the server serves HLS, and ends on a 404 when it does not', async () => {
    publishFfmpeg(kayak.rtmpUrl('hls'), clip, { loop: true });
    await waitForLive(kayak, 'hls');
    const endpoints = streamEndpoints({ rtmpPort: kayak.rtmpPort, httpPort: kayak.httpPort, key: 'hls' });
    const status = (await fetch(endpoints.hls, { signal: AbortSignal.timeout(15_000) })).status;
    if (status === 200) {
      const join = await timeToKeyframe({ protocol: 'hls', endpoints }, 15_000);
      expect(join.keyframeMs).toBeGreaterThan(0);
    } else {
      expect(status).toBe(404);
      await expect(timeToKeyframe({ protocol: 'hls', endpoints }, 5000)).rejects.toThrow(/hls: HTTP 404/);
    }
  }, 30_000);
});
