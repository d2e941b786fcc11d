/**
 * Builds byte fixtures by hand, independently of the production writers, so that a test of a
 * parser never shares a bug with the serialiser it would otherwise be checked against.
 */
export class BufferBuilder {
  private readonly parts: Buffer[] = [];

  u8(value: number): this {
    this.parts.push(Buffer.from([value & 0xff]));
    return this;
  }

  u16be(value: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(value);
    this.parts.push(b);
    return this;
  }

  u24be(value: number): this {
    const b = Buffer.alloc(3);
    b.writeUIntBE(value, 0, 3);
    this.parts.push(b);
    return this;
  }

  u32be(value: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(value >>> 0);
    this.parts.push(b);
    return this;
  }

  u32le(value: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(value >>> 0);
    this.parts.push(b);
    return this;
  }

  i16be(value: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(value);
    this.parts.push(b);
    return this;
  }

  f64be(value: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(value);
    this.parts.push(b);
    return this;
  }

  bytes(value: Buffer | Uint8Array | readonly number[]): this {
    this.parts.push(Buffer.from(value as Uint8Array));
    return this;
  }

  utf8(value: string): this {
    this.parts.push(Buffer.from(value, 'utf8'));
    return this;
  }

  zeros(count: number): this {
    this.parts.push(Buffer.alloc(count));
    return this;
  }

  get length(): number {
    return this.parts.reduce((n, p) => n + p.length, 0);
  }

  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Every way to cut `input` in two: [head, tail] for each offset 0..length. */
export function* splitsOf(input: Buffer): Generator<[Buffer, Buffer, number]> {
  for (let at = 0; at <= input.length; at++) {
    yield [input.subarray(0, at), input.subarray(at), at];
  }
}

/** A small deterministic PRNG (mulberry32) so fuzz tests are reproducible from their seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(random: () => number, length: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = Math.floor(random() * 256);
  return b;
}
