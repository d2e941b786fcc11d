import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BugError, ProtocolError } from '../../../../src/errors.js';
import {
  ClientHandshake,
  HANDSHAKE_SIZE,
  type HandshakeStep,
  ServerHandshake,
} from '../../../../src/protocol/rtmp/handshake.js';
import { BufferBuilder, randomBytes, seededRandom, splitsOf } from '../../../helpers/buffer-builder.js';

// The digest handshake as librtmp and ffmpeg implement it, written out here independently of handshake-digest.ts.
const KEY_TAIL = [
  0xf0, 0xee, 0xc2, 0x4a, 0x80, 0x68, 0xbe, 0xe8, 0x2e, 0x00, 0xd0, 0xd1, 0x02, 0x9e, 0x7e, 0x57,
  0x6e, 0xec, 0x5d, 0x2d, 0x29, 0x80, 0x6f, 0xab, 0x93, 0xb8, 0xe6, 0x36, 0xcf, 0xeb, 0x31, 0xae,
];
const PLAYER_KEY = new BufferBuilder().utf8('Genuine Adobe Flash Player 001').bytes(KEY_TAIL).build();
const SERVER_KEY = new BufferBuilder().utf8('Genuine Adobe Flash Media Server 001').bytes(KEY_TAIL).build();

function hmac(key: Buffer, ...parts: Buffer[]): Buffer {
  const h = createHmac('sha256', key);
  for (const part of parts) h.update(part);
  return h.digest();
}

/** Digest position: scheme 0 reads its offset bytes at 772, scheme 1 at 8. */
function digestPosition(packet: Buffer, scheme: 0 | 1): number {
  const base = scheme === 0 ? 772 : 8;
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += packet[base + i] as number;
  return (sum % 728) + base + 4;
}

function digestOver(packet: Buffer, position: number, key: Buffer): Buffer {
  return hmac(key, packet.subarray(0, position), packet.subarray(position + 32));
}

/** A C1 as a Flash-era client sends it: version bytes set, digest signed with the first 30 bytes of the player key. */
function digestC1(seed: number, scheme: 0 | 1): { c1: Buffer; clientDigest: Buffer } {
  const c1 = randomBytes(seededRandom(seed), HANDSHAKE_SIZE);
  c1.writeUInt32BE(4242, 0);
  c1.set(scheme === 0 ? [128, 0, 3, 2] : [9, 0, 124, 2], 4);
  const position = digestPosition(c1, scheme);
  const clientDigest = digestOver(c1, position, PLAYER_KEY.subarray(0, 30));
  clientDigest.copy(c1, position);
  return { c1, clientDigest };
}

/** How librtmp checks S1: the server digest at either position, keyed with the first 36 bytes of the server key. */
function findServerDigestScheme(s1: Buffer): 0 | 1 | undefined {
  for (const scheme of [0, 1] as const) {
    const position = digestPosition(s1, scheme);
    if (digestOver(s1, position, SERVER_KEY.subarray(0, 36)).equals(s1.subarray(position, position + 32))) {
      return scheme;
    }
  }
  return undefined;
}

/** How librtmp and ffmpeg check S2 against the digest they sent in C1. */
function s2Valid(s2: Buffer, clientDigest: Buffer): boolean {
  const key = hmac(SERVER_KEY, clientDigest);
  return hmac(key, s2.subarray(0, 1504)).equals(s2.subarray(1504));
}

function seededBytes(seed: number): (n: number) => Buffer {
  const random = seededRandom(seed);
  return (n) => randomBytes(random, n);
}

function server(): ServerHandshake {
  return new ServerHandshake({ randomBytes: seededBytes(99), epochMs: () => 2 ** 32 + 77 });
}

function plainC1(seed: number): Buffer {
  const c1 = randomBytes(seededRandom(seed), HANDSHAKE_SIZE);
  c1.writeUInt32BE(0, 0);
  c1.writeUInt32BE(0, 4);
  return c1;
}

function withC0(c1: Buffer, version = 3): Buffer {
  return Buffer.concat([Buffer.from([version]), c1]);
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
  return undefined;
}

/** Pushes pieces in order and merges the steps: everything sent, whether done, and the rest. */
function drive(handshake: { push(data: Buffer): HandshakeStep }, pieces: Buffer[]): HandshakeStep {
  const send: Buffer[] = [];
  const rest: Buffer[] = [];
  let done = false;
  for (const piece of pieces) {
    const step = handshake.push(piece);
    if (done) expect(step.send).toEqual([]);
    send.push(...step.send);
    if (step.done) {
      // After done, push hands bytes straight back as rest.
      rest.push(step.rest);
      done = true;
    } else {
      expect(step.rest.length).toBe(0);
    }
  }
  return { send: [Buffer.concat(send)], done, rest: Buffer.concat(rest) };
}

