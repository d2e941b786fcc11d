import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeClip, mediaFrames, parseFlv, timestampRegressions } from '../helpers/media.js';
import { startNginxRtmp } from '../helpers/nginx-rtmp.js';
import type { NginxRtmp } from '../helpers/nginx-rtmp.js';
import { describeWithPeers } from '../helpers/peers.js';
import {
  ffprobePackets,
  ffprobeStreams,
  gstPlay,
  gstPublish,
  httpFlvView,
  publishFfmpeg,
  rtmpdumpPlay,
  waitForVideoFrames,
} from '../helpers/players.js';
import { freePort } from '../helpers/ports.js';
import { startProcess, stopProcess, trackProcesses, waitFor } from '../helpers/processes.js';

/**
 * Proves the peers and the test-side helpers work on this machine, against servers that are not ours: nginx-rtmp and
 * ffmpeg's own `-listen 1` servers. When one of the kayak-cast interop tests fails, this file says whether the harness
 * or the server is at fault.
 */

const CLIP = { seconds: 4, width: 640, height: 360, fps: 25, gopSeconds: 1 } as const;

describeWithPeers(['ffmpeg', 'ffprobe'], 'test media helpers', () => {
  it('makeClip generates H.264 + AAC FLV that the FLV walker reads frame by frame', async () => {
    const clip = await makeClip(CLIP);
    expect(await makeClip(CLIP)).toBe(clip); // cached
    const flv = parseFlv(readFileSync(clip));
    expect(flv.error).toBeUndefined();
    expect(flv.header).toEqual({ version: 1, hasAudio: true, hasVideo: true });
    const video = mediaFrames(flv.tags, 'video');
    expect(video).toHaveLength(CLIP.seconds * CLIP.fps);
    expect(video.filter((t) => t.keyframe)).toHaveLength(CLIP.seconds / CLIP.gopSeconds);
    expect(video[0]?.keyframe).toBe(true);
    expect(flv.tags.filter((t) => t.kind === 'video' && t.sequenceHeader)).toHaveLength(1);
    expect(flv.tags.filter((t) => t.kind === 'audio' && t.sequenceHeader)).toHaveLength(1);
    expect(flv.tags.find((t) => t.kind === 'script')).toBeDefined();
    expect(timestampRegressions(flv.tags, 'video')).toEqual([]);
    expect(video.at(-1)?.timestamp).toBeGreaterThan((CLIP.seconds - 0.2) * 1000);

    const probed = await ffprobeStreams(clip);
    expect(probed.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
  });
});

describeWithPeers(['ffmpeg', 'ffprobe', 'rtmpdump', 'gst-rtmp', 'nginx-rtmp'], 'peers against nginx-rtmp', () => {
  trackProcesses();
  let nginx: NginxRtmp;
  let clip: string;

  beforeAll(async () => {
    clip = await makeClip(CLIP);
    nginx = await startNginxRtmp({ waitKey: true });
    publishFfmpeg(nginx.url('harness'), clip, { loop: true });
    await waitFor(() => ffprobeStreams(nginx.url('harness'), 10_000).then((s) => s.length === 2), {
      timeoutMs: 30_000,
      what: 'the looped publish to be readable on nginx-rtmp',
    });
  }, 60_000);

  afterAll(async () => {
    await nginx?.stop();
  });

  it('ffprobe reads codecs and frame size over RTMP', async () => {
    const streams = await ffprobeStreams(nginx.url('harness'));
    expect(streams).toHaveLength(2);
    const video = streams.find((s) => s.codec_type === 'video');
    const audio = streams.find((s) => s.codec_type === 'audio');
    expect(video).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
    expect(audio).toMatchObject({ codec_name: 'aac', sample_rate: '44100' });
  });

  it('ffprobePackets lists packets with keyframe flags (wait_key: the first video packet is a keyframe)', async () => {
    const { video, audio } = await ffprobePackets(nginx.url('harness'), 2);
    expect(video.length).toBeGreaterThan(20);
    expect(audio.length).toBeGreaterThan(20);
    const videoOnly = await ffprobePackets(nginx.url('harness'), 1, { streams: 'v' });
    expect(videoOnly.audio).toEqual([]);
    expect(videoOnly.video.length).toBeGreaterThan(10);
    expect(videoOnly.video[0]?.keyframe).toBe(true);
    expect(video[0]?.keyframe).toBe(true);
    expect(video.filter((p) => p.keyframe).length).toBeGreaterThanOrEqual(1);
    for (let i = 1; i < video.length; i++) {
      expect(video[i]!.dtsTime).toBeGreaterThanOrEqual(video[i - 1]!.dtsTime);
    }
  });

  it('rtmpdump receives FLV with video and audio tags for the time asked', async () => {
    const r = await rtmpdumpPlay(nginx.url('harness'), 3);
    expect(r.flvError).toBeUndefined();
    expect(r.bytes.length).toBeGreaterThan(50_000);
    expect(mediaFrames(r.tags, 'video').length).toBeGreaterThan(25);
    expect(mediaFrames(r.tags, 'audio').length).toBeGreaterThan(25);
    expect(r.tags.some((t) => t.kind === 'video' && t.sequenceHeader)).toBe(true);
  });

  it('gst rtmp2src ! flvdemux plays to EOS with H.264 640x360 and AAC caps', async () => {
    const r = await gstPlay(nginx.url('harness'));
    expect(r.ok, r.output).toBe(true);
    expect(r.videoCaps, r.output).toMatch(/video\/x-h264/);
    expect(r.videoCaps, r.output).toMatch(/width=\(int\)640/);
    expect(r.videoCaps, r.output).toMatch(/height=\(int\)360/);
    expect(r.audioCaps, r.output).toMatch(/audio\/mpeg/);
  });

  it('gst rtmp2sink publishes a clip that ffprobe reads back', async () => {
    const longer = await makeClip({ ...CLIP, seconds: 6 });
    const publisher = gstPublish(nginx.url('from-gst'), longer);
    const streams = await waitFor(
      () => ffprobeStreams(nginx.url('from-gst'), 8_000).then((s) => (s.length === 2 ? s : null)),
      { timeoutMs: 20_000, what: 'the GStreamer publish to be readable' },
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}\n${publisher.output()}`);
    });
    expect(streams.find((s) => s.codec_type === 'video')).toMatchObject({ codec_name: 'h264', width: 640 });
    expect(streams.find((s) => s.codec_type === 'audio')).toMatchObject({ codec_name: 'aac' });
    const exit = await publisher.exited;
    expect(exit.code, publisher.output()).toBe(0);
  }, 40_000);
});

describeWithPeers(['ffmpeg', 'ffprobe', 'rtmpdump'], "peers against ffmpeg's -listen 1 servers", () => {
  trackProcesses();

  it('the HTTP-FLV viewer helper walks tags from a live HTTP FLV response', async () => {
    const clip = await makeClip(CLIP);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/live/x.flv`;
    const server = startProcess(
      'ffmpeg',
      ['-hide_banner', '-nostdin', '-loglevel', 'warning', '-re', '-i', clip, '-c', 'copy', '-f', 'flv', '-listen', '1', url],
      { name: 'ffmpeg-http-listen' },
    );
    const viewer = await waitFor(
      async () => {
        const v = httpFlvView(url);
        try {
          await v.response;
          return v;
        } catch {
          return null;
        }
      },
      { timeoutMs: 10_000, what: 'ffmpeg to listen for HTTP' },
    );
    expect((await viewer.response).statusCode).toBe(200);
    await waitForVideoFrames(viewer, 30);
    expect(viewer.walker.header?.hasVideo).toBe(true);
    expect(mediaFrames(viewer.tags, 'video')[0]?.keyframe).toBe(true);
    expect(viewer.firstVideoFrameMs()).toBeGreaterThanOrEqual(0);
    // ffmpeg closes the response when the clip ends: the helper reports a clean end.
    expect(await viewer.finished).toBe('end');
    expect(timestampRegressions(viewer.tags, 'video')).toEqual([]);
    expect(mediaFrames(viewer.tags, 'video')).toHaveLength(CLIP.seconds * CLIP.fps);
    await stopProcess(server);
  });

  it('rtmpdump plays from an ffmpeg RTMP server', async () => {
    const clip = await makeClip(CLIP);
    const port = await freePort();
    const url = `rtmp://127.0.0.1:${port}/live/x`;
    startProcess(
      'ffmpeg',
      ['-hide_banner', '-nostdin', '-loglevel', 'warning', '-re', '-i', clip, '-c', 'copy', '-f', 'flv', '-listen', '1', url],
      { name: 'ffmpeg-rtmp-listen' },
    );
    const r = await waitFor(
      async () => {
        const played = await rtmpdumpPlay(url, 2);
        return played.bytes.length > 0 ? played : null;
      },
      { timeoutMs: 15_000, what: 'rtmpdump to get bytes from ffmpeg -listen' },
    );
    expect(r.flvError).toBeUndefined();
    expect(mediaFrames(r.tags, 'video').length).toBeGreaterThan(10);
  });
});
