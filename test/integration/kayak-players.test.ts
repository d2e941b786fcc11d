import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeClip, mediaFrames, timestampRegressions } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import {
  ffprobeStreams,
  gstPlay,
  gstPublish,
  httpFlvView,
  publishFfmpeg,
  rtmpdumpPlay,
  waitForVideoFrames,
} from '../helpers/players.js';
import type { ProbedStream } from '../helpers/players.js';
import { trackProcesses } from '../helpers/processes.js';
import { startKayak, waitForLive } from '../helpers/server.js';
import type { RunningKayak } from '../helpers/server.js';

/**
 * kayak-cast against the players and publishers people use: ffmpeg publishes a generated H.264/AAC clip; ffprobe
 * (RTMP and HTTP-FLV), rtmpdump (librtmp) and GStreamer (rtmp2src ! flvdemux) play it; GStreamer's rtmp2sink
 * publishes. harness.test.ts runs the same helpers against nginx-rtmp: if it passes and this fails, the server is
 * at fault.
 */

const CLIP = { seconds: 5, width: 640, height: 360, fps: 25, gopSeconds: 1 } as const;

function expectClipStreams(streams: ProbedStream[]): void {
  const video = streams.find((s) => s.codec_type === 'video');
  const audio = streams.find((s) => s.codec_type === 'audio');
  expect(video, JSON.stringify(streams)).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
  expect(audio, JSON.stringify(streams)).toMatchObject({ codec_name: 'aac', sample_rate: '44100', channels: 2 });
}

describeWithPeers(['ffmpeg', 'ffprobe', 'rtmpdump', 'gst-rtmp'], 'kayak-cast with real players and publishers', () => {
  trackProcesses();
  let kayak: RunningKayak;

  beforeAll(async () => {
    const clip = await makeClip(CLIP);
    kayak = await startKayak();
    const publisher = publishFfmpeg(kayak.rtmpUrl('movie'), clip, { loop: true });
    await waitForLive(kayak, 'movie').catch((e: unknown) => {
      throw new Error(`${String(e)}\n${publisher.output()}\n--- server log ---\n${kayak.logger.text()}`);
    });
  }, 60_000);

  afterAll(async () => {
    await kayak?.stop();
  });

  it('ffprobe over RTMP sees H.264 640x360 and AAC', async () => {
    expectClipStreams(await ffprobeStreams(kayak.rtmpUrl('movie')));
  });

  it('ffprobe over HTTP-FLV sees H.264 640x360 and AAC', async () => {
    expectClipStreams(await ffprobeStreams(kayak.flvUrl('movie')));
  });

  it('ffprobe sees only the video and audio streams, over RTMP and HTTP-FLV (as with nginx-rtmp)', async () => {
    // ffmpeg's FLV demuxer turns a script tag other than onMetaData at timestamp 0 (e.g. an onStatus data message, or
    // onMetaData stamped mid-stream) into an extra data or subtitle stream that players list.
    const [overRtmp, overHttp] = await Promise.all([
      ffprobeStreams(kayak.rtmpUrl('movie')),
      ffprobeStreams(kayak.flvUrl('movie')),
    ]);
    const kinds = (streams: ProbedStream[]) => streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort();
    expect(kinds(overRtmp), 'RTMP').toEqual(['audio:aac', 'video:h264']);
    expect(kinds(overHttp), 'HTTP-FLV').toEqual(['audio:aac', 'video:h264']);
  });

  it('a plain HTTP-FLV reader gets a well-formed FLV: header, sequence headers, then a keyframe', async () => {
    const viewer = httpFlvView(kayak.flvUrl('movie'));
    await waitForVideoFrames(viewer, 50);
    viewer.close();
    expect(viewer.walker.error).toBeUndefined();
    expect(viewer.walker.header).toMatchObject({ hasAudio: true, hasVideo: true });
    const firstVideo = viewer.tags.findIndex((t) => t.kind === 'video');
    const firstAudio = viewer.tags.findIndex((t) => t.kind === 'audio');
    expect(viewer.tags[firstVideo]?.sequenceHeader, 'first video tag is the AVC sequence header').toBe(true);
    expect(viewer.tags[firstAudio]?.sequenceHeader, 'first audio tag is the AAC sequence header').toBe(true);
    expect(mediaFrames(viewer.tags, 'video')[0]?.keyframe, 'first video frame is a keyframe').toBe(true);
    expect(timestampRegressions(viewer.tags, 'video')).toEqual([]);
    expect(timestampRegressions(viewer.tags, 'audio')).toEqual([]);
  });

  it('rtmpdump plays it: non-trivial FLV with video and audio tags', async () => {
    const r = await rtmpdumpPlay(kayak.rtmpUrl('movie'), 3);
    expect(r.flvError, r.stderr).toBeUndefined();
    expect(r.bytes.length, r.stderr).toBeGreaterThan(50_000);
    expect(r.tags.some((t) => t.kind === 'video' && t.sequenceHeader), 'AVC sequence header').toBe(true);
    const video = mediaFrames(r.tags, 'video');
    expect(video.length).toBeGreaterThan(25);
    expect(video[0]?.keyframe).toBe(true);
    expect(mediaFrames(r.tags, 'audio').length).toBeGreaterThan(25);
  });

  it('gst rtmp2src ! flvdemux plays it to EOS with H.264 640x360 and AAC caps', async () => {
    const r = await gstPlay(kayak.rtmpUrl('movie'));
    expect(r.ok, r.output).toBe(true);
    expect(r.videoCaps, r.output).toMatch(/video\/x-h264.*width=\(int\)640/);
    expect(r.videoCaps, r.output).toMatch(/height=\(int\)360/);
    expect(r.audioCaps, r.output).toMatch(/audio\/mpeg.*mpegversion=\(int\)4/);
  });

  it('gst rtmp2sink publishes to kayak-cast and ffprobe reads it back over RTMP and HTTP-FLV', async () => {
    const clip = await makeClip({ ...CLIP, seconds: 8 });
    const publisher = gstPublish(kayak.rtmpUrl('from-gst'), clip);
    await waitForLive(kayak, 'from-gst').catch((e: unknown) => {
      throw new Error(`${String(e)}\n${publisher.output()}\n--- server log ---\n${kayak.logger.text()}`);
    });
    const [overRtmp, overHttp] = await Promise.all([
      ffprobeStreams(kayak.rtmpUrl('from-gst')),
      ffprobeStreams(kayak.flvUrl('from-gst')),
    ]);
    expectClipStreams(overRtmp);
    expectClipStreams(overHttp);
    const exit = await publisher.exited;
    expect(exit.code, publisher.output()).toBe(0);
  }, 45_000);
});
