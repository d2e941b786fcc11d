import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BufferBuilder, randomBytes, seededRandom } from '../helpers/buffer-builder.js';
import { makeClip, mediaFrames } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { ffprobeStreams, httpFlvView, publishFfmpeg, waitForVideoFrames } from '../helpers/players.js';
import type { HttpFlvViewer } from '../helpers/players.js';
import { sleep, trackProcesses, waitFor } from '../helpers/processes.js';
import type { ManagedProcess } from '../helpers/processes.js';
import { startKayak, waitForLive } from '../helpers/server.js';
import type { RunningKayak } from '../helpers/server.js';

/**
 * Hostile and malformed RTMP connections (issue section 7): each is closed while a real publisher and a real viewer
 * on the same server carry on. The client bytes are written by hand here, independently of the server's codecs.
 */

/** Spec 5.2: C1/S1/C2/S2 are 1536 bytes. */
const HANDSHAKE_SIZE = 1536;
/** Well under the server's handshake timeout in these tests, so a close proves the input was detected. */
const DETECT_MS = 5_000;

/** A raw TCP client that records what the server sent and when it closed the connection. */
class RawClient {
  readonly socket: Socket;
  received = Buffer.alloc(0);
  closedAfterMs: number | undefined;
  readonly closed: Promise<void>;
  /** The client's own port: how the server's log lines name this connection (`127.0.0.1:<port>`). */
  readonly localPort: number;
  private readonly opened = Date.now();

