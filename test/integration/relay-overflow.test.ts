import { request } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parsePushSpec } from '../../src/server/relay/push-spec.js';
import { makeClip } from '../helpers/media.js';
import { type NginxRtmpEdge, startNginxRtmpEdge } from '../helpers/nginx-rtmp-edge.js';
import { describeWithPeers } from '../helpers/peers.js';
import { ffprobeStreams, httpFlvView, publishFfmpeg, waitForVideoFrames } from '../helpers/players.js';
import type { HttpFlvViewer } from '../helpers/players.js';
import { runProcess, trackProcesses, waitFor } from '../helpers/processes.js';
import { type RunningKayak, startKayak, waitForLive } from '../helpers/server.js';

/**
 * Overflow to an edge: kayak-cast pushes to the README's nginx-rtmp edge (which makes HLS and serves it over HTTP);
 * with --max-viewers 1, the second viewer is sent there with a 302 and plays; RTMP viewers get the edge's URL in the
 * refusal. The edge config is test/fixtures/nginx-rtmp-edge.conf, run as it is.
 */

/** The status line and Location of a GET, without following it. */
function head(url: string, headers: Record<string, string> = {}): Promise<{ status: number; location: string | undefined; overflow: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', agent: false, headers }, (res) => {
      resolve({ status: res.statusCode ?? 0, location: res.headers.location, overflow: res.headers['x-kayak-overflow'] as string | undefined });
      res.destroy();
    });
    req.on('error', reject);
    req.end();
  });
}

describeWithPeers(['ffmpeg', 'ffprobe', 'nginx-rtmp', 'rtmpdump'], 'overflow to an nginx-rtmp edge', () => {
  trackProcesses();
  let edge: NginxRtmpEdge;
  let kayak: RunningKayak;
  let first: HttpFlvViewer;

  beforeAll(async () => {
    edge = await startNginxRtmpEdge();
    kayak = await startKayak({
      push: [parsePushSpec(`rtmp://127.0.0.1:${edge.port}/live/{key}`)],
      overflow: `http://127.0.0.1:${edge.httpPort}/hls/{key}.m3u8`,
      access: { maxViewers: 1 },
    });
    const clip = await makeClip({ seconds: 5, width: 320, height: 240, fps: 25, gopSeconds: 1 });
    publishFfmpeg(kayak.rtmpUrl('movie'), clip, { loop: true });
    await waitForLive(kayak, 'movie');
    first = httpFlvView(kayak.flvUrl('movie'));
    await waitForVideoFrames(first, 10);
    // nginx-rtmp writes its first HLS fragment once it has a couple of seconds of the relayed stream.
    await waitFor(async () => (await head(edge.hlsUrl('movie'))).status === 200 || null, { timeoutMs: 30_000, intervalMs: 500, what: "the edge's HLS playlist" });
  }, 90_000);

  afterAll(async () => {
    first?.close();
    await kayak?.stop();
    await edge?.stop();
  });

  it('redirects a second HLS viewer to the edge, and ffprobe plays it through the redirect', async () => {
    const answer = await head(kayak.httpUrl('/live/movie.m3u8'));
    expect(answer.status).toBe(302);
    expect(answer.location).toBe(edge.hlsUrl('movie'));
    const streams = await ffprobeStreams(kayak.httpUrl('/live/movie.m3u8'), 30_000);
    expect(streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
  }, 60_000);

  it("redirects a second HTTP-FLV viewer to the edge's HLS, which ffprobe plays", async () => {
    const answer = await head(kayak.flvUrl('movie'));
    expect(answer.status).toBe(302);
    expect(answer.location).toBe(edge.hlsUrl('movie'));
    const streams = await ffprobeStreams(kayak.flvUrl('movie'), 30_000);
    expect(streams.find((s) => s.codec_type === 'video')).toMatchObject({ codec_name: 'h264', width: 320 });
  }, 60_000);

  it('tells the watch page where to go instead of redirecting its HEAD, and RTMP players in the refusal', async () => {
    const ask = await head(kayak.flvUrl('movie'), { 'X-Kayak-Ask': 'why' });
    expect(ask.status).toBe(503);
    expect(ask.overflow).toBe(edge.hlsUrl('movie'));
    const rtmp = await runProcess('rtmpdump', ['-r', kayak.rtmpUrl('movie'), '-v', '-V', '-B', '2', '-o', '/dev/null'], { timeoutMs: 20_000, name: 'rtmpdump' });
    expect(`${rtmp.stdout}${rtmp.stderr}`).toContain(`watch at http://127.0.0.1:${edge.httpPort}/hls/movie.m3u8`);
  }, 40_000);

  it('counts the viewers sent to the edge in the status, beside the refusals', async () => {
    const access = kayak.server.status.snapshot().access;
    expect(access?.overflowed).toBeGreaterThanOrEqual(3);
    expect(access?.refusals['max-viewers']).toBeGreaterThanOrEqual(3);
    expect(kayak.server.status.snapshot().streams[0]?.viewers.total).toBe(1);
  });
});