describe('ServerHandshake, plain (spec 5.2)', () => {
  const c1 = plainC1(1);
  const c0c1 = withC0(c1);

  it('answers S0 + S1 + S2 at once, echoing C1 as S2', () => {
    const step = server().push(c0c1);
    expect(step.done).toBe(false);
    expect(step.send).toHaveLength(1);
    const answer = step.send[0] as Buffer;
    expect(answer.length).toBe(1 + 2 * HANDSHAKE_SIZE);
    expect(answer[0]).toBe(3);
    const s1 = answer.subarray(1, 1 + HANDSHAKE_SIZE);
    expect(s1.readUInt32BE(0)).toBe(77);
    expect(s1.readUInt32BE(4)).toBe(0);
    expect(answer.subarray(1 + HANDSHAKE_SIZE)).toEqual(c1);
  });

  it('gives the same answer however C0 + C1 is split, and nothing before it is whole', () => {
    const whole = server().push(c0c1).send[0] as Buffer;
    for (const [head, tail, at] of splitsOf(c0c1)) {
      const handshake = server();
      const first = handshake.push(head);
      if (at < c0c1.length) expect(first.send, `split at ${at}`).toEqual([]);
      const merged = Buffer.concat([...first.send, ...handshake.push(tail).send]);
      if (!merged.equals(whole)) expect.fail(`split at ${at}`);
    }
    const bytewise = server();
    const sent: Buffer[] = [];
    for (let i = 0; i < c0c1.length; i++) sent.push(...bytewise.push(c0c1.subarray(i, i + 1)).send);
    expect(Buffer.concat(sent).equals(whole)).toBe(true);
  });

  it('is done exactly when C2 is whole, however it is split, and returns what follows', () => {
    const c2 = randomBytes(seededRandom(3), HANDSHAKE_SIZE);
    const after = Buffer.from([0x02, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0, 0, 16, 0]);
    const tail = Buffer.concat([c2, after]);
    for (const [head, rest, at] of splitsOf(tail)) {
      const handshake = server();
      handshake.push(c0c1);
      expect(handshake.push(head).done, `split at ${at}`).toBe(at >= HANDSHAKE_SIZE);
      const again = server();
      again.push(c0c1);
      const step = drive(again, [head, rest]);
      expect(step.done).toBe(true);
      if (!step.rest.equals(after)) expect.fail(`rest at split ${at}`);
    }
  });

  it('takes C0 + C1 + C2 + chunk bytes in one push', () => {
    const after = Buffer.from('chunk stream');
    const step = server().push(Buffer.concat([c0c1, randomBytes(seededRandom(4), HANDSHAKE_SIZE), after]));
    expect(step.done).toBe(true);
    expect(step.send).toHaveLength(1);
    expect(step.rest).toEqual(after);
  });

  it('copies the rest out of the pushed buffer', () => {
    const input = Buffer.concat([c0c1, Buffer.alloc(HANDSHAKE_SIZE), Buffer.from([1, 2, 3])]);
    const step = server().push(input);
    input.fill(0);
    expect(step.rest).toEqual(Buffer.from([1, 2, 3]));
  });

  it('answers a C1 with version bytes but no valid digest plainly', () => {
    const c1 = plainC1(5);
    c1.set([9, 0, 124, 2], 4);
    const answer = server().push(withC0(c1)).send[0] as Buffer;
    expect(answer.readUInt32BE(5)).toBe(0);
    expect(answer.subarray(1 + HANDSHAKE_SIZE)).toEqual(c1);
  });
});

