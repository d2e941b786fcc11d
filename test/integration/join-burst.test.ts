import { expect, it } from 'vitest';
import { type FlvTag, makeClip, mediaFrames } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { type HttpFlvViewer, httpFlvView, publishFfmpeg, rtmpdumpPlay, waitForVideoFrames } from '../helpers/players.js';
import { sleep, trackProcesses, waitFor } from '../helpers/processes.js';
import { startKayak, useKayak, waitForLive } from '../helpers/server.js';
import { type WsView, wsView } from '../helpers/ws-client.js';

/**
 * Viewers that join at the same moment share one join burst (its head and the rest of the GOP, each one Buffer per
 * wire format) and get the replies of their handshake in as few writes as possible. What a player must still see:
 * metadata and sequence headers, a keyframe first, then every frame of the GOP after it and on into the live stream,
 * none lost, none twice, byte for byte what a viewer that was already watching got.
 */

const FPS = 25;
const FRAME_MS = 1000 / FPS;
const HTTP_VIEWERS = 6;
const WS_VIEWERS = 6;
const RTMP_VIEWERS = 2;

describeWithPeers(['ffmpeg', 'rtmpdump'], 'viewers joining at the same moment', () => {
  trackProcesses();
  const server = useKayak();

  it('each get headers, a keyframe, then the GOP and the live stream in order, as the viewers already watching', async () => {
    const kayak = server();
    const clip = await makeClip({ seconds: 6, width: 320, height: 240, fps: FPS, gopSeconds: 2 });
    publishFfmpeg(kayak.rtmpUrl('burst'), clip, { loop: true });
    await waitForLive(kayak, 'burst');
    const monitor = httpFlvView(kayak.flvUrl('burst'), { keepBytes: true });
    await afterKeyframe(monitor);

    const flv = Array.from({ length: HTTP_VIEWERS }, () => httpFlvView(kayak.flvUrl('burst'), { keepBytes: true }));
    const ws = Array.from({ length: WS_VIEWERS }, () => wsView(`ws://127.0.0.1:${kayak.httpPort}/live/burst.flv`));
    const rtmp = Promise.all(Array.from({ length: RTMP_VIEWERS }, () => rtmpdumpPlay(kayak.rtmpUrl('burst'), 4)));
    const enough = (tags: readonly FlvTag[]) => mediaFrames(tags, 'video').length >= 2 * FPS + 10;
    await waitFor(() => flv.every((v) => enough(v.tags)) && ws.every((v) => enough(v.walker.tags)), {
      timeoutMs: 15_000,
      what: 'every HTTP-FLV and WS-FLV viewer past the next keyframe',
    });
    const dumps = await rtmp;
    for (const v of flv) v.close();
    for (const v of ws) v.ws.close();
    await sleep(200);
    monitor.close();

    const reference = videoByTimestamp(monitor);
    for (const v of flv) checkJoin(v.tags, reference, tagBytes(v.bytes(), v.tags), monitor.bytes());
    for (const v of ws) checkJoin(v.walker.tags, reference, wsTagBytes(v), monitor.bytes());
    for (const dump of dumps) {
      expect(dump.flvError).toBeUndefined();
      // rtmpdump writes its own FLV file from the RTMP messages: the order and the frames are what is compared.
      checkJoin(dump.tags, reference);
    }
  }, 60_000);

  it('a viewer whose queue limit is below the cached GOP still starts on a keyframe and plays on', async () => {
    // The shared burst is taken whole only when the queue policy would let all of it through; here the rest of the
    // GOP is larger than the limit, so it goes packet by packet under the policy (frames dropped to the next keyframe).
    const small = await startKayak({ queueLimits: { maxBytes: 24 * 1024, resumeBytes: 8 * 1024, maxBehindMs: 10_000 } });
    try {
      const clip = await makeClip({ seconds: 6, width: 320, height: 240, fps: FPS, gopSeconds: 2 });
      publishFfmpeg(small.rtmpUrl('tight'), clip, { loop: true });
      await waitForLive(small, 'tight');
      const monitor = httpFlvView(small.flvUrl('tight'));
      await afterKeyframe(monitor);
      monitor.close();
      const flv = httpFlvView(small.flvUrl('tight'));
      const ws = wsView(`ws://127.0.0.1:${small.httpPort}/live/tight.flv`);
      await waitFor(() => mediaFrames(flv.tags, 'video').length >= FPS && mediaFrames(ws.walker.tags, 'video').length >= FPS, {
        timeoutMs: 15_000,
        what: 'both viewers playing',
      });
      // The policy, not the shared Buffer, decided: both skipped part of the GOP they joined in.
      const viewers = small.server.status.snapshot().viewers.filter((v) => v.path === 'live/tight');
      expect(viewers.map((v) => v.protocol).sort()).toEqual(['http-flv', 'ws-flv']);
      for (const v of viewers) expect(v.droppedFrames).toBeGreaterThan(0);
      flv.close();
      ws.ws.close();
      for (const tags of [flv.tags, ws.walker.tags]) {
        expect(tags.filter((t) => t.sequenceHeader).length).toBeGreaterThanOrEqual(2);
        expect(mediaFrames(tags, 'video')[0]?.keyframe).toBe(true);
        const times = mediaFrames(tags, 'video').map((t) => t.timestamp);
        for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1] as number);
      }
    } finally {
      await small.stop();
    }
  }, 60_000);
});

