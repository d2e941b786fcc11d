import type { IncomingMessage, Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeClip } from '../helpers/media.js';
import { type NginxHlsCache, startNginxHlsCache } from '../helpers/nginx-hls-cache.js';
import { describeWithPeers } from '../helpers/peers.js';
import { ffprobeStreams, httpRequest, publishFfmpeg } from '../helpers/players.js';
import { trackProcesses } from '../helpers/processes.js';
import { type RunningKayak, startKayak, waitForLive } from '../helpers/server.js';

/**
 * test/fixtures/nginx-hls-cache.conf in front of kayak-cast: 100 HLS clients (each reloading the playlist about once a
 * second and fetching every new segment, as a player does) go through nginx, and kayak-cast sees about one request per
 * segment and about one playlist request per max-age.
 */
const CLIENTS = 100;
const WATCH_MS = 14_000;

describeWithPeers(['ffmpeg', 'ffprobe', 'nginx'], 'HLS behind an nginx cache', () => {
  trackProcesses();
  let kayak: RunningKayak;
  let nginx: NginxHlsCache;
  const upstream: string[] = [];

  beforeAll(async () => {
    const clip = await makeClip({ seconds: 5, width: 320, height: 240, fps: 25, gopSeconds: 1 });
    kayak = await startKayak();
    // Every request that reaches kayak-cast, counted where it arrives.
    (kayak.server as unknown as { http: Server }).http.on('request', (req: IncomingMessage) => upstream.push(req.url ?? ''));
    nginx = await startNginxHlsCache(kayak.httpPort);
    publishFfmpeg(kayak.rtmpUrl('cached'), clip, { loop: true });
    await waitForLive(kayak, 'cached');
  }, 60_000);

  afterAll(async () => {
    await nginx?.stop();
    await kayak?.stop();
  });

  it('a player plays through the cache', async () => {
    const streams = await ffprobeStreams(nginx.url('/live/cached.m3u8'));
    expect(streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
  });

  it(`serves ${CLIENTS} clients while kayak-cast sees about one request per segment`, async () => {
    const first = await httpRequest('GET', nginx.url('/live/cached/index.m3u8'));
    expect(first.status, first.body).toBe(200);
    upstream.length = 0;
    const end = Date.now() + WATCH_MS;
    const perClient = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => watch(nginx.url('/live/cached/index.m3u8'), end, i)));
    const segmentsUpstream = upstream.filter((u) => u.endsWith('.ts'));
    const playlistsUpstream = upstream.filter((u) => u.endsWith('.m3u8'));
    const distinctSegments = new Set(perClient.flatMap((c) => c.segments));
    const clientRequests = perClient.reduce((n, c) => n + c.requests, 0);
    const failures = perClient.flatMap((c) => c.failures);
    console.info(
      `[nginx-cache] ${CLIENTS} clients made ${clientRequests} requests for ${distinctSegments.size} segments; kayak-cast saw ${segmentsUpstream.length} segment and ${playlistsUpstream.length} playlist requests in ${WATCH_MS / 1000} s`,
    );
    expect(failures).toEqual([]);
    expect(distinctSegments.size).toBeGreaterThanOrEqual(5);
    // Each client kept up (on a loaded 2-core machine a client can fall a couple of segments behind its peers).
    for (const c of perClient) expect(c.segments.length).toBeGreaterThanOrEqual(Math.ceil(distinctSegments.size / 2));
    // About one request per segment (segments cached before the window began are not asked for at all): none more
    // than twice (a fetch racing the cache's first fill), and the segments made during the window did reach nginx.
    const perSegment = new Map<string, number>();
    for (const url of segmentsUpstream) perSegment.set(url, (perSegment.get(url) ?? 0) + 1);
    expect([...perSegment.values()].filter((n) => n > 2)).toEqual([]);
    expect(perSegment.size).toBeGreaterThanOrEqual(WATCH_MS / 1000 / 2 - 2);
    // Playlists: max-age=1, so about one per second (plus revalidations), not one per client per second.
    expect(playlistsUpstream.length).toBeLessThanOrEqual((WATCH_MS / 1000) * 3);
    expect(clientRequests).toBeGreaterThan(20 * (segmentsUpstream.length + playlistsUpstream.length));
  }, 60_000);
});

/** One client: reload the playlist about once a second, GET each segment not fetched yet. */
async function watch(playlistUrl: string, end: number, index: number): Promise<{ segments: string[]; requests: number; failures: string[] }> {
  const segments: string[] = [];
  const failures: string[] = [];
  let requests = 0;
  await new Promise((r) => setTimeout(r, (index * 10) % 1000));
  while (Date.now() < end) {
    const playlist = await httpRequest('GET', playlistUrl);
    requests++;
    if (playlist.status !== 200) failures.push(`playlist ${playlist.status}`);
    for (const line of playlist.body.split('\n')) {
      if (!line.endsWith('.ts') || segments.includes(line)) continue;
      const segment = await httpRequest('GET', new URL(line, playlistUrl).toString());
      requests++;
      if (segment.status !== 200) failures.push(`${line} ${segment.status}`);
      segments.push(line);
    }
    await new Promise((r) => setTimeout(r, 900 + ((index * 37) % 200)));
  }
  return { segments, requests, failures };
}
