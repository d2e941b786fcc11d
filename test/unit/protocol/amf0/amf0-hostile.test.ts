import { describe, expect, it } from 'vitest';
import { BufferBuilder, randomBytes, seededRandom, splitsOf } from '../../../helpers/buffer-builder.js';
import { ProtocolError, type ProtocolErrorCode } from '../../../../src/errors.js';
import { AMF0_MAX_DEPTH, Amf0EcmaArray, decodeAmf0, decodeAmf0Value, encodeAmf0 } from '../../../../src/protocol/amf0/index.js';
import type { Amf0DecodeOptions, Amf0Value } from '../../../../src/protocol/amf0/index.js';

/** The code of the ProtocolError `run` throws; any other outcome fails the test. */
function codeOf(run: () => unknown): ProtocolErrorCode {
  try {
    run();
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
  throw new Error('expected a ProtocolError, but decoding succeeded');
}

/**
 * A hand-built body that remembers each length or count prefix: a cut inside the bytes a prefix
 * announces is AMF_TOO_LONG, a cut anywhere else inside a value is AMF_TRUNCATED.
 */
class Body {
  readonly b = new BufferBuilder();
  readonly claims: Array<{ from: number; bytes: number }> = [];
  readonly boundaries: number[] = [0];

  private claim(bytes: number): void {
    this.claims.push({ from: this.b.length, bytes });
  }
  utf8(text: string): this {
    this.b.u16be(Buffer.byteLength(text));
    this.claim(Buffer.byteLength(text));
    this.b.utf8(text);
    return this;
  }
  str(text: string): this {
    this.b.u8(0x02);
    return this.utf8(text);
  }
  longStr(text: string): this {
    this.b.u8(0x0c).u32be(Buffer.byteLength(text));
    this.claim(Buffer.byteLength(text));
    this.b.utf8(text);
    return this;
  }
  num(value: number): this {
    this.b.u8(0x00).f64be(value);
    return this;
  }
  strictArray(count: number): this {
    this.b.u8(0x0a).u32be(count);
    this.claim(count); // every value takes at least one byte
    return this;
  }
  end(): this {
    this.b.u8(0).u8(0).u8(0x09);
    return this;
  }
  /** Marks the end of a top-level value. */
  done(): this {
    this.boundaries.push(this.b.length);
    return this;
  }
  expectedCode(cut: number): ProtocolErrorCode {
    return this.claims.some((c) => c.from <= cut && cut < c.from + c.bytes) ? 'AMF_TOO_LONG' : 'AMF_TRUNCATED';
  }
}

/** Every type the decoder accepts, several values back to back. */
function everyTypeBody(): { body: Body; values: Amf0Value[] } {
  const body = new Body();
  body.str('connect').done().num(1).done();
  body.b.u8(0x03);
  body.utf8('app').str('live').utf8('fpad').b.u8(0x01).u8(0);
  body.utf8('tcUrl').str('rtmp://127.0.0.1/live').end().done();
  body.b.u8(0x08).u32be(3);
  body.utf8('duration').num(12.5).utf8('stereo').b.u8(0x01).u8(1);
  body.utf8('encoder').str('Lavf').end().done();
  body.strictArray(7).b.u8(0x05).u8(0x06).u8(0x0b).f64be(1e12).i16be(0);
  body.longStr('abc').b.u8(0x10);
  body.utf8('Point').utf8('x').num(1).end();
  body.strictArray(0).b.u8(0x03);
  body.end().done();
  body.b.u8(0x0d);
  body.done();
  const values: Amf0Value[] = [
    'connect',
    1,
    { app: 'live', fpad: false, tcUrl: 'rtmp://127.0.0.1/live' },
    new Amf0EcmaArray({ duration: 12.5, stereo: true, encoder: 'Lavf' }),
    [null, undefined, new Date(1e12), 'abc', { x: 1 }, [], {}],
    undefined,
  ];
  return { body, values };
}

describe('truncation', () => {
  const { body, values } = everyTypeBody();
  const full = body.b.build();

  it('the fixture decodes whole', () => {
    expect(decodeAmf0(full)).toStrictEqual(values);
  });

  it('a body cut at every offset decodes the whole values before the cut or raises the expected code', () => {
    const seen = new Set<ProtocolErrorCode>();
    for (const [head, , cut] of splitsOf(full)) {
      const whole = body.boundaries.indexOf(cut);
      if (whole >= 0) {
        expect(decodeAmf0(head)).toStrictEqual(values.slice(0, whole));
        continue;
      }
      const code = codeOf(() => decodeAmf0(head));
      expect(code, `cut at ${cut}`).toBe(body.expectedCode(cut));
      seen.add(code);
      const start = body.boundaries.filter((b) => b < cut).at(-1)!;
      expect(codeOf(() => decodeAmf0Value(head, start)), `cut at ${cut}`).toBe(code);
    }
    expect([...seen].sort()).toStrictEqual(['AMF_TOO_LONG', 'AMF_TRUNCATED']);
  });

  it('fixed-width fields cut short are AMF_TRUNCATED', () => {
    for (const hex of ['', '00', '003ff0', '01', '0200', '0c000000', '0b' + '00'.repeat(8), '0b' + '00'.repeat(9), '08', '080000', '0a0000', '03', '0300', '030000', '0800000000', '0800000000' + '0000', '10', '1000']) {
      expect(codeOf(() => decodeAmf0Value(Buffer.from(hex, 'hex'), 0)), hex).toBe('AMF_TRUNCATED');
    }
    expect(codeOf(() => decodeAmf0Value(Buffer.from('05', 'hex'), 1))).toBe('AMF_TRUNCATED');
    expect(codeOf(() => decodeAmf0Value(Buffer.from('05', 'hex'), 9))).toBe('AMF_TRUNCATED');
  });

  it('an offset that is not a non-negative integer is a programming error', () => {
    expect(() => decodeAmf0Value(Buffer.from('05', 'hex'), -1)).toThrow(RangeError);
    expect(() => decodeAmf0Value(Buffer.from('05', 'hex'), 0.5)).toThrow(RangeError);
  });
});

describe('lengths and counts', () => {
  it('a strict array count of 0xFFFFFFFF with a tiny body is AMF_TOO_LONG, at once', () => {
    const buf = new BufferBuilder().u8(0x0a).u32be(0xffffffff).u8(0x05).u8(0x05).build();
    const started = performance.now();
    expect(codeOf(() => decodeAmf0(buf))).toBe('AMF_TOO_LONG');
    expect(performance.now() - started).toBeLessThan(250);
  });

  it('a count that fits the bytes left is accepted even if the values then run short', () => {
    const buf = new BufferBuilder().u8(0x0a).u32be(2).u8(0x00).u8(0x00).build();
    expect(codeOf(() => decodeAmf0(buf))).toBe('AMF_TRUNCATED');
  });

  it('string, long string, property name and class name lengths past the end are AMF_TOO_LONG', () => {
    const cases = [
      new BufferBuilder().u8(0x02).u16be(0xffff).utf8('ab').build(),
      new BufferBuilder().u8(0x0c).u32be(0xffffffff).utf8('ab').build(),
      new BufferBuilder().u8(0x03).u16be(10).utf8('ab').build(),
      new BufferBuilder().u8(0x08).u32be(1).u16be(10).utf8('ab').build(),
      new BufferBuilder().u8(0x10).u16be(10).utf8('ab').build(),
    ];
    for (const buf of cases) expect(codeOf(() => decodeAmf0(buf)), buf.toString('hex')).toBe('AMF_TOO_LONG');
  });
});

describe('markers', () => {
  it('rejects movieclip, reference, recordset, XML document, the AVM+ switch and undefined bytes', () => {
    for (const marker of [0x04, 0x07, 0x0e, 0x0f, 0x11, 0x12, 0x7f, 0xff]) {
      const buf = new BufferBuilder().u8(marker).zeros(16).build();
      expect(codeOf(() => decodeAmf0(buf)), marker.toString(16)).toBe('AMF_UNKNOWN_MARKER');
      const nested = new BufferBuilder().u8(0x0a).u32be(1).u8(marker).zeros(16).build();
      expect(codeOf(() => decodeAmf0(nested)), marker.toString(16)).toBe('AMF_UNKNOWN_MARKER');
    }
  });

  it('rejects an object-end marker where a value is expected, and an empty name without one', () => {
    const cases = [
      new BufferBuilder().u8(0x09).build(),
      new BufferBuilder().u8(0x0a).u32be(1).u8(0x09).build(),
      new BufferBuilder().u8(0x03).u16be(1).utf8('a').u8(0x09).build(),
      new BufferBuilder().u8(0x03).u16be(0).u8(0x05).build(),
      new BufferBuilder().u8(0x08).u32be(0).u16be(0).u8(0x00).build(),
      new BufferBuilder().u8(0x10).u16be(1).utf8('C').u16be(0).u8(0x0a).build(),
    ];
    for (const buf of cases) expect(codeOf(() => decodeAmf0(buf)), buf.toString('hex')).toBe('AMF_BAD_OBJECT');
  });
});

describe('depth', () => {
  // Written as hex so the 100,000-level case builds fast; the bytes are AMF0 §2.5 and §2.12 by hand.
  // { a: { a: ... {} } }: object marker + name 'a' per level, an empty innermost object, then the ends.
  const nestedObjects = (depth: number) =>
    Buffer.from('03000161'.repeat(depth - 1) + '03' + '000009'.repeat(depth), 'hex');
  const nestedArrays = (depth: number) => Buffer.from('0a00000001'.repeat(depth) + '05', 'hex');
  const nestedMixed = (depth: number) => {
    const b = new BufferBuilder();
    for (let i = 0; i < depth; i++) {
      if (i % 3 === 0) b.u8(0x08).u32be(0).u16be(1).utf8('e');
      else if (i % 3 === 1) b.u8(0x10).u16be(1).utf8('T').u16be(1).utf8('t');
      else b.u8(0x0a).u32be(1);
    }
    b.u8(0x05);
    for (let i = depth - 1; i >= 0; i--) if (i % 3 !== 2) b.u8(0).u8(0).u8(0x09);
    return b.build();
  };

  for (const [name, build] of [['objects', nestedObjects], ['strict arrays', nestedArrays], ['mixed containers', nestedMixed]] as const) {
    it(`accepts ${name} nested AMF0_MAX_DEPTH deep and rejects one level more`, () => {
      expect(decodeAmf0(build(AMF0_MAX_DEPTH))).toHaveLength(1);
      expect(codeOf(() => decodeAmf0(build(AMF0_MAX_DEPTH + 1)))).toBe('AMF_TOO_DEEP');
    });
  }

  it('honours maxDepth', () => {
    expect(decodeAmf0(nestedObjects(2), { maxDepth: 2 })).toStrictEqual([{ a: {} }]);
    expect(codeOf(() => decodeAmf0(nestedObjects(3), { maxDepth: 2 }))).toBe('AMF_TOO_DEEP');
    expect(decodeAmf0Value(nestedArrays(40), 0, { maxDepth: 40 }).offset).toBe(40 * 5 + 1);
    expect(codeOf(() => decodeAmf0Value(nestedArrays(41), 0, { maxDepth: 40 }))).toBe('AMF_TOO_DEEP');
    expect(decodeAmf0(Buffer.from('0506', 'hex'), { maxDepth: 0 })).toStrictEqual([null, undefined]);
    expect(codeOf(() => decodeAmf0(Buffer.from('03000009', 'hex'), { maxDepth: 0 }))).toBe('AMF_TOO_DEEP');
  });

  it('stops a hostile 100,000-level nesting with AMF_TOO_DEEP, not a stack overflow', () => {
    expect(codeOf(() => decodeAmf0(nestedArrays(100_000)))).toBe('AMF_TOO_DEEP');
    expect(codeOf(() => decodeAmf0(nestedObjects(100_000)))).toBe('AMF_TOO_DEEP');
  });
});

describe('prototype pollution', () => {
  const withProtoKey = (marker: 'object' | 'ecma' | 'typed') => {
    const b = new BufferBuilder();
    if (marker === 'object') b.u8(0x03);
    else if (marker === 'ecma') b.u8(0x08).u32be(2);
    else b.u8(0x10).u16be(1).utf8('C');
    b.u16be(9).utf8('__proto__').u8(0x03).u16be(8).utf8('polluted').u8(0x01).u8(1).u8(0).u8(0).u8(0x09);
    b.u16be(11).utf8('constructor').u8(0x02).u16be(1).utf8('x');
    return b.u8(0).u8(0).u8(0x09).build();
  };

  for (const marker of ['object', 'ecma', 'typed'] as const) {
    it(`keeps "__proto__" in a decoded ${marker} an ordinary own property`, () => {
      const [decoded] = decodeAmf0(withProtoKey(marker));
      const record = (decoded instanceof Amf0EcmaArray ? decoded.entries : decoded) as Record<string, Amf0Value>;
      expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
      expect(Object.keys(record)).toStrictEqual(['__proto__', 'constructor']);
      expect(Object.getOwnPropertyDescriptor(record, '__proto__')?.value).toStrictEqual({ polluted: true });
      expect(record['constructor']).toBe('x');
      expect((record as { polluted?: unknown }).polluted).toBeUndefined();
      expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
      if (marker !== 'typed') expect(encodeAmf0(decoded).toString('hex')).toBe(withProtoKey(marker).toString('hex'));
    });
  }
});

describe('fuzz', () => {
  const KNOWN: ProtocolErrorCode[] = ['AMF_TRUNCATED', 'AMF_UNKNOWN_MARKER', 'AMF_TOO_DEEP', 'AMF_TOO_LONG', 'AMF_BAD_OBJECT'];

  /** Decodes `buf`; returns 'ok' or the ProtocolError code, and lets anything else fail the test. */
  function outcome(buf: Buffer, options?: Amf0DecodeOptions): string {
    try {
      decodeAmf0(buf, options);
      return 'ok';
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw new Error(`non-ProtocolError for ${buf.toString('hex')}`, { cause: error });
      expect(KNOWN).toContain(error.code);
      return error.code;
    }
  }

  it('random buffers only ever decode or raise a ProtocolError', () => {
    const random = seededRandom(0xa3f0);
    const seen = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const length = Math.floor(random() * 64);
      const buf = randomBytes(random, length);
      // Bias towards valid markers and small lengths so the fuzz gets past the first byte.
      for (let j = 0; j < length; j++) if (random() < 0.6) buf[j] = Math.floor(random() * 0x12) & (random() < 0.5 ? 0x0f : 0xff);
      const result = outcome(buf, i % 4 === 0 ? { maxDepth: 2 } : undefined);
      seen.set(result, (seen.get(result) ?? 0) + 1);
    }
    expect(seen.get('ok')).toBeGreaterThan(0);
    expect(seen.size).toBeGreaterThanOrEqual(5);
  });

  it('mutations of a valid body only ever decode or raise a ProtocolError, and the decoder stays usable', () => {
    const { body, values } = everyTypeBody();
    const valid = body.b.build();
    const random = seededRandom(0x51ed);
    const seen = new Set<string>();
    for (let i = 0; i < 4000; i++) {
      let buf = Buffer.from(valid);
      const edits = 1 + Math.floor(random() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random() * buf.length);
        const kind = random();
        if (kind < 0.6) buf[at] = Math.floor(random() * 256);
        else if (kind < 0.8) buf[at] = (buf[at]! + (random() < 0.5 ? 1 : 255)) & 0xff;
        else if (kind < 0.9) buf = buf.subarray(0, at);
        else buf = Buffer.concat([buf.subarray(0, at), buf.subarray(Math.floor(random() * buf.length))]);
      }
      seen.add(outcome(buf));
    }
    expect(seen.has('ok')).toBe(true);
    expect(seen.size).toBeGreaterThanOrEqual(4);
    expect(decodeAmf0(valid)).toStrictEqual(values);
  });
});
