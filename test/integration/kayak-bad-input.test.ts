import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BufferBuilder, randomBytes, seededRandom } from '../helpers/buffer-builder.js';
import { makeClip, mediaFrames } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { ffprobeStreams, httpFlvView, publishFfmpeg, waitForVideoFrames } from '../helpers/players.js';
import type { HttpFlvViewer } from '../helpers/players.js';
import { sleep, trackProcesses } from '../helpers/processes.js';
import type { ManagedProcess } from '../helpers/processes.js';
import { startKayak, waitForLive } from '../helpers/server.js';
import { expectSteadyStreamUnharmed as steadyStreamUnharmed } from '../helpers/steady-stream.js';
import { HANDSHAKE_SIZE, RawClient, amfString, basicHeader, chunked, type0Header } from '../helpers/raw-rtmp.js';
import type { RunningKayak } from '../helpers/server.js';

/**
 * Hostile and malformed RTMP connections (issue section 7): each is closed while a real publisher and a real viewer
 * on the same server carry on. The client bytes are written by hand here, independently of the server's codecs.
 */

/** Well under the server's handshake timeout in these tests, so a close proves the input was detected. */
const DETECT_MS = 5_000;

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

  const expectSteadyStreamUnharmed = (): Promise<void> => steadyStreamUnharmed(publisher, watcher);

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
