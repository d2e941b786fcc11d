import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BufferBuilder } from '../helpers/buffer-builder.js';
import { makeClip, mediaFrames } from '../helpers/media.js';
import type { FlvTag } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { httpFlvView, publishFfmpeg, waitForVideoFrames } from '../helpers/players.js';
import type { HttpFlvViewer } from '../helpers/players.js';
import { sleep, trackProcesses, waitFor } from '../helpers/processes.js';
import type { ManagedProcess } from '../helpers/processes.js';
import { RawClient, amfString, chunked, type0Header } from '../helpers/raw-rtmp.js';
import { startKayak, waitForLive } from '../helpers/server.js';
import { expectSteadyStreamUnharmed as steadyStreamUnharmed } from '../helpers/steady-stream.js';
import type { RunningKayak } from '../helpers/server.js';

/**
 * Regression tests for issue 8: each crash and blow-up an outside probe found, replayed against a server with a
 * real publisher and a real viewer, which must keep going. Limits are set low here so each is crossed in seconds;
 * the defaults are in src/server/limits.ts.
 */

const MESSAGE_DEADLINE_MS = 1_500;
const ROLE_DEADLINE_MS = 3_000;
const SERVER_BUFFERED_BYTES = 512 * 1024;
/** Viewers that stop reading are cut off after this long behind (the default is 15 s). */
const MAX_BEHIND_MS = 2_000;
/** Bytes all viewers' own queues may hold together (the default is 32 MiB). */
const VIEWER_BACKLOG_BYTES = 4 * 1024 * 1024;
const RESUME_BYTES = 64 * 1024;

/** An AMF0 `connect` command (RTMP 7.2.1.1) for app `app`, transaction 1. */
function connectCommand(app: string): Buffer {
  const b = amfString(new BufferBuilder(), 'connect').u8(0x00).f64be(1);
  b.u8(0x03).u16be(3).utf8('app');
  amfString(b, app);
  b.u16be(0).u8(0x09);
  return chunked(3, 20, b.build(), 4096);
}

/** An AMF0 command `name` (RTMP 7.2): transaction 0, a null command object, then `args`, on message stream 1. */
function streamCommand(name: string, ...args: (string | number)[]): Buffer {
  const b = amfString(new BufferBuilder(), name).u8(0x00).f64be(0).u8(0x05);
  for (const arg of args) {
    if (typeof arg === 'string') amfString(b, arg);
    else b.u8(0x00).f64be(arg);
  }
  const payload = b.build();
  return type0Header(8, payload.length, 20, 1).bytes(payload).build();
}

/** Set Chunk Size (type 1) to 4096, so the commands above travel as one chunk each. */
const SET_CHUNK_SIZE = type0Header(2, 4, 1).u32be(4096).build();

/** A raw HTTP exchange: writes `request` as is, returns everything the server sent until it closed or `ms` passed. */
function rawHttp(port: number, request: string, ms = 1_500): Promise<{ text: string; bytes: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let closed = false;
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => {});
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.on('connect', () => socket.write(request));
    const timer = setTimeout(finish, ms);
    let done = false;
    function finish(): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const bytes = Buffer.concat(chunks);
      resolve({ text: bytes.toString('latin1'), bytes, closed });
    }
  });
}

/** The longest wait between two consecutive tags from index `from` on (arrival times, ms). */
function longestGap(tags: readonly FlvTag[], from: number): number {
  let gap = 0;
  for (let i = Math.max(1, from); i < tags.length; i++) gap = Math.max(gap, (tags[i] as FlvTag).receivedAt - (tags[i - 1] as FlvTag).receivedAt);
  return gap;
}

