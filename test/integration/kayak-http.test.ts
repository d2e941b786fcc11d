import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StatusSnapshot, StreamStatus, ViewerStatus } from '../../src/status/status-snapshot.js';
import { makeClip } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import {
  httpFlvView,
  httpJson,
  httpRequest,
  publishFfmpeg,
  rtmpdumpPlay,
  waitForVideoFrames,
} from '../helpers/players.js';
import { trackProcesses, waitFor } from '../helpers/processes.js';
import { type RawAnswer, rawExchange } from '../helpers/raw-http.js';
import { startKayak, waitForLive } from '../helpers/server.js';
import type { RunningKayak } from '../helpers/server.js';

/** The HTTP side as clients see it: HTTP-FLV headers, error answers, and the JSON API with real viewers attached. */

/** The answer's head lines without its Date, and the FLV header's 13 bytes. */
async function rawPlay(port: number, parts: string[], options: { after?: string; ms?: number } = {}): Promise<RawAnswer> {
  const answer = await rawExchange(port, parts, { ...options, bodyBytes: 13 });
  return { ...answer, head: answer.head.filter((l) => !l.startsWith('Date: ')) };
}

describeWithPeers(['ffmpeg', 'rtmpdump'], 'kayak-cast HTTP endpoints', () => {
  trackProcesses();
  let kayak: RunningKayak;

  beforeAll(async () => {
    const clip = await makeClip({ seconds: 5, width: 640, height: 360, fps: 25 });
    kayak = await startKayak();
    publishFfmpeg(kayak.rtmpUrl('api'), clip, { loop: true });
    await waitForLive(kayak, 'api');
  }, 60_000);

  afterAll(async () => {
    await kayak?.stop();
  });

  it('HEAD /live/<key>.flv answers 200, video/x-flv, CORS *, with no body', async () => {
    const r = await httpRequest('HEAD', kayak.flvUrl('api'));
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('video/x-flv');
    expect(r.headers['access-control-allow-origin']).toBe('*');
    expect(r.body).toBe('');
  });

  it('answers an HTTP-FLV GET alike whether it came in one read (the front door) or split over two (Node\'s server)', async () => {
    const request = `GET /live/api.flv HTTP/1.1\r\nHost: 127.0.0.1:${kayak.httpPort}\r\nUser-Agent: kayak-test\r\n\r\n`;
    const [whole, split] = await Promise.all([rawPlay(kayak.httpPort, [request]), rawPlay(kayak.httpPort, [request.slice(0, 20), request.slice(20)])]);
    expect(whole.head[0]).toBe('HTTP/1.1 200 OK');
    expect(new Set(whole.head)).toEqual(new Set(split.head));
    expect(whole.head).toContain('Connection: close');
    expect(whole.head.some((l) => /^transfer-encoding/i.test(l))).toBe(false);
    // FLV signature, version 1, audio and video flags, a 9-byte header, then PreviousTagSize0.
    expect(whole.body.toString('hex')).toBe(split.body.toString('hex'));
    expect(whole.body.subarray(0, 3).toString('latin1')).toBe('FLV');
    // A proxy that always sends `Connection: upgrade` (no Upgrade field): a plain GET to Node's parser, and to ours.
    const proxied = request.replace('\r\n\r\n', '\r\nConnection: upgrade\r\n\r\n');
    const [proxiedWhole, proxiedSplit] = await Promise.all([rawPlay(kayak.httpPort, [proxied]), rawPlay(kayak.httpPort, [proxied.slice(0, 20), proxied.slice(20)])]);
    expect(new Set(proxiedWhole.head)).toEqual(new Set(whole.head));
    expect(new Set(proxiedSplit.head)).toEqual(new Set(whole.head));
  });

  it('closes a player that sends bytes after its GET, and only that one', async () => {
    const bystander = httpFlvView(kayak.flvUrl('api'));
    try {
      await waitForVideoFrames(bystander, 3);
      const request = `GET /live/api.flv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
      const chatty = await rawPlay(kayak.httpPort, [request], { after: 'GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n', ms: 2_000 });
      expect(chatty.head[0]).toBe('HTTP/1.1 200 OK');
      expect(chatty.closed).toBe(true);
      await waitForVideoFrames(bystander, 10);
    } finally {
      bystander.close();
    }
  });

  it('GET of an unknown stream answers 404 with a one-line reason', async () => {
    const r = await httpRequest('GET', kayak.flvUrl('nobody-here'));
    expect(r.status).toBe(404);
    expect(r.body.trim()).not.toBe('');
    expect(r.body.trim().split('\n')).toHaveLength(1);
  });

  it('answers 405 to POST on a stream and on the API, 404 for an unknown API stream', async () => {
    expect((await httpRequest('POST', kayak.flvUrl('api'), { body: 'x' })).status).toBe(405);
    expect((await httpRequest('POST', kayak.httpUrl('/api/status'), { body: '{}' })).status).toBe(405);
    const missing = await httpRequest('GET', kayak.httpUrl('/api/streams/live/nobody-here'));
    expect(missing.status).toBe(404);
    expect(missing.body.trim().split('\n')).toHaveLength(1);
  });

  it('/api/status and /api/streams/live/<key> show the stream, its codecs and its viewers by protocol', async () => {
    const flvViewer = httpFlvView(kayak.flvUrl('api'));
    await waitForVideoFrames(flvViewer, 5);
    const rtmpViewer = rtmpdumpPlay(kayak.rtmpUrl('api'), 12);

    const status = await waitFor(
      async () => {
        const s = await httpJson<StatusSnapshot>(kayak.httpUrl('/api/status'));
        const stream = s.streams.find((x) => x.path === 'live/api');
        return stream?.viewers.rtmp === 1 && stream.viewers['http-flv'] === 1 && stream.bitrateIn > 0 ? s : null;
      },
      { timeoutMs: 15_000, intervalMs: 250, what: 'one RTMP and one HTTP-FLV viewer in /api/status' },
    );
    expect(status.server.rtmpPort).toBe(kayak.rtmpPort);
    expect(status.server.httpPort).toBe(kayak.httpPort);
    expect(status.server.pid).toBe(process.pid);
    expect(status.server.memory.rss).toBeGreaterThan(0);
    const stream = status.streams.find((x) => x.path === 'live/api') as StreamStatus;
    expect(stream).toMatchObject({
      app: 'live',
      key: 'api',
      state: 'live',
      publisher: { protocol: 'rtmp' },
      video: { codec: expect.stringMatching(/^(h264|avc1?)$/i), width: 640, height: 360 },
      audio: { codec: expect.stringMatching(/^aac$/i), sampleRate: 44_100, channels: 2 },
      viewers: { rtmp: 1, 'http-flv': 1, total: 2 },
    });
    expect(stream.publisher?.address).toMatch(/127\.0\.0\.1/);
    expect(stream.video?.fps).toBeCloseTo(25, 0);
    const viewers = status.viewers.filter((v) => v.path === 'live/api');
    expect(viewers.map((v) => v.protocol).sort()).toEqual(['http-flv', 'rtmp']);
    for (const v of viewers) expect(v.remoteAddress).toMatch(/127\.0\.0\.1/);

    const one = await httpJson<StreamStatus & { viewerList?: ViewerStatus[] }>(kayak.httpUrl('/api/streams/live/api'));
    expect(one).toMatchObject({ path: 'live/api', state: 'live', viewers: { rtmp: 1, 'http-flv': 1, total: 2 } });
    expect(one.video).toMatchObject({ width: 640, height: 360 });

    // Bytes sent grow while the viewers play.
    const sentBefore = viewers.find((v) => v.protocol === 'http-flv')?.bytesSent ?? 0;
    await waitFor(
      async () => {
        const s = await httpJson<StatusSnapshot>(kayak.httpUrl('/api/status'));
        const v = s.viewers.find((x) => x.path === 'live/api' && x.protocol === 'http-flv');
        return v !== undefined && v.bytesSent > sentBefore;
      },
      { timeoutMs: 5_000, intervalMs: 250, what: 'the HTTP-FLV viewer bytesSent to grow' },
    );

    flvViewer.close();
    await rtmpViewer;
    await waitFor(
      () => kayak.server.status.snapshot().streams.find((x) => x.path === 'live/api' && x.viewers.total === 0),
      { timeoutMs: 10_000, what: 'the viewer counts to go back to 0 after the viewers left' },
    );
  }, 60_000);
});
