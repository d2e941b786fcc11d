import { randomBytes } from 'node:crypto';
import { BugError, ProtocolError } from '../../errors.js';
import { RandomPool } from '../../util/random-pool.js';
import { DIGEST_LENGTH, findClientDigest, signServerPacket, signServerResponse } from './handshake-digest.js';

/** C1, S1, C2 and S2 are 1536 bytes each (spec 5.2.3, 5.2.4). */
export const HANDSHAKE_SIZE = 1536;

/** C0/S0: the only RTMP version we speak (spec 5.2.2); 6 and 8 are RTMPE, which we do not. */
export const RTMP_VERSION = 3;

/**
 * Version bytes of our digest S1. ffmpeg verifies the server digest only when the first is at least 3, librtmp
 * whenever it is non-zero; a plain S1 keeps them zero (spec 5.2.3).
 */
const SERVER_VERSION = [4, 5, 0, 1] as const;

export interface HandshakeStep {
  /** Bytes to write to the peer now, in order. */
  send: Buffer[];
  /** The handshake is complete; later bytes belong to the chunk stream. */
  done: boolean;
  /** Whatever followed the handshake in the bytes pushed (the start of the chunk stream); empty until done. */
  rest: Buffer;
}

const EMPTY = Buffer.alloc(0);
/** The server's random bytes (S1, and S2 of a digest handshake), shared by every handshake of the process. */
const serverRandom = new RandomPool();
const C0C1_SIZE = 1 + HANDSHAKE_SIZE;

function waiting(): HandshakeStep {
  return { send: [], done: false, rest: EMPTY };
}

function checkVersion(version: number, who: string): void {
  if (version !== RTMP_VERSION) {
    const hint = version === 0x47 ? ' (an HTTP request?)' : version === 0x16 ? ' (a TLS handshake?)' : '';
    throw new ProtocolError(
      'HANDSHAKE_VERSION',
      `${who} sent RTMP version ${version}${hint}; only version 3 is spoken`,
    );
  }
}

export interface ServerHandshakeOptions {
  randomBytes?: (n: number) => Buffer;
  /** The time field of S1 (spec 5.2.3: the epoch of our chunk timestamps; may be 0). Default: 0. */
  epochMs?: () => number;
}

/**
 * Server side: accepts C0+C1 (any split), answers S0+S1+S2 at once (digest variant when C1 carries a valid client
 * digest, plain otherwise), then waits for C2; `rest` is whatever followed C2 (the start of the chunk stream).
 */
export class ServerHandshake {
  private readonly randomBytes: ((n: number) => Buffer) | undefined;
  private readonly epochMs: () => number;
  /** C0+C1 gathered from several reads; a client that sends them in one (nearly every one) needs no copy. */
  private c0c1: Buffer | undefined;
  private c0c1Received = 0;
  private c2Received = 0;
  private finished = false;

  constructor(options: ServerHandshakeOptions = {}) {
    this.randomBytes = options.randomBytes;
    this.epochMs = options.epochMs ?? (() => 0);
  }

  push(data: Buffer): HandshakeStep {
    if (this.finished) return { send: [], done: true, rest: Buffer.from(data) };
    let offset = 0;
    const step = waiting();

    if (this.c0c1Received < C0C1_SIZE) {
      // Spec 5.2.2: refuse a foreign protocol from its first byte, before waiting for 1536 more.
      if (this.c0c1Received === 0 && data.length > 0) checkVersion(data[0] as number, 'the client');
      let c0c1: Buffer;
      if (this.c0c1Received === 0 && data.length >= C0C1_SIZE) {
        c0c1 = data;
        offset = C0C1_SIZE;
      } else {
        this.c0c1 ??= Buffer.alloc(C0C1_SIZE);
        offset = data.copy(this.c0c1, this.c0c1Received, 0);
        c0c1 = this.c0c1;
      }
      this.c0c1Received += offset;
      if (this.c0c1Received < C0C1_SIZE) return step;
      step.send.push(this.answer(c0c1.subarray(1, C0C1_SIZE)));
      this.c0c1 = undefined;
    }

    const take = Math.min(HANDSHAKE_SIZE - this.c2Received, data.length - offset);
    this.c2Received += take;
    offset += take;
    // C2 is not checked: clients differ in what they echo, and nothing depends on it.
    if (this.c2Received < HANDSHAKE_SIZE) return step;
    this.finished = true;
    step.done = true;
    step.rest = offset < data.length ? Buffer.from(data.subarray(offset)) : EMPTY;
    return step;
  }