describeWithPeers(['ffmpeg'], 'kayak-cast survives what crashed or ballooned it (issue 8)', () => {
  trackProcesses();
  let kayak: RunningKayak;
  let publisher: ManagedProcess;
  let watcher: HttpFlvViewer;
  const clients: RawClient[] = [];
  const sockets: Socket[] = [];

  const open = async (): Promise<RawClient> => {
    const c = await RawClient.open(kayak.rtmpPort);
    clients.push(c);
    return c;
  };

  const logFor = (c: RawClient): string[] =>
    kayak.logger.lines.filter((l) => l.message.includes(`127.0.0.1:${c.localPort} `)).map((l) => l.message);

  const expectSteadyStreamUnharmed = (): Promise<void> => steadyStreamUnharmed(publisher, watcher);

  beforeAll(async () => {
    const clip = await makeClip({ seconds: 5, width: 640, height: 360, fps: 25 });
    kayak = await startKayak({
      messageDeadlineMs: MESSAGE_DEADLINE_MS,
      roleDeadlineMs: ROLE_DEADLINE_MS,
      serverBufferedBytes: SERVER_BUFFERED_BYTES,
      viewerBacklogBytes: VIEWER_BACKLOG_BYTES,
      queueLimits: { maxBytes: 2 * 1024 * 1024, resumeBytes: RESUME_BYTES, maxBehindMs: MAX_BEHIND_MS },
    });
    publisher = publishFfmpeg(kayak.rtmpUrl('steady'), clip, { loop: true });
    await waitForLive(kayak, 'steady');
    watcher = httpFlvView(kayak.flvUrl('steady'));
    await waitForVideoFrames(watcher, 10);
  }, 60_000);

  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy();
    for (const s of sockets.splice(0)) s.destroy();
  });

  afterAll(async () => {
    watcher?.close();
    await kayak?.stop();
  });

  it.each([
    ['GET //', 'GET // HTTP/1.1', /^HTTP\/1\.1 404 /],
    ['OPTIONS //', 'OPTIONS // HTTP/1.1', /^HTTP\/1\.1 204 /],
    ['GET //[', 'GET //[ HTTP/1.1', /^HTTP\/1\.1 404 /],
    ['GET http://[/', 'GET http://[/ HTTP/1.1', /^HTTP\/1\.1 400 /],
    ['a target that is not a path', 'GET live/steady.flv HTTP/1.1', /^HTTP\/1\.1 400 /],
  ])('answers %s instead of crashing on an invalid URL', async (_name, line, expected) => {
    const r = await rawHttp(kayak.httpPort, `${line}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    expect(r.text).toMatch(expected);
    await expectSteadyStreamUnharmed();
  });

  it('answers an HTTP-FLV request pipelined behind another one, after it, in order', async () => {
    const request = 'GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /live/steady.flv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
    const r = await rawHttp(kayak.httpPort, request, 2_000);
    const first = r.text.indexOf('HTTP/1.1 200');
    const second = r.text.indexOf('HTTP/1.1 200', first + 1);
    expect(first, r.text.slice(0, 300)).toBe(0);
    expect(r.text.slice(0, second)).toContain('"streams"');
    expect(second).toBeGreaterThan(0);
    const body = r.text.indexOf('\r\n\r\n', second) + 4;
    expect(r.text.slice(second, body)).toContain('video/x-flv');
    expect(r.bytes.subarray(body, body + 3).toString('latin1'), 'the FLV header follows its own response head').toBe('FLV');
    await expectSteadyStreamUnharmed();
  });

  it('closes a client that sends commands and never reads the replies, holding at most the reply budget', async () => {
    const c = await open();
    await c.handshake();
    c.socket.pause();
    c.write(SET_CHUNK_SIZE);
    const command = connectCommand('live');
    const batch = Buffer.concat(Array.from({ length: 2_000 }, () => command));
    // A paused socket hears of nothing, its close included: watch the server's log instead.
    const refused = (): boolean => logFor(c).some((line) => /does not read its replies/.test(line));
    let sent = 0;
    while (!refused() && !c.socket.destroyed && sent < 400_000) {
      if (!c.socket.write(batch)) await Promise.race([new Promise((resolve) => c.socket.once('drain', resolve)), sleep(1_000)]);
      sent += 2_000;
    }
    await waitFor(() => refused() || null, { timeoutMs: 10_000, what: `the server to close the flooding client (${sent} commands sent)` });
    c.socket.resume();
    expect(await c.closesWithin(10_000)).toBe(true);
    await expectSteadyStreamUnharmed();
  }, 60_000);

  it('leaves no viewer behind when a player that never reads is closed in the middle of a play', async () => {
    // A small viewer queue makes the reply budget small (replies may wait up to 64 KiB plus the queue): one read of
    // plays and deleteStreams passes it, and the play during which it does fails the connection.
    const clip = await makeClip({ seconds: 5, width: 640, height: 360, fps: 25 });
    const small = await startKayak({ queueLimits: { maxBytes: 16 * 1024, resumeBytes: 8 * 1024, maxBehindMs: MAX_BEHIND_MS } });
    try {
      publishFfmpeg(small.rtmpUrl('tiny'), clip, { loop: true });
      await waitForLive(small, 'tiny');
      const c = await RawClient.open(small.rtmpPort);
      clients.push(c);
      await c.handshake();
      c.socket.pause();
      const pair = Buffer.concat([streamCommand('play', 'tiny'), streamCommand('deleteStream', 1)]);
      c.write(Buffer.concat([SET_CHUNK_SIZE, connectCommand('live'), ...Array.from({ length: 600 }, () => pair)]));
      await waitFor(() => small.logger.lines.some((l) => /does not read its replies/.test(l.message)) || null, { timeoutMs: 10_000, what: 'the server to close the player' });
      c.socket.resume();
      expect(await c.closesWithin(10_000)).toBe(true);
      await sleep(200);
      expect(small.server.status.stream('live/tiny')?.viewers.rtmp).toBe(0);
    } finally {
      await small.stop();
    }
  }, 60_000);

  it('holds no idle timer on a connection while it plays, and closes it once it has stopped playing and gone quiet', async () => {
    const clip = await makeClip({ seconds: 5, width: 640, height: 360, fps: 25 });
    const quick = await startKayak({ idleTimeoutMs: 500 });
    try {
      publishFfmpeg(quick.rtmpUrl('quiet'), clip, { loop: true });
      await waitForLive(quick, 'quiet');
      const c = await RawClient.open(quick.rtmpPort);
      clients.push(c);
      await c.handshake();
      c.write(Buffer.concat([SET_CHUNK_SIZE, connectCommand('live'), streamCommand('play', 'quiet')]));
      // Well past the idle timeout while playing: the stream's writes keep it alive either way, the player sends nothing.
      expect(await c.closesWithin(1_500)).toBe(false);
      expect(quick.server.status.stream('live/quiet')?.viewers.rtmp).toBe(1);
      c.write(streamCommand('deleteStream', 1));
      expect(await c.closesWithin(3_000)).toBe(true);
      expect(quick.logger.lines.some((l) => /closed: idle timeout/.test(l.message))).toBe(true);
    } finally {
      await quick.stop();
    }
  }, 60_000);

  it('refuses a message larger than a command before the connection publishes, without buffering it', async () => {
    const c = await open();
    await c.handshake();
    c.write(type0Header(3, 1024 * 1024, 20).zeros(60_000).build());
    expect(await c.closesWithin(5_000)).toBe(true);
    expect(logFor(c).join('\n')).toMatch(/MESSAGE_TOO_LARGE/);
    await expectSteadyStreamUnharmed();
  });

  it('keeps the bytes all unfinished messages hold together under the server-wide budget', async () => {
    // Each holds 50 kB of a 60 kB command: twelve would hold 600 kB, over the 512 KiB budget.
    const held: RawClient[] = [];
    for (let i = 0; i < 12; i++) {
      const c = await open();
      await c.handshake();
      c.write(SET_CHUNK_SIZE);
      c.write(chunked(3, 20, Buffer.alloc(60_000), 4096).subarray(0, 50_000));
      held.push(c);
      await sleep(50);
    }
    await sleep(300);
    const closed = held.filter((c) => c.closedAfterMs !== undefined);
    expect(closed.length, 'the connections past the budget are closed').toBeGreaterThanOrEqual(2);
    expect(closed.length, 'the others are not').toBeLessThanOrEqual(4);
    for (const c of closed) expect(logFor(c).join('\n')).toMatch(/budget/);
    await expectSteadyStreamUnharmed();
  });

  it('closes a connection whose message does not complete in time, however it keeps the line busy', async () => {
    const c = await open();
    await c.handshake();
    c.write(SET_CHUNK_SIZE);
    c.write(chunked(3, 20, Buffer.alloc(30_000), 4096).subarray(0, 10_000));
    // An Acknowledgement (type 3, 4 bytes) on another chunk stream every 200 ms: complete messages, traffic both ways.
    const ack = type0Header(2, 4, 3).u32be(0).build();
    const keepBusy = setInterval(() => c.write(ack), 200);
    try {
      expect(await c.closesWithin(MESSAGE_DEADLINE_MS + 4_000)).toBe(true);
    } finally {
      clearInterval(keepBusy);
    }
    expect(c.closedAfterMs).toBeGreaterThanOrEqual(MESSAGE_DEADLINE_MS - 200);
    expect(logFor(c).join('\n')).toMatch(/took more than/);
  });

  it('closes a connection that neither publishes nor plays in time', async () => {
    const c = await open();
    await c.handshake();
    c.write(SET_CHUNK_SIZE);
    c.write(connectCommand('live'));
    const ping = type0Header(2, 6, 4).u16be(6).u32be(1).build(); // User Control Ping Request (spec 6.2)
    const keepBusy = setInterval(() => c.write(ping), 300);
    try {
      expect(await c.closesWithin(ROLE_DEADLINE_MS + 4_000)).toBe(true);
    } finally {
      clearInterval(keepBusy);
    }
    expect(logFor(c).join('\n')).toMatch(/neither published nor played/);
  });

  it('keeps log lines short when a peer sends huge names', async () => {
    const longApp = await open();
    await longApp.handshake();
    longApp.write(SET_CHUNK_SIZE);
    longApp.write(connectCommand('A'.repeat(60_000)));
    const longCommand = await open();
    await longCommand.handshake();
    longCommand.write(SET_CHUNK_SIZE);
    longCommand.write(chunked(3, 20, amfString(new BufferBuilder(), `x\u202e${'B'.repeat(50_000)}`).u8(0x00).f64be(1).u8(0x05).build(), 4096));
    expect(await longApp.closesWithin(5_000)).toBe(true);
    expect(await longCommand.closesWithin(5_000)).toBe(true);
    const lines = [...logFor(longApp), ...logFor(longCommand)];
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.length, line.slice(0, 200)).toBeLessThan(400);
    expect(lines.join('\n')).toContain('\\u202e');
    expect(kayak.server.status.events.recent().every((e) => e.message.length < 500)).toBe(true);
  });

  it('logs a flood of bad connections with a bounded number of lines', async () => {
    const before = kayak.logger.lines.length;
    for (let i = 0; i < 400; i++) {
      const s = connect({ host: '127.0.0.1', port: kayak.rtmpPort });
      s.on('error', () => {});
      s.on('connect', () => s.end('GET / HTTP/1.1\r\n\r\n'));
      sockets.push(s);
    }
    await waitFor(() => sockets.every((s) => s.destroyed || s.closed), { timeoutMs: 15_000, what: 'the junk connections to close' });
    const lines = kayak.logger.lines.slice(before).filter((l) => l.level !== 'debug' && l.message.startsWith('rtmp 127.0.0.1:'));
    expect(lines.length).toBeLessThanOrEqual(220);
    await expectSteadyStreamUnharmed();
  }, 30_000);

  it('lets an RTMP connection play and stop again and again without piling up listeners', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on('warning', onWarning);
    try {
      const c = await open();
      await c.handshake();
      c.write(SET_CHUNK_SIZE);
      c.write(connectCommand('live'));
      for (let i = 0; i < 15; i++) {
        const before = c.received.length;
        c.write(streamCommand('play', 'steady'));
        await waitFor(() => c.received.length > before + 10_000 || null, { timeoutMs: 5_000, what: `play ${i + 1} to send the join burst` });
        c.write(streamCommand('deleteStream', 1));
        await waitFor(() => (kayak.server.status.stream('live/steady')?.viewers.rtmp ?? 0) === 0 || null, { timeoutMs: 5_000, what: `stop ${i + 1}` });
      }
      await sleep(100);
      expect(c.closedAfterMs, 'the connection is still open').toBeUndefined();
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message)).toEqual([]);
    expect(kayak.server.status.snapshot().server.viewerBacklog?.bytes).toBe(0);
  });

  it('keeps what stalled viewers hold together near the server-wide backlog budget', async () => {
    // Without the budget each of these 20 viewers would queue up to 2 MiB of its own (40 MiB) before skipping.
    const clip = await makeClip({ seconds: 5, width: 640, height: 360, fps: 25 });
    const heavy = publishFfmpeg(kayak.rtmpUrl('backlog'), clip, { loop: true, readrate: 10 });
    await waitForLive(kayak, 'backlog');
    const backlog = (): { bytes: number; limit: number } => {
      const figure = kayak.server.status.snapshot().server.viewerBacklog;
      if (figure === undefined) throw new Error('the status has no viewerBacklog');
      return figure;
    };
    const stalled: Socket[] = [];
    for (let i = 0; i < 20; i++) {
      const socket = connect({ host: '127.0.0.1', port: kayak.httpPort });
      socket.on('error', () => {});
      socket.once('data', () => socket.pause());
      socket.write('GET /live/backlog.flv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      stalled.push(socket);
      sockets.push(socket);
    }
    const from = watcher.tags.length;
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, backlog().bytes)), 20);
    try {
      const viewers = (): number => kayak.server.status.stream('live/backlog')?.viewers['http-flv'] ?? 0;
      await waitFor(() => viewers() === 20 || null, { timeoutMs: 20_000, what: '20 stalled HTTP-FLV viewers' });
      await waitFor(() => peak >= VIEWER_BACKLOG_BYTES || null, { timeoutMs: 30_000, what: 'the viewers to fill the budget' });
      await waitFor(() => viewers() === 0 || null, { timeoutMs: 60_000, what: 'every stalled viewer to be cut off' });
    } finally {
      clearInterval(sampler);
      heavy.child.kill('SIGKILL');
    }
    console.info(`[backlog] 20 stalled viewers held at most ${(peak / 1048576).toFixed(2)} MiB together (budget ${VIEWER_BACKLOG_BYTES / 1048576} MiB)`);
    // Past the budget a viewer queues at most its resume threshold plus the entry that crossed it (a batch of a
    // 10x-rate stream: well under 1 MiB).
    expect(peak).toBeLessThan(VIEWER_BACKLOG_BYTES + 20 * (RESUME_BYTES + 1024 * 1024));
    // Every viewer that left took its queue out of the count.
    await waitFor(() => backlog().bytes === 0 || null, { timeoutMs: 5_000, what: 'the backlog count to return to 0' });
    expect(longestGap(watcher.tags, from)).toBeLessThan(1_500);
    await expectSteadyStreamUnharmed();
  }, 120_000);

  it('cuts off hundreds of WebSocket-FLV viewers that stopped reading without stalling a healthy viewer', async () => {
    // The stalled viewers watch a heavier stream (the clip at 10x its rate), so the kernel's socket buffers fill in
    // seconds rather than minutes.
    const clip = await makeClip({ seconds: 5, width: 640, height: 360, fps: 25 });
    const heavy = publishFfmpeg(kayak.rtmpUrl('heavy'), clip, { loop: true, readrate: 10 });
    await waitForLive(kayak, 'heavy');
    const wsViewers = (): number | undefined => kayak.server.status.stream('live/heavy')?.viewers['ws-flv'];
    const stalled: WebSocket[] = [];
    for (let i = 0; i < 300; i++) {
      const ws = new WebSocket(`ws://127.0.0.1:${kayak.httpPort}/live/heavy.flv`);
      ws.on('error', () => {});
      ws.on('open', () => (ws as unknown as { _socket: Socket })._socket.pause());
      stalled.push(ws);
    }
    const from = watcher.tags.length;
    try {
      await waitFor(() => wsViewers() === 300 || null, { timeoutMs: 20_000, what: '300 WebSocket viewers' });
      await waitFor(() => wsViewers() === 0 || null, { timeoutMs: 60_000, what: 'every stalled WebSocket viewer to be cut off' });
      await sleep(500);
      const gap = longestGap(watcher.tags, from);
      console.info(`[ws stall] healthy viewer's longest gap while 300 stalled viewers were cut off: ${gap} ms`);
      // The write batching holds tags 20 ms and the clip has a frame every 40 ms; the bug this guards against
      // stalled everyone for 3.5-6.8 s. A shared 2-core machine gets a wide margin.
      expect(gap).toBeLessThan(1_500);
    } finally {
      for (const ws of stalled) ws.terminate();
      heavy.child.kill('SIGKILL');
    }
    await expectSteadyStreamUnharmed();
  }, 120_000);
});
