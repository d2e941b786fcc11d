import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { expect } from 'vitest';
import { BufferBuilder, randomBytes, seededRandom } from './buffer-builder.js';
import { sleep, waitFor } from './processes.js';

/**
 * A hand-driven RTMP client for hostile-input tests: raw bytes, written independently of the server's codecs
 * (the fixtures follow the spec's sections, not our writer).
 */

/** Spec 5.2: C1/S1/C2/S2 are 1536 bytes. */
export const HANDSHAKE_SIZE = 1536;

/** A raw TCP client that records what the server sent and when it closed the connection. */
export class RawClient {
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
export function basicHeader(fmt: 0 | 1 | 2 | 3, csid: number): number {
  return (fmt << 6) | csid;
}

/** A type-0 chunk header (spec 5.3.1.2.1): timestamp, message length, type id, message stream id (little-endian). */
export function type0Header(csid: number, length: number, typeId: number, streamId = 0, timestamp = 0): BufferBuilder {
  return new BufferBuilder().u8(basicHeader(0, csid)).u24be(timestamp).u24be(length).u8(typeId).u32le(streamId);
}

/** One whole message as chunks of `chunkSize`: a type-0 chunk, then type-3 continuations (spec 5.3.1). */
export function chunked(csid: number, typeId: number, payload: Buffer, chunkSize = 128): Buffer {
  const b = type0Header(csid, payload.length, typeId);
  for (let at = 0; at < payload.length; at += chunkSize) {
    if (at > 0) b.u8(basicHeader(3, csid));
    b.bytes(payload.subarray(at, at + chunkSize));
  }
  return b.build();
}

/** AMF0 string marker + u16 length + bytes (AMF0 2.4). */
export function amfString(b: BufferBuilder, s: string): BufferBuilder {
  return b.u8(0x02).u16be(Buffer.byteLength(s)).utf8(s);
}