  private constructor(socket: Socket) {
    this.socket = socket;
    this.localPort = socket.localPort ?? -1;
    socket.on('data', (d: Buffer) => {
      this.received = Buffer.concat([this.received, d]);
    });
    // The server may close while we are still writing: EPIPE / ECONNRESET are expected outcomes here.
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.closedAfterMs = Date.now() - this.opened;
        resolve();
      }),
    );
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  write(bytes: Buffer | string): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** C0 = 3, C1 = time(4) zero(4) random(1528); waits for S0 S1 S2; sends C2 = echo of S1 (spec 5.2.2-5.2.4). */
  async handshake(): Promise<void> {
    const c1Random = randomBytes(seededRandom(7), HANDSHAKE_SIZE - 8);
    this.write(new BufferBuilder().u8(3).u32be(0).u32be(0).bytes(c1Random).build());
    await waitFor(() => this.received.length >= 1 + 2 * HANDSHAKE_SIZE || this.closedAfterMs !== undefined, {
      timeoutMs: 5_000,
      intervalMs: 10,
      what: 'S0 S1 S2',
    });
    expect(this.received[0], 'S0 is version 3').toBe(3);
    const s1 = this.received.subarray(1, 1 + HANDSHAKE_SIZE);
    this.write(s1);
  }


  /** True if the server closed the connection within `ms`. */
  async closesWithin(ms: number): Promise<boolean> {
    await Promise.race([this.closed, sleep(ms)]);
    return this.closedAfterMs !== undefined;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Chunk basic header for csid 2..63 (spec 5.3.1.1). */
function basicHeader(fmt: 0 | 1 | 2 | 3, csid: number): number {
  return (fmt << 6) | csid;
}

/** A type-0 chunk header (spec 5.3.1.2.1): timestamp, message length, type id, message stream id (little-endian). */
function type0Header(csid: number, length: number, typeId: number, streamId = 0, timestamp = 0): BufferBuilder {
  return new BufferBuilder().u8(basicHeader(0, csid)).u24be(timestamp).u24be(length).u8(typeId).u32le(streamId);
}

/** One whole message as chunks of `chunkSize`: a type-0 chunk, then type-3 continuations (spec 5.3.1). */
function chunked(csid: number, typeId: number, payload: Buffer, chunkSize = 128): Buffer {
  const b = type0Header(csid, payload.length, typeId);
  for (let at = 0; at < payload.length; at += chunkSize) {
    if (at > 0) b.u8(basicHeader(3, csid));
    b.bytes(payload.subarray(at, at + chunkSize));
  }
  return b.build();
}

/** AMF0 string marker + u16 length + bytes (AMF0 2.4). */
function amfString(b: BufferBuilder, s: string): BufferBuilder {
  return b.u8(0x02).u16be(Buffer.byteLength(s)).utf8(s);
}

describeWithPeers(['ffmpeg', 'ffprobe'], 'kayak-cast closes malformed and hostile RTMP connections', () => {
  trackProcesses();
  let kayak: RunningKayak;
  let publisher: ManagedProcess;
  let watcher: HttpFlvViewer;
  const clients: RawClient[] = [];

  const open = async (): Promise<RawClient> => {
    const c = await RawClient.open(kayak.rtmpPort);
    clients.push(c);
    return c;
  };

  /** Section 7: the connection is closed *with a logged reason*, one line that names it. */
  const expectClosedWithReason = async (c: RawClient): Promise<void> => {
    expect(await c.closesWithin(DETECT_MS), 'the server closes the connection').toBe(true);
    const lines = kayak.logger.lines.filter((l) => l.message.includes(`127.0.0.1:${c.localPort}`));
    expect(
      lines.some((l) => l.level !== 'debug' && /clos/i.test(l.message)),
      `a logged reason for 127.0.0.1:${c.localPort}\n${kayak.logger.text()}`,
    ).toBe(true);
  };

  /** After each hostile connection: the steady publisher and viewer are still going. */
  const expectSteadyStreamUnharmed = async (): Promise<void> => {
    const before = mediaFrames(watcher.tags, 'video').length;
    await waitForVideoFrames(watcher, before + 10, 10_000);
    expect(publisher.exit, publisher.output()).toBeNull();
    expect(watcher.finish).toBeUndefined();
  };

  beforeAll(async () => {
    const clip = await makeClip({ seconds: 5, width: 640, height: 360, fps: 25 });
    kayak = await startKayak({ handshakeTimeoutMs: 30_000 });
    publisher = publishFfmpeg(kayak.rtmpUrl('steady'), clip, { loop: true });
    await waitForLive(kayak, 'steady');
    watcher = httpFlvView(kayak.flvUrl('steady'));
    await waitForVideoFrames(watcher, 10);
  }, 60_000);

  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
  });

  afterAll(async () => {
    watcher?.close();
    await kayak?.stop();
  });

  it('junk that is not RTMP at all (an HTTP request) is closed', async () => {
    const c = await open();
    c.write('GET /live/steady HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await expectClosedWithReason(c);
    await expectSteadyStreamUnharmed();
  });

  it('a wrong handshake version (C0 = 10) is closed', async () => {
    const c = await open();
    c.write(new BufferBuilder().u8(10).zeros(HANDSHAKE_SIZE).build());
    await expectClosedWithReason(c);
    await expectSteadyStreamUnharmed();
  });

  it.each([
    ['0', 0],
    ['above 2^24', 0x7fffffff],
  ])('Set Chunk Size %s after a valid handshake is closed', async (_name, size) => {
    const c = await open();
    await c.handshake();
    // Set Chunk Size: csid 2, message stream 0, type 1, 4-byte payload (spec 5.4.1).
    c.write(type0Header(2, 4, 1).u32be(size).build());
    await expectClosedWithReason(c);
    await expectSteadyStreamUnharmed();
  });

  it('a message length far above the limit (16 MiB - 1 command) is closed without buffering it', async () => {
    const c = await open();
    await c.handshake();
    c.write(type0Header(3, 0xffffff, 20).zeros(64).build());
    await expectClosedWithReason(c);
    await expectSteadyStreamUnharmed();
  });

  it.each([
    ['type 3', basicHeader(3, 5), 0],
    ['type 1', basicHeader(1, 6), 7],
    ['type 2', basicHeader(2, 7), 3],
  ])('a %s chunk continuing a chunk stream never opened is closed', async (_name, first, headerBytes) => {
    const c = await open();
    await c.handshake();
    c.write(new BufferBuilder().u8(first).zeros(headerBytes).bytes(Buffer.alloc(32, 0xab)).build());
    await expectClosedWithReason(c);
    await expectSteadyStreamUnharmed();
  });

  it('a connect command with AMF0 objects nested 1000 deep is closed', async () => {
    const c = await open();
    await c.handshake();
    const depth = 1_000;
    const b = amfString(new BufferBuilder(), 'connect').u8(0x00).f64be(1);
    for (let i = 0; i < depth; i++) b.u8(0x03).u16be(1).utf8('a'); // object, then key "a" whose value is...
    b.u8(0x05); // ...null at the bottom
    for (let i = 0; i < depth; i++) b.u16be(0).u8(0x09); // object end (AMF0 2.11)
    c.write(chunked(3, 20, b.build()));
    await expectClosedWithReason(c);
    await expectSteadyStreamUnharmed();
  });

  it('random bytes after a valid handshake never crash the server (closed or ignored; others unharmed)', async () => {
    const random = seededRandom(2024);
    for (let round = 0; round < 5; round++) {
      const c = await open();
      await c.handshake();
      c.write(randomBytes(random, 4096));
      await c.closesWithin(200);
      c.destroy();
    }
    await expectSteadyStreamUnharmed();
    expect(kayak.logger.lines.filter((l) => l.level === 'error'), kayak.logger.text()).toEqual([]);
  });

  it.each([
    ['200 characters long', { key: 'k'.repeat(200) }],
    ['containing a slash', { playpath: 'a/b' }],
    ['containing a control character', { playpath: 'bad\u0001key' }],
  ])('refuses to publish a stream key %s', async (_name, spec: { key?: string; playpath?: string }) => {
    const clip = await makeClip({ seconds: 5, width: 640, height: 360, fps: 25 });
    const p =
      spec.key !== undefined
        ? publishFfmpeg(kayak.rtmpUrl(spec.key), clip, { loop: true })
        : publishFfmpeg(kayak.rtmpUrl('placeholder'), clip, {
            loop: true,
            rtmpApp: 'live',
            rtmpPlaypath: spec.playpath as string,
          });
    const exit = await Promise.race([p.exited, sleep(20_000).then(() => 'still running' as const)]);
    expect(exit, `ffmpeg must be refused\n${p.output()}`).not.toBe('still running');
    expect(p.exit?.code, p.output()).not.toBe(0);
    const keys = kayak.server.status.snapshot().streams.map((s) => s.key);
    expect(keys).toEqual(['steady']);
    await expectSteadyStreamUnharmed();
  }, 40_000);

  it('after all that, a new RTMP viewer still reads the steady stream', async () => {
    const streams = await ffprobeStreams(kayak.rtmpUrl('steady'));
    expect(streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(kayak.logger.lines.filter((l) => l.level === 'error'), kayak.logger.text()).toEqual([]);
  });
});

describe('kayak-cast handshake timeout', () => {
  const TIMEOUT_MS = 1_000;
  let kayak: RunningKayak;
  const clients: RawClient[] = [];

  beforeAll(async () => {
    kayak = await startKayak({ handshakeTimeoutMs: TIMEOUT_MS });
  });

  afterAll(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await kayak?.stop();
  });

  const open = async (): Promise<RawClient> => {
    const c = await RawClient.open(kayak.rtmpPort);
    clients.push(c);
    return c;
  };

  it('closes a connection that sends nothing, after the handshake timeout', async () => {
    const c = await open();
    expect(await c.closesWithin(TIMEOUT_MS + 5_000)).toBe(true);
    expect(c.closedAfterMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
  });

  it('closes a connection that sends C0 C1 but never C2', async () => {
    const c = await open();
    c.write(new BufferBuilder().u8(3).zeros(HANDSHAKE_SIZE).build());
    expect(await c.closesWithin(TIMEOUT_MS + 5_000)).toBe(true);
    expect(c.received.length, 'S0 S1 S2 were sent').toBe(1 + 2 * HANDSHAKE_SIZE);
    expect(c.closedAfterMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
  });

  it('closes a client that trickles the handshake a byte at a time: the timeout is a deadline, not an idle timer', async () => {
    const c = await open();
    c.write(Buffer.from([3]));
    const trickle = setInterval(() => c.write(Buffer.from([0])), TIMEOUT_MS / 4);
    try {
      expect(await c.closesWithin(TIMEOUT_MS * 4 + 3_000)).toBe(true);
    } finally {
      clearInterval(trickle);
    }
  }, 20_000);

  it('keeps a connection that completes the handshake in time', async () => {
    const c = await open();
    await c.handshake();
    expect(await c.closesWithin(TIMEOUT_MS + 500)).toBe(false);
  });
});