  /** S0 + S1 + S2 in one Buffer. */
  private answer(c1: Buffer): Buffer {
    const out = Buffer.allocUnsafe(1 + 2 * HANDSHAKE_SIZE);
    const s1 = out.subarray(1, 1 + HANDSHAKE_SIZE);
    const s2 = out.subarray(1 + HANDSHAKE_SIZE);
    out[0] = RTMP_VERSION;
    s1.writeUInt32BE(Math.trunc(this.epochMs()) >>> 0, 0);
    this.fill(s1, 8);

    // Spec 5.2.3: C1 bytes 4..7 are zero in a plain handshake; a Flash-era client puts its version there.
    const found = c1.readUInt32BE(4) === 0 ? undefined : findClientDigest(c1);
    if (found === undefined) {
      s1.writeUInt32BE(0, 4);
      // Spec 5.2.4: S2 echoes C1.
      c1.copy(s2);
      return out;
    }
    s1.set(SERVER_VERSION, 4);
    signServerPacket(s1, found.scheme);
    this.fill(s2, 0, HANDSHAKE_SIZE - DIGEST_LENGTH);
    signServerResponse(s2, found.digest);
    return out;
  }

  private fill(target: Buffer, from: number, to = target.length): void {
    if (this.randomBytes === undefined) {
      serverRandom.fill(target, from, to);
      return;
    }
    const bytes = this.randomBytes(to - from);
    if (bytes.length < to - from) throw new BugError(`randomBytes(${to - from}) returned ${bytes.length} bytes`);
    bytes.copy(target, from, 0, to - from);
  }
}

export interface ClientHandshakeOptions {
  randomBytes?: (n: number) => Buffer;
}

/**
 * Client side (for our relay and bench clients): C0+C1 at start(), C2 after S0+S1+S2. Plain handshake (spec 5.2):
 * C1 has zero version bytes, so servers answer plainly; C2 echoes S1.
 */
export class ClientHandshake {
  private readonly randomBytes: (n: number) => Buffer;
  private readonly s0s1s2 = Buffer.alloc(1 + 2 * HANDSHAKE_SIZE);
  private received = 0;
  private started = false;
  private finished = false;

  constructor(options: ClientHandshakeOptions = {}) {
    this.randomBytes = options.randomBytes ?? randomBytes;
  }

  /** C0 + C1. */
  start(): Buffer {
    if (this.started) throw new BugError('ClientHandshake.start called twice');
    this.started = true;
    const out = Buffer.alloc(1 + HANDSHAKE_SIZE);
    out[0] = RTMP_VERSION;
    // Time and zero fields stay 0 (spec 5.2.3); the rest is random.
    const random = this.randomBytes(HANDSHAKE_SIZE - 8);
    random.copy(out, 9, 0, HANDSHAKE_SIZE - 8);
    return out;
  }

  push(data: Buffer): HandshakeStep {
    if (!this.started) throw new BugError('ClientHandshake.push called before start');
    if (this.finished) return { send: [], done: true, rest: Buffer.from(data) };
    if (this.received === 0 && data.length > 0) checkVersion(data[0] as number, 'the server');
    const copied = data.copy(this.s0s1s2, this.received, 0);
    this.received += copied;
    if (this.received < this.s0s1s2.length) return waiting();
    this.finished = true;
    // Spec 5.2.4: C2 echoes S1. S2 is not checked: servers differ in what they echo.
    const c2 = Buffer.from(this.s0s1s2.subarray(1, 1 + HANDSHAKE_SIZE));
    return { send: [c2], done: true, rest: copied < data.length ? Buffer.from(data.subarray(copied)) : EMPTY };
  }
}