/** Returns half a GOP after a keyframe reached `monitor`: the cached GOP then holds a keyframe and ~25 frames after it. */
async function afterKeyframe(monitor: HttpFlvViewer): Promise<void> {
  await waitForVideoFrames(monitor, FPS);
  const keyframes = () => mediaFrames(monitor.tags, 'video').filter((t) => t.keyframe).length;
  const seen = keyframes();
  await waitFor(() => keyframes() > seen, { timeoutMs: 5_000, intervalMs: 10, what: 'a keyframe at the monitor' });
  await sleep(1_000);
}

/** The monitor's video frames by timestamp: what every joiner must receive from its keyframe on. */
function videoByTimestamp(monitor: HttpFlvViewer): number[] {
  return mediaFrames(monitor.tags, 'video').map((t) => t.timestamp);
}

function checkJoin(tags: readonly FlvTag[], reference: readonly number[], bytes?: Buffer[], monitorBytes?: Buffer): void {
  // Metadata first, then the two sequence headers, then the keyframe: a player can decode from its first frame.
  const firstMedia = tags.findIndex((t) => (t.kind === 'video' || t.kind === 'audio') && !t.sequenceHeader);
  const before = tags.slice(0, firstMedia);
  expect(before.filter((t) => t.kind === 'script').length).toBeGreaterThanOrEqual(1);
  expect(before.filter((t) => t.sequenceHeader).map((t) => t.kind).sort()).toEqual(['audio', 'video']);
  const video = mediaFrames(tags, 'video');
  expect(video[0]?.keyframe).toBe(true);
  // Every frame from the keyframe on, in order: the monitor's sequence of frames, none lost, none twice.
  const timestamps = video.map((t) => t.timestamp);
  const start = reference.indexOf(timestamps[0] ?? -1);
  expect(start, 'the joiner starts on a frame the monitor saw').toBeGreaterThanOrEqual(0);
  const overlap = Math.min(timestamps.length, reference.length - start);
  expect(overlap).toBeGreaterThan(FPS);
  expect(timestamps.slice(0, overlap)).toEqual(reference.slice(start, start + overlap));
  for (let i = 1; i < timestamps.length; i++) expect((timestamps[i] ?? 0) - (timestamps[i - 1] ?? 0)).toBeLessThan(3 * FRAME_MS);
  if (bytes === undefined || monitorBytes === undefined) return;
  // Byte for byte: each media tag after the head is one the monitor received too.
  tags.forEach((tag, i) => {
    if (i <= firstMedia || tag.kind === 'script' || tag.sequenceHeader) return;
    expect(monitorBytes.indexOf(bytes[i] as Buffer), `tag ${i} (${tag.kind} at ${tag.timestamp} ms)`).toBeGreaterThan(0);
  });
}

/** Each tag's bytes (header, data, PreviousTagSize) cut from an HTTP-FLV recording. */
function tagBytes(all: Buffer, tags: readonly FlvTag[]): Buffer[] {
  return tags.map((t) => all.subarray(t.offset, t.offset + 11 + t.dataSize + 4));
}

/** A WS-FLV viewer's tags: one binary message per tag after the file header's message. */
function wsTagBytes(view: WsView): Buffer[] {
  return view.messages.slice(1, 1 + view.walker.tags.length);
}
