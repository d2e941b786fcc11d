import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ffmpegDecode, fetchMultivariant, followPlaylist, gstPlayHls, timeSteps } from '../helpers/hls.js';
import { makeClip, scratchSubdir } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { ffprobePackets, ffprobeStreams, httpJson, httpRequest, publishFfmpeg } from '../helpers/players.js';
import { runProcess, stopProcess, trackProcesses, waitFor } from '../helpers/processes.js';
import { type RunningKayak, startKayak, waitForLive } from '../helpers/server.js';
import type { StatusSnapshot } from '../../src/status/status-snapshot.js';

/**
 * HLS made inside kayak-cast from the channel's packets, played by ffprobe, ffmpeg and GStreamer's hlsdemux, with the
 * playlists checked against RFC 8216 across reloads and the cache headers a CDN relies on.
 */
const CLIP = { seconds: 5, width: 640, height: 360, fps: 25, gopSeconds: 1 } as const;

describeWithPeers(['ffmpeg', 'ffprobe', 'gst-hls'], 'HLS from kayak-cast', () => {
  trackProcesses();
  let kayak: RunningKayak;
  let clip: string;

  beforeAll(async () => {
    clip = await makeClip(CLIP);
    kayak = await startKayak({ graceMs: 5_000, hls: { windowSegments: 3 } });
    publishFfmpeg(kayak.rtmpUrl('movie'), clip, { loop: true });
    await waitForLive(kayak, 'movie');
  }, 60_000);

  afterAll(async () => {
    await kayak?.stop();
  });

  it('ffprobe plays the multivariant and the media playlist: H.264 640x360 and AAC', async () => {
    for (const path of ['/live/movie.m3u8', '/live/movie/index.m3u8']) {
      const streams = await ffprobeStreams(kayak.httpUrl(path));
      expect(streams.find((s) => s.codec_type === 'video'), path).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
      expect(streams.find((s) => s.codec_type === 'audio'), path).toMatchObject({ codec_name: 'aac', sample_rate: '44100', channels: 2 });
    }
  });

  it('playlists follow RFC 8216 across reloads; the multivariant one has CODECS, BANDWIDTH, RESOLUTION', async () => {
    const { variants, problems } = await fetchMultivariant(kayak.httpUrl('/live/movie.m3u8'));
    expect(problems).toEqual([]);
    expect(variants).toHaveLength(1);
    const attributes = variants[0]?.attributes ?? {};
    expect(attributes.CODECS).toMatch(/^"avc1\.42c0[0-9a-f]{2},mp4a\.40\.2"$/);
    expect(attributes.RESOLUTION).toBe('640x360');
    expect(Number(attributes.BANDWIDTH)).toBeGreaterThan(500_000);
    expect(variants[0]?.uri).toBe('movie/index.m3u8');
    const followed = await followPlaylist(kayak.httpUrl('/live/movie/index.m3u8'), 9_000);
    expect(followed.checker.problems).toEqual([]);
    expect(followed.segments.length).toBeGreaterThanOrEqual(5);
    // Every segment a reload named could be fetched (a new one is fetched right after the reload that names it).
    expect(followed.segments.filter((s) => s.status !== 200)).toEqual([]);
  });

  it('cache headers: immutable segments with ETags, playlists cached at most half a segment, 304s, HEAD', async () => {
    const media = await httpRequest('GET', kayak.httpUrl('/live/movie/index.m3u8'));
    expect(media.headers['content-type']).toBe('application/vnd.apple.mpegurl');
    const target = Number(/#EXT-X-TARGETDURATION:(\d+)/.exec(media.body)?.[1]);
    const maxAge = Number(/max-age=(\d+)/.exec(media.headers['cache-control'] ?? '')?.[1]);
    expect(maxAge).toBeLessThanOrEqual(target / 2);
    const name = media.body.trim().split('\n').at(-1) as string;
    const segmentUrl = kayak.httpUrl(`/live/movie/${name}`);
    const segment = await httpRequest('GET', segmentUrl);
    expect(segment.status).toBe(200);
    expect(segment.headers['content-type']).toBe('video/mp2t');
    expect(segment.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(Number(segment.headers['content-length']) % 188).toBe(0);
    const etag = segment.headers.etag as string;
    expect(etag).toMatch(/^".+"$/);
    const revalidated = await requestWith(segmentUrl, { 'If-None-Match': etag });
    expect(revalidated.status).toBe(304);
    const mediaAgain = await requestWith(kayak.httpUrl('/live/movie/index.m3u8'), { 'If-None-Match': media.headers.etag as string });
    expect([200, 304]).toContain(mediaAgain.status); // 200 once a new segment has been added
    const head = await httpRequest('HEAD', segmentUrl);
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(segment.headers['content-length']);
    expect(head.body).toBe('');
  });

  it('a segment that left the window is a 404 at once; unknown streams 404, bad keys 400', async () => {
    const first = await httpRequest('GET', kayak.httpUrl('/live/movie/index.m3u8'));
    const oldest = first.body.split('\n').find((line) => line.endsWith('.ts')) as string;
    await waitFor(async () => !(await httpRequest('GET', kayak.httpUrl('/live/movie/index.m3u8'))).body.includes(oldest), { timeoutMs: 15_000, what: `${oldest} to leave the window` });
    const gone = await httpRequest('GET', kayak.httpUrl(`/live/movie/${oldest}`), { timeoutMs: 2_000 });
    expect(gone.status).toBe(404);
    expect(gone.headers['cache-control']).toBe('no-store');
    expect((await httpRequest('GET', kayak.httpUrl('/live/nobody.m3u8'))).status).toBe(404);
    expect((await httpRequest('GET', kayak.httpUrl('/other/movie.m3u8'))).status).toBe(404);
    expect((await httpRequest('GET', kayak.httpUrl('/live/%00bad.m3u8'))).status).toBe(400);
  });

  it('ffmpeg decodes it, and its timestamps run on across a publisher change', async () => {
    const first = publishFfmpeg(kayak.rtmpUrl('swap'), clip, { loop: true });
    await waitForLive(kayak, 'swap');
    const url = kayak.httpUrl('/live/swap.m3u8');
    const probing = ffprobePackets(url, 14, { streams: 'v', timeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 5_000));
    await stopProcess(first);
    publishFfmpeg(kayak.rtmpUrl('swap'), clip, { loop: true });
    const { video } = await probing;
    expect(video.length).toBeGreaterThan(12 * CLIP.fps);
    const { largest: largestGap, notForward } = timeSteps(video.map((p) => p.dtsTime));
    expect(notForward).toEqual([]);
    // The channel timeline resumes one frame after its last packet (audio may run a frame or two ahead of video):
    // no gap of the outage's length, no jump back, no discontinuity.
    expect(largestGap).toBeLessThanOrEqual(3 / CLIP.fps + 0.001);
    const decoded = await ffmpegDecode(url, 4);
    expect(decoded.code, decoded.stderr).toBe(0);
    console.info(`[hls] ${video.length} frames across a publisher change, largest DTS step ${(largestGap * 1000).toFixed(0)} ms`);
  }, 90_000);

  it('GStreamer souphttpsrc ! hlsdemux ! tsdemux plays it: H.264 640x360 and AAC frames come out', async () => {
    const r = await gstPlayHls(kayak.httpUrl('/live/movie.m3u8'));
    expect(r.ok, `${r.videoFrames} video, ${r.audioFrames} audio frames\n${r.output}`).toBe(true);
    expect(r.video).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
    expect(r.audio).toMatchObject({ codec_name: 'aac', sample_rate: '44100', channels: 2 });
  });

  it('an audio-only stream plays as audio-only HLS', async () => {
    const file = join(scratchSubdir('audio-only'), 'tone.flv');
    const made = await runProcess('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=5', '-c:a', 'aac', '-f', 'flv', file], { timeoutMs: 30_000 });
    expect(made.code, made.stderr).toBe(0);
    publishFfmpeg(kayak.rtmpUrl('radio'), file, { loop: true });
    await waitFor(() => kayak.server.status.snapshot().streams.find((s) => s.key === 'radio' && s.audio !== null), { timeoutMs: 15_000, what: 'live/radio' });
    const streams = await ffprobeStreams(kayak.httpUrl('/live/radio.m3u8'));
    expect(streams.map((s) => `${s.codec_type}:${s.codec_name}`)).toEqual(['audio:aac']);
    const { variants } = await fetchMultivariant(kayak.httpUrl('/live/radio.m3u8'));
    expect(variants[0]?.attributes.CODECS).toBe('"mp4a.40.2"');
  });

  it('counts HLS clients in /api/status', async () => {
    await httpRequest('GET', kayak.httpUrl('/live/movie/index.m3u8'));
    const status = await httpJson<StatusSnapshot>(kayak.httpUrl('/api/status'));
    const movie = status.streams.find((s) => s.key === 'movie');
    expect(movie?.viewers.hls).toBeGreaterThanOrEqual(1);
    expect(movie?.viewers.total).toBeGreaterThanOrEqual(movie?.viewers.hls ?? 1);
  });
});

describeWithPeers(['ffmpeg'], 'HLS segmenter lifecycle', () => {
  trackProcesses();
  let kayak: RunningKayak;

  beforeAll(async () => {
    const clip = await makeClip(CLIP);
    kayak = await startKayak({ hls: { idleStopMs: 1_500, maxWaitingRequests: 1 } });
    publishFfmpeg(kayak.rtmpUrl('idle'), clip, { loop: true });
    await waitForLive(kayak, 'idle');
  }, 60_000);

  afterAll(async () => {
    await kayak?.stop();
  });

  it('a second player waiting for the first segment past the limit gets a 503 with Retry-After', async () => {
    const [a, b] = await Promise.all([httpRequest('GET', kayak.httpUrl('/live/idle/index.m3u8')), httpRequest('GET', kayak.httpUrl('/live/idle.m3u8'))]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 503]);
    expect((a.status === 503 ? a : b).headers['retry-after']).toBe('2');
  });

  it('stops segmenting after a quiet spell, freeing the window, and resumes with the sequence going on', async () => {
    // A stop may already have happened before this test (a slow machine between tests): wait for one after `before`.
    const stops = () => kayak.logger.lines.filter((l) => l.message === 'live/idle: HLS stopped (no requests for 2 s)').length;
    const before = await httpRequest('GET', kayak.httpUrl('/live/idle/index.m3u8'));
    const stopsBefore = stops();
    const lastBefore = Number(/-(\d+)\.ts\s*$/.exec(before.body)?.[1]);
    const channel = kayak.server.hub.get('live/idle');
    if (channel === undefined) throw new Error('no channel');
    await waitFor(() => stops() > stopsBefore, { timeoutMs: 10_000, what: 'the idle stop' });
    expect(kayak.server.status.snapshot().streams.find((s) => s.key === 'idle')).toBeDefined();
    const after = await httpRequest('GET', kayak.httpUrl('/live/idle/index.m3u8'));
    expect(after.status).toBe(200);
    const mediaSequence = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(after.body)?.[1]);
    expect(mediaSequence).toBeGreaterThan(lastBefore);
    expect(after.body).toContain('#EXT-X-DISCONTINUITY\n');
  });
});

function requestWith(url: string, headers: Record<string, string>): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    import('node:http').then(({ request }) => {
      const req = request(url, { headers, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
      });
      req.on('error', reject);
      req.end();
    }, reject);
  });
}
