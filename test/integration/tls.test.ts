import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/status/status-snapshot.js';
import { makeClip, mediaFrames } from '../helpers/media.js';
import type { RunningNginx } from '../helpers/nginx.js';
import { startNginxTlsProxy } from '../helpers/nginx-proxy.js';
import { describeWithPeers } from '../helpers/peers.js';
import { ffprobeStreams, httpFlvView, publishFfmpeg, waitForVideoFrames } from '../helpers/players.js';
import { runProcess, trackProcesses, waitFor } from '../helpers/processes.js';
import { type RunningKayak, startKayak, waitForLive } from '../helpers/server.js';
import { rawExchange } from '../helpers/raw-http.js';
import { selfSignedCertificate } from '../helpers/tls.js';
import { wsView } from '../helpers/ws-client.js';

/**
 * TLS with a self-signed certificate made at test time: RTMPS (ffmpeg publishing, ffprobe playing), HTTPS (ffprobe,
 * curl), WebSocket-FLV as wss; and nginx as a TLS reverse proxy in front of the plain HTTP port, as the README shows.
 */

async function curl(url: string, headers: string[] = []): Promise<{ code: number | null; body: string }> {
  const r = await runProcess('curl', ['-sS', '-k', '--max-time', '10', ...headers.flatMap((h) => ['-H', h]), url], { timeoutMs: 15_000, name: 'curl' });
  return { code: r.code, body: r.stdout + r.stderr };
}

describeWithPeers(['ffmpeg', 'ffprobe', 'openssl', 'curl'], 'TLS: RTMPS and HTTPS', () => {
  trackProcesses();
  let kayak: RunningKayak;
  let clip: string;

  beforeAll(async () => {
    const [certificate, made] = await Promise.all([selfSignedCertificate(), makeClip({ seconds: 4, width: 320, height: 240, fps: 25 })]);
    clip = made;
    kayak = await startKayak({ tls: { cert: certificate.cert, key: certificate.key }, rtmpsPort: 0 });
  }, 60_000);

  afterAll(async () => {
    await kayak?.stop();
  });

  it('ffmpeg publishes over RTMPS; ffprobe plays it over RTMPS and over HTTPS', async () => {
    const rtmps = `rtmps://127.0.0.1:${kayak.server.rtmpsPort}/live`;
    publishFfmpeg(`${rtmps}/secure`, clip, { loop: true });
    const live = await waitForLive(kayak, 'secure');
    expect(live.publisher?.protocol).toBe('rtmp');
    for (const url of [`${rtmps}/secure`, `https://127.0.0.1:${kayak.httpPort}/live/secure.flv`]) {
      const streams = await ffprobeStreams(url);
      expect(streams.map((s) => s.codec_type).sort(), url).toEqual(['audio', 'video']);
      expect(streams.find((s) => s.codec_type === 'video')?.width).toBe(320);
    }
  }, 60_000);

  it('answers an HTTPS FLV GET alike in one read (the front door: a byte after it closes it) and split over two (Node\'s server)', async () => {
    publishFfmpeg(`rtmps://127.0.0.1:${kayak.server.rtmpsPort}/live/secure-door`, clip, { loop: true });
    await waitForLive(kayak, 'secure-door');
    const request = `GET /live/secure-door.flv HTTP/1.1\r\nHost: 127.0.0.1:${kayak.httpPort}\r\n\r\n`;
    const [whole, split] = await Promise.all([
      rawExchange(kayak.httpPort, [request], { tls: true, after: 'x', ms: 2_000, bodyBytes: 3 }),
      rawExchange(kayak.httpPort, [request.slice(0, 20), request.slice(20)], { tls: true, ms: 2_000, bodyBytes: 3 }),
    ]);
    const withoutDate = (head: string[]) => new Set(head.filter((l) => !l.startsWith('Date: ')));
    expect(whole.head[0]).toBe('HTTP/1.1 200 OK');
    expect(withoutDate(whole.head)).toEqual(withoutDate(split.head));
    expect(whole.body.toString('latin1')).toBe('FLV');
    expect(split.body.toString('latin1')).toBe('FLV');
    expect(whole.closed).toBe(true);
    expect(split.closed).toBe(false);
  });

  it('curl reads the API over HTTPS; the status names the TLS ports; plain HTTP on the HTTPS port gets nowhere', async () => {
    const status = await curl(`https://127.0.0.1:${kayak.httpPort}/api/status`);
    expect(status.code, status.body).toBe(0);
    const snapshot = JSON.parse(status.body) as StatusSnapshot;
    expect(snapshot.server).toMatchObject({ tls: true, rtmpsPort: kayak.server.rtmpsPort });
    const plain = await curl(`http://127.0.0.1:${kayak.httpPort}/api/status`);
    expect(plain.body).not.toContain('"streams"');
  });

  it('WebSocket-FLV over wss', async () => {
    publishFfmpeg(`rtmps://127.0.0.1:${kayak.server.rtmpsPort}/live/secure-ws`, clip, { loop: true });
    await waitForLive(kayak, 'secure-ws');
    const view = wsView(`wss://127.0.0.1:${kayak.httpPort}/live/secure-ws.flv`, { rejectUnauthorized: false });
    await waitFor(() => mediaFrames(view.walker.tags, 'video').length >= 10, { timeoutMs: 15_000, what: 'frames over wss' });
    view.ws.close();
  });
});

describeWithPeers(['ffmpeg', 'ffprobe', 'openssl', 'curl', 'nginx'], 'nginx as a TLS reverse proxy in front', () => {
  trackProcesses();
  let kayak: RunningKayak;
  let nginx: RunningNginx & { url(path: string): string };

  beforeAll(async () => {
    const [certificate, clip] = await Promise.all([selfSignedCertificate(), makeClip({ seconds: 4, width: 320, height: 240, fps: 25 })]);
    kayak = await startKayak();
    nginx = await startNginxTlsProxy(kayak.httpPort, certificate.certPath, certificate.keyPath);
    publishFfmpeg(kayak.rtmpUrl('proxied'), clip, { loop: true });
    await waitForLive(kayak, 'proxied');
  }, 60_000);

  afterAll(async () => {
    await nginx?.stop();
    await kayak?.stop();
  });

  it('plays HTTP-FLV (ffprobe) and WebSocket-FLV (wss) through nginx', async () => {
    const streams = await ffprobeStreams(nginx.url('/live/proxied.flv'));
    expect(streams.map((s) => s.codec_type).sort(), nginx.errorLog()).toEqual(['audio', 'video']);
    const view = wsView(`wss://127.0.0.1:${nginx.port}/live/proxied.flv`, { rejectUnauthorized: false });
    await waitFor(() => mediaFrames(view.walker.tags, 'video').length >= 10, { timeoutMs: 15_000, what: `frames over wss through nginx\n${nginx.errorLog()}` });
    view.ws.close();
  }, 60_000);

  it('a request through the proxy is not a local caller: no addresses, and the viewer is named by its forwarded address', async () => {
    const viewer = httpFlvView(kayak.flvUrl('proxied'));
    await waitForVideoFrames(viewer, 5);
    const through = await curl(nginx.url('/api/status'));
    expect(through.code, through.body).toBe(0);
    const snapshot = JSON.parse(through.body) as StatusSnapshot;
    expect(snapshot.view).toBe('public');
    expect(snapshot.viewers).toEqual([]);
    expect(through.body).not.toMatch(/127\.0\.0\.1/);
    // The same server asked directly from this machine shows the addresses.
    expect((JSON.parse((await curl(kayak.httpUrl('/api/status'))).body) as StatusSnapshot).view).toBe('full');
    viewer.close();
  });
});
