import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeClip, mediaFrames } from '../helpers/media.js';
import { wsRefusal as refusal, wsRefusalAnswer, wsView } from '../helpers/ws-client.js';
import { describeWithPeers } from '../helpers/peers.js';
import { publishFfmpeg } from '../helpers/players.js';
import { type RawAnswer, rawExchange } from '../helpers/raw-http.js';
import { startProcess, stopProcess, trackProcesses, waitFor } from '../helpers/processes.js';
import { type RunningKayak, startKayak, waitForLive } from '../helpers/server.js';

/** An opening handshake over a raw socket, whole or split over two reads: the answer's head lines and first frame. */
function rawHandshake(port: number, path: string, split: boolean): Promise<RawAnswer> {
  const request = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;
  return rawExchange(port, split ? [request.slice(0, 30), request.slice(30)] : [request], { ms: 800, bodyBytes: 2 + 13 });
}

/** The per-viewer queue, small so a stalled WebSocket viewer is cut off within seconds. */
const QUEUE = { maxBytes: 512 * 1024, resumeBytes: 64 * 1024, maxBehindMs: 3_000 };

describeWithPeers(['ffmpeg'], 'WebSocket-FLV', () => {
  trackProcesses();
  let kayak: RunningKayak;
  let clip: string;
  const wsUrl = (key: string) => `ws://127.0.0.1:${kayak.httpPort}/live/${key}.flv`;

  beforeAll(async () => {
    [kayak, clip] = await Promise.all([startKayak({ queueLimits: QUEUE }), makeClip({ seconds: 4, width: 320, height: 240, fps: 25 })]);
  });

  afterAll(async () => {
    await kayak?.stop();
  });

  it('sends the FLV header, then one FLV tag per message, byte for byte what HTTP-FLV sends', async () => {
    publishFfmpeg(kayak.rtmpUrl('same'), clip, { loop: true });
    await waitForLive(kayak, 'same');
    const httpBytes: Buffer[] = [];
    const req = request(kayak.flvUrl('same'), { agent: false }, (res) => res.on('data', (c: Buffer) => httpBytes.push(c)));
    req.on('error', () => {});
    req.end();
    const view = wsView(wsUrl('same'));
    await waitFor(() => mediaFrames(view.walker.tags, 'video').length >= 50, { timeoutMs: 15_000, what: '50 video frames over WS-FLV' });
    expect(kayak.server.status.stream('live/same')?.viewers).toMatchObject({ 'ws-flv': 1, 'http-flv': 1, total: 2 });
    expect(kayak.server.status.snapshot().viewers.some((v) => v.protocol === 'ws-flv' && v.bytesSent > 0)).toBe(true);
    view.ws.close();
    await view.closed;
    await new Promise((r) => setTimeout(r, 300));
    req.destroy();

    expect(view.walker.error).toBeUndefined();
    const [header, ...tags] = view.messages;
    expect(header?.length).toBe(13);
    expect(header?.subarray(0, 3).toString()).toBe('FLV');
    for (const tag of tags) {
      // 11-byte tag header + DataSize + 4-byte PreviousTagSize (FLV spec E.3, E.4.1)
      expect(tag.length).toBe(11 + tag.readUIntBE(1, 3) + 4);
    }
    const http = Buffer.concat(httpBytes);
    const lateTags = tags.slice(-20);
    for (const tag of lateTags) expect(http.indexOf(tag)).toBeGreaterThan(0);
    await waitFor(() => kayak.server.status.stream('live/same')?.viewers['ws-flv'] === 0, { timeoutMs: 5_000, what: 'the WS viewer to be removed' });
  });

  it('answers a handshake alike whether it came in one read (the HTTP front door) or split over two (Node\'s upgrade event)', async () => {
    publishFfmpeg(kayak.rtmpUrl('door'), clip, { loop: true });
    await waitForLive(kayak, 'door');
    const [whole, split] = await Promise.all([rawHandshake(kayak.httpPort, '/live/door.flv', false), rawHandshake(kayak.httpPort, '/live/door.flv', true)]);
    expect(whole.head[0]).toBe('HTTP/1.1 101 Switching Protocols');
    // RFC 6455 1.3's own example key and answer.
    expect(whole.head).toContain('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    expect(new Set(whole.head)).toEqual(new Set(split.head));
    // A binary frame (FIN, opcode 2) of 13 bytes: the FLV header and PreviousTagSize0.
    expect(whole.body.subarray(0, 2).toString('hex')).toBe('820d');
    expect(whole.body.toString('hex')).toBe(split.body.toString('hex'));
    const [missingWhole, missingSplit] = await Promise.all([rawHandshake(kayak.httpPort, '/live/nobody.flv', false), rawHandshake(kayak.httpPort, '/live/nobody.flv', true)]);
    expect(missingWhole.head[0]).toBe('HTTP/1.1 404 Not Found');
    expect(missingWhole.head).toEqual(missingSplit.head);
  });

  it('refuses unknown streams, bad keys and other paths with a plain HTTP answer', async () => {
    expect(await refusal(wsUrl('nobody'))).toBe(404);
    expect(await refusal(`ws://127.0.0.1:${kayak.httpPort}/other/nobody.flv`)).toBe(404);
    expect(await refusal(`ws://127.0.0.1:${kayak.httpPort}/api/status`)).toBe(404);
    expect(await refusal(`ws://127.0.0.1:${kayak.httpPort}/live/%ZZ.flv`)).toBe(400);
  });

  it('answers pings, echoes the client\'s close, and fails a connection that breaks the protocol with 1002', async () => {
    publishFfmpeg(kayak.rtmpUrl('talk'), clip, { loop: true });
    await waitForLive(kayak, 'talk');
    const viewers = () => kayak.server.status.stream('live/talk')?.viewers['ws-flv'] ?? 0;
    // The ws package as the client: a ping gets its pong, a message is taken and ignored, a close is echoed.
    const view = wsView(wsUrl('talk'));
    await waitFor(() => mediaFrames(view.walker.tags, 'video').length >= 2, { timeoutMs: 10_000, what: 'frames' });
    const pong = new Promise<string>((resolve) => view.ws.once('pong', (data: Buffer) => resolve(data.toString())));
    view.ws.ping('are you there');
    expect(await pong).toBe('are you there');
    view.ws.send('hello');
    view.ws.close(4000, 'going to bed');
    expect(await view.closed).toEqual({ code: 4000, reason: '' });
    await waitFor(() => viewers() === 0 || null, { timeoutMs: 5_000, what: 'the closed viewer to leave' });

    // A raw client sends an unmasked frame (RFC 6455 5.1): a close frame with 1002 and its reason, then the end.
    const raw = connect({ host: '127.0.0.1', port: kayak.httpPort });
    const chunks: Buffer[] = [];
    raw.on('data', (chunk: Buffer) => chunks.push(chunk));
    const ended = new Promise<void>((resolve) => raw.once('end', resolve));
    raw.write(
      'GET /live/talk.flv HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await waitFor(() => viewers() === 1 || null, { timeoutMs: 5_000, what: 'the raw viewer to join' });
    raw.write(Buffer.from([0x82, 0x02, 0x01, 0x02]));
    await ended;
    raw.destroy();
    const bytes = Buffer.concat(chunks);
    const reason = 'client frames must be masked';
    const close = Buffer.concat([Buffer.from([0x88, 2 + reason.length, 0x03, 0xea]), Buffer.from(reason)]);
    expect(bytes.subarray(bytes.length - close.length)).toEqual(close);
    expect(bytes.toString('latin1')).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n.*Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/s);
    await waitFor(() => viewers() === 0 || null, { timeoutMs: 5_000, what: 'the failed viewer to leave' });
    expect(kayak.logger.lines.some((l) => /ws-flv .*: client frames must be masked: closed \(1002\)/.test(l.message))).toBe(true);

    // An unknown version is told the one served (RFC 6455 4.2.2).
    const answer = await wsRefusalAnswer(wsUrl('talk'), { protocolVersion: 8 });
    expect(answer.status).toBe(426);
    expect(answer.headers['sec-websocket-version']).toBe('13');
  });

  it('ends the WebSocket with a close frame when the stream ends', async () => {
    const publisher = publishFfmpeg(kayak.rtmpUrl('ends'), clip, { loop: true });
    await waitForLive(kayak, 'ends');
    const view = wsView(wsUrl('ends'));
    await waitFor(() => mediaFrames(view.walker.tags, 'video').length >= 5, { timeoutMs: 10_000, what: 'frames' });
    await stopProcess(publisher);
    // The publisher does not come back: after the 2 s grace period the stream ends and the viewer is told so.
    const closed = await Promise.race([view.closed, new Promise<undefined>((r) => setTimeout(() => r(undefined), 10_000))]);
    expect(closed?.code).toBe(1000);
  });

  it('cuts off a WebSocket viewer that stops reading, under the same queue policy as HTTP-FLV', async () => {
    startProcess(
      'ffmpeg',
      ['-hide_banner', '-nostdin', '-loglevel', 'warning', '-stream_loop', '-1', '-i', clip, '-c', 'copy', '-f', 'flv', kayak.rtmpUrl('flood')],
      { name: 'ffmpeg-flood' },
    );
    await waitForLive(kayak, 'flood');
    const stalled = connect({ host: '127.0.0.1', port: kayak.httpPort });
    stalled.on('error', () => {});
    stalled.write(
      'GET /live/flood.flv HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    stalled.pause();
    const address = await waitFor(() => {
      const v = kayak.server.status.snapshot().viewers.find((x) => x.protocol === 'ws-flv' && x.path === 'live/flood');
      return v?.id;
    }, { timeoutMs: 10_000, what: 'the stalled WS viewer to join' });
    try {
      await waitFor(() => !kayak.server.status.snapshot().viewers.some((v) => v.id === address), {
        timeoutMs: QUEUE.maxBehindMs + 20_000,
        what: 'the server to cut the stalled WS viewer off',
      });
    } finally {
      stalled.destroy();
    }
    expect(kayak.logger.lines.some((l) => /ws-flv .* fell behind/.test(l.message))).toBe(true);
  }, 40_000);
});