describe('ServerHandshake, digest (Flash Player 9+, librtmp, ffmpeg)', () => {
  for (const scheme of [0, 1] as const) {
    it(`signs S1 and S2 the way a client checks them, client digest in scheme ${scheme}`, () => {
      const { c1, clientDigest } = digestC1(10 + scheme, scheme);
      const answer = server().push(withC0(c1)).send[0] as Buffer;
      expect(answer[0]).toBe(3);
      const s1 = answer.subarray(1, 1 + HANDSHAKE_SIZE);
      const s2 = answer.subarray(1 + HANDSHAKE_SIZE);
      expect(s1.readUInt32BE(0)).toBe(77);
      // ffmpeg only checks the server digest when the first version byte is at least 3.
      expect(s1[4]).toBeGreaterThanOrEqual(3);
      expect(findServerDigestScheme(s1)).toBe(scheme);
      expect(s2Valid(s2, clientDigest)).toBe(true);
      expect(s2.equals(c1)).toBe(false);
    });
  }

  it('gives the same digest answer however C0 + C1 is split', () => {
    const { c1, clientDigest } = digestC1(20, 0);
    const c0c1 = withC0(c1);
    const whole = server().push(c0c1).send[0] as Buffer;
    expect(s2Valid(whole.subarray(1 + HANDSHAKE_SIZE), clientDigest)).toBe(true);
    for (const [head, tail, at] of splitsOf(c0c1)) {
      const handshake = server();
      const merged = Buffer.concat([...handshake.push(head).send, ...handshake.push(tail).send]);
      if (!merged.equals(whole)) expect.fail(`split at ${at}`);
    }
  });

  it('signs with real random bytes by default', () => {
    const { c1, clientDigest } = digestC1(21, 1);
    const answer = new ServerHandshake().push(withC0(c1)).send[0] as Buffer;
    expect(findServerDigestScheme(answer.subarray(1, 1 + HANDSHAKE_SIZE))).toBe(1);
    expect(s2Valid(answer.subarray(1 + HANDSHAKE_SIZE), clientDigest)).toBe(true);
  });

  it('falls back to plain when the digest does not validate', () => {
    const { c1 } = digestC1(22, 1);
    const position = digestPosition(c1, 1);
    c1[position] = (c1[position] as number) ^ 1;
    const answer = server().push(withC0(c1)).send[0] as Buffer;
    expect(answer.subarray(1 + HANDSHAKE_SIZE)).toEqual(c1);
  });
});

describe('ServerHandshake version check (spec 5.2.2)', () => {
  it('refuses anything but version 3 from the first byte', () => {
    for (const first of [0x47, 0x16, 0x06, 0x08, 0x00, 0x04, 0xff]) {
      expect(codeOf(() => server().push(Buffer.from([first]))), `version ${first}`).toBe('HANDSHAKE_VERSION');
    }
    expect(codeOf(() => server().push(Buffer.from('GET /live/key.flv HTTP/1.1\r\n')))).toBe('HANDSHAKE_VERSION');
    expect(codeOf(() => server().push(withC0(plainC1(1), 6)))).toBe('HANDSHAKE_VERSION');
  });

  it('does not check before the first byte arrives', () => {
    const handshake = server();
    expect(handshake.push(Buffer.alloc(0)).send).toEqual([]);
    expect(handshake.push(Buffer.from([3])).done).toBe(false);
  });
});

describe('ClientHandshake', () => {
  function client(): ClientHandshake {
    return new ClientHandshake({ randomBytes: seededBytes(7) });
  }

  it('sends C0 + C1 with zero time and version', () => {
    const c0c1 = client().start();
    expect(c0c1.length).toBe(1 + HANDSHAKE_SIZE);
    expect(c0c1[0]).toBe(3);
    expect(c0c1.readUInt32BE(1)).toBe(0);
    expect(c0c1.readUInt32BE(5)).toBe(0);
    expect(c0c1.subarray(9).some((b) => b !== 0)).toBe(true);
  });

  it('answers S1 with C2 once S0 + S1 + S2 are whole, however they are split', () => {
    const s1 = randomBytes(seededRandom(8), HANDSHAKE_SIZE);
    const after = Buffer.from([0x02, 0x00, 0x00]);
    const input = Buffer.concat([Buffer.from([3]), s1, randomBytes(seededRandom(9), HANDSHAKE_SIZE), after]);
    for (const [head, tail, at] of splitsOf(input)) {
      const handshake = client();
      handshake.start();
      const step = drive(handshake, [head, tail]);
      expect(step.done, `split at ${at}`).toBe(true);
      if (!(step.send[0] as Buffer).equals(s1)) expect.fail(`C2 at split ${at}`);
      if (!step.rest.equals(after)) expect.fail(`rest at split ${at}`);
    }
  });

  it('refuses a server that is not version 3', () => {
    const handshake = client();
    handshake.start();
    expect(codeOf(() => handshake.push(Buffer.from('HTTP/1.1 400')))).toBe('HANDSHAKE_VERSION');
  });

  it('must be started once, before push', () => {
    expect(() => client().push(Buffer.from([3]))).toThrow(BugError);
    const handshake = client();
    handshake.start();
    expect(() => handshake.start()).toThrow(BugError);
  });

  it('completes a handshake with ServerHandshake', () => {
    const c = new ClientHandshake();
    const s = new ServerHandshake();
    const answer = s.push(c.start());
    const reply = c.push(Buffer.concat([...answer.send, Buffer.from([9])]));
    expect(reply.done).toBe(true);
    expect(reply.rest).toEqual(Buffer.from([9]));
    const end = s.push(Buffer.concat([...reply.send, Buffer.from([7, 7])]));
    expect(end.done).toBe(true);
    expect(end.rest).toEqual(Buffer.from([7, 7]));
  });
});
