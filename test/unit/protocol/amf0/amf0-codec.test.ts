import { describe, expect, it } from 'vitest';
import { BufferBuilder } from '../../../helpers/buffer-builder.js';
import { AMF0_MAX_DEPTH, Amf0EcmaArray, asRecord, decodeAmf0, decodeAmf0Value, encodeAmf0 } from '../../../../src/protocol/amf0/index.js';
import type { Amf0Value } from '../../../../src/protocol/amf0/index.js';

/** U16 length + UTF-8: an AMF0 string body or a property name. */
const utf8 = (b: BufferBuilder, text: string) => b.u16be(Buffer.byteLength(text)).utf8(text);
const str = (b: BufferBuilder, text: string) => utf8(b.u8(0x02), text);
const num = (b: BufferBuilder, value: number) => b.u8(0x00).f64be(value);
const bool = (b: BufferBuilder, value: boolean) => b.u8(0x01).u8(value ? 1 : 0);
const end = (b: BufferBuilder) => b.u8(0x00).u8(0x00).u8(0x09);
const bytes = (build: (b: BufferBuilder) => unknown) => {
  const b = new BufferBuilder();
  build(b);
  return b.build();
};

interface Fixture {
  name: string;
  value: Amf0Value;
  bytes: Buffer;
}

/** Every type, with bytes written from the spec by hand; the encoder must produce exactly these. */
const fixtures: Fixture[] = [
  { name: 'number', value: 1.5, bytes: Buffer.from('003ff8000000000000', 'hex') },
  { name: 'negative zero', value: -0, bytes: Buffer.from('008000000000000000', 'hex') },
  { name: 'NaN', value: Number.NaN, bytes: bytes((b) => num(b, Number.NaN)) },
  { name: 'boolean true', value: true, bytes: Buffer.from('0101', 'hex') },
  { name: 'boolean false', value: false, bytes: Buffer.from('0100', 'hex') },
  { name: 'string', value: 'connect', bytes: Buffer.from('0200' + '07' + '636f6e6e656374', 'hex') },
  { name: 'empty string', value: '', bytes: Buffer.from('020000', 'hex') },
  { name: 'UTF-8 string', value: '凯亚 é', bytes: bytes((b) => str(b, '凯亚 é')) },
  { name: 'null', value: null, bytes: Buffer.from('05', 'hex') },
  { name: 'undefined', value: undefined, bytes: Buffer.from('06', 'hex') },
  { name: 'date', value: new Date(1_700_000_000_123), bytes: bytes((b) => b.u8(0x0b).f64be(1_700_000_000_123).i16be(0)) },
  { name: 'empty object', value: {}, bytes: Buffer.from('03000009', 'hex') },
  {
    name: 'object',
    value: { a: 1, b: 'x' },
    bytes: bytes((b) => {
      num(utf8(b.u8(0x03), 'a'), 1);
      str(utf8(b, 'b'), 'x');
      end(b);
    }),
  },
  {
    name: 'ECMA array',
    value: new Amf0EcmaArray({ width: 1280, stereo: true }),
    bytes: bytes((b) => {
      b.u8(0x08).u32be(2);
      num(utf8(b, 'width'), 1280);
      bool(utf8(b, 'stereo'), true);
      end(b);
    }),
  },
  { name: 'empty ECMA array', value: new Amf0EcmaArray({}), bytes: Buffer.from('0800000000000009', 'hex') },
  {
    name: 'strict array',
    value: [1, 'a', null],
    bytes: bytes((b) => {
      b.u8(0x0a).u32be(3);
      num(b, 1);
      str(b, 'a');
      b.u8(0x05);
    }),
  },
  { name: 'empty strict array', value: [], bytes: Buffer.from('0a00000000', 'hex') },
  {
    name: 'nested',
    value: { list: [{ deep: new Amf0EcmaArray({ when: new Date(0), none: undefined }) }], ok: false },
    bytes: bytes((b) => {
      utf8(b.u8(0x03), 'list').u8(0x0a).u32be(1);
      utf8(b.u8(0x03), 'deep').u8(0x08).u32be(2);
      utf8(b, 'when').u8(0x0b).f64be(0).i16be(0);
      utf8(b, 'none').u8(0x06);
      end(b); // ECMA array
      end(b); // inner object
      bool(utf8(b, 'ok'), false);
      end(b);
    }),
  },
];

/** A Flash-style `connect` command body: name, transaction id, command object (RTMP spec §7.2.1.1). */
const connectValues: Amf0Value[] = [
  'connect',
  1,
  {
    app: 'live',
    flashVer: 'LNX 9,0,124,2',
    tcUrl: 'rtmp://127.0.0.1:1935/live',
    fpad: false,
    capabilities: 15,
    audioCodecs: 4071,
    videoCodecs: 252,
    videoFunction: 1,
    objectEncoding: 0,
  },
];
const connectBody = bytes((b) => {
  str(b, 'connect');
  num(b, 1);
  b.u8(0x03);
  str(utf8(b, 'app'), 'live');
  str(utf8(b, 'flashVer'), 'LNX 9,0,124,2');
  str(utf8(b, 'tcUrl'), 'rtmp://127.0.0.1:1935/live');
  bool(utf8(b, 'fpad'), false);
  num(utf8(b, 'capabilities'), 15);
  num(utf8(b, 'audioCodecs'), 4071);
  num(utf8(b, 'videoCodecs'), 252);
  num(utf8(b, 'videoFunction'), 1);
  num(utf8(b, 'objectEncoding'), 0);
  end(b);
});

/** ffmpeg's FLV/RTMP muxer: '@setDataFrame', 'onMetaData', then an ECMA array with the entry count. */
const metadata: Array<[string, number | boolean | string]> = [
  ['duration', 0],
  ['width', 1280],
  ['height', 720],
  ['videodatarate', 2441.40625],
  ['framerate', 30],
  ['videocodecid', 7],
  ['audiodatarate', 125],
  ['audiosamplerate', 48000],
  ['audiosamplesize', 16],
  ['stereo', true],
  ['audiocodecid', 10],
  ['encoder', 'Lavf60.16.100'],
  ['filesize', 0],
];
const metadataBody = (countHint: number) =>
  bytes((b) => {
    str(b, '@setDataFrame');
    str(b, 'onMetaData');
    b.u8(0x08).u32be(countHint);
    for (const [key, value] of metadata) {
      utf8(b, key);
      if (typeof value === 'number') num(b, value);
      else if (typeof value === 'boolean') bool(b, value);
      else str(b, value);
    }
    end(b);
  });
const metadataValues: Amf0Value[] = ['@setDataFrame', 'onMetaData', new Amf0EcmaArray(Object.fromEntries(metadata))];

describe('AMF0 fixtures', () => {
  for (const fixture of fixtures) {
    describe(fixture.name, () => {
      it('decodes from the hand-built bytes', () => {
        expect(decodeAmf0Value(fixture.bytes, 0)).toStrictEqual({ value: fixture.value, offset: fixture.bytes.length });
      });
      it('encodes to exactly the hand-built bytes', () => {
        expect(encodeAmf0(fixture.value).toString('hex')).toBe(fixture.bytes.toString('hex'));
      });
      it('round trips', () => {
        expect(decodeAmf0(encodeAmf0(fixture.value))).toStrictEqual([fixture.value]);
      });
    });
  }

  it('decodes at an offset and returns the offset after the value', () => {
    const buf = Buffer.concat([Buffer.from('ffff', 'hex'), fixtures[0]!.bytes, Buffer.from('05', 'hex')]);
    expect(decodeAmf0Value(buf, 2)).toStrictEqual({ value: 1.5, offset: 11 });
    expect(decodeAmf0Value(buf, 11)).toStrictEqual({ value: null, offset: 12 });
  });

  it('encodes several values back to back', () => {
    const all = fixtures.map((f) => f.value);
    expect(encodeAmf0(...all).toString('hex')).toBe(Buffer.concat(fixtures.map((f) => f.bytes)).toString('hex'));
    expect(decodeAmf0(encodeAmf0(...all))).toStrictEqual(all);
    expect(encodeAmf0().length).toBe(0);
    expect(decodeAmf0(Buffer.alloc(0))).toStrictEqual([]);
  });
});

describe('AMF0 decode-only forms', () => {
  it('reads a long string (0x0c) of any length', () => {
    expect(decodeAmf0(bytes((b) => b.u8(0x0c).u32be(3).utf8('abc')))).toStrictEqual(['abc']);
  });

  it('reads any non-zero boolean byte as true', () => {
    expect(decodeAmf0(Buffer.from('01ff', 'hex'))).toStrictEqual([true]);
  });

  it('ignores the date time zone', () => {
    expect(decodeAmf0(bytes((b) => b.u8(0x0b).f64be(86_400_000).i16be(-480)))).toStrictEqual([new Date(86_400_000)]);
  });

  it('reads a typed object (0x10) as a plain object, dropping the class name', () => {
    const buf = bytes((b) => {
      utf8(b.u8(0x10), 'org.example.Point');
      num(utf8(b, 'x'), 3);
      end(b);
    });
    expect(decodeAmf0(buf)).toStrictEqual([{ x: 3 }]);
  });

  it("reads 'unsupported' (0x0d) as undefined", () => {
    expect(decodeAmf0(Buffer.from('0d05', 'hex'))).toStrictEqual([undefined, null]);
  });

  it('keeps the last value of a repeated property name', () => {
    const buf = bytes((b) => {
      num(utf8(b.u8(0x03), 'a'), 1);
      num(utf8(b, 'a'), 2);
      end(b);
    });
    expect(decodeAmf0(buf)).toStrictEqual([{ a: 2 }]);
  });
});

describe('RTMP bodies', () => {
  it('decodes a connect command', () => {
    expect(decodeAmf0(connectBody)).toStrictEqual(connectValues);
    expect(encodeAmf0(...connectValues).toString('hex')).toBe(connectBody.toString('hex'));
  });

  it('decodes onMetaData as ffmpeg sends it, with the true count or a count hint of 0', () => {
    expect(decodeAmf0(metadataBody(metadata.length))).toStrictEqual(metadataValues);
    expect(decodeAmf0(metadataBody(0))).toStrictEqual(metadataValues);
    expect(decodeAmf0(metadataBody(0xffffffff))).toStrictEqual(metadataValues);
    expect(encodeAmf0(...metadataValues).toString('hex')).toBe(metadataBody(metadata.length).toString('hex'));
    expect(asRecord(decodeAmf0(metadataBody(0))[2]!)?.['width']).toBe(1280);
  });
});

describe('encoder', () => {
  it('switches to a long string above 0xFFFF UTF-8 bytes, counting bytes not characters', () => {
    const limit = 'x'.repeat(0xffff);
    expect(encodeAmf0(limit).subarray(0, 3).toString('hex')).toBe('02ffff');
    const over = 'x'.repeat(0x10000);
    expect(encodeAmf0(over).subarray(0, 5).toString('hex')).toBe('0c00010000');
    const wide = 'é'.repeat(0x8000); // 32768 characters, 65536 bytes
    const encoded = encodeAmf0(wide);
    expect(encoded.subarray(0, 5).toString('hex')).toBe('0c00010000');
    expect(encoded.length).toBe(5 + 0x10000);
  });

  it('round trips a string longer than 64 KiB, alone and nested', () => {
    const long = '凯亚'.repeat(40_000); // 240,000 bytes
    expect(decodeAmf0(encodeAmf0(long))).toStrictEqual([long]);
    const nested = { title: long, tags: [long, 'short'] };
    expect(decodeAmf0(encodeAmf0('x', nested, 2))).toStrictEqual(['x', nested, 2]);
  });

  it('round trips special numbers and a value nested AMF0_MAX_DEPTH deep', () => {
    const numbers = [0, -0, Number.NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53 + 2];
    expect(decodeAmf0(encodeAmf0(...numbers))).toStrictEqual(numbers);
    let deep: Amf0Value = 'leaf';
    for (let i = 0; i < AMF0_MAX_DEPTH; i++) deep = i % 3 === 0 ? [deep] : i % 3 === 1 ? { k: deep } : new Amf0EcmaArray({ k: deep });
    expect(decodeAmf0(encodeAmf0(deep))).toStrictEqual([deep]);
  });

  it('encodes a hole in an array as undefined', () => {
    expect(encodeAmf0([, 1] as Amf0Value[]).toString('hex')).toBe('0a0000000206003ff0000000000000');
  });

  it('rejects what AMF0 cannot carry with a TypeError', () => {
    expect(() => encodeAmf0({ ['k'.repeat(0x10000)]: 1 })).toThrow(TypeError);
    expect(encodeAmf0({ ['k'.repeat(0xffff)]: 1 }).length).toBe(1 + 2 + 0xffff + 9 + 3);
    expect(() => encodeAmf0(new Amf0EcmaArray({ ['é'.repeat(0x8000)]: 1 }))).toThrow(TypeError);
    expect(() => encodeAmf0({ '': 1 })).toThrow(TypeError);
    expect(() => encodeAmf0((() => 1) as unknown as Amf0Value)).toThrow(TypeError);
    expect(() => encodeAmf0(1n as unknown as Amf0Value)).toThrow(TypeError);
    expect(() => encodeAmf0(Symbol('s') as unknown as Amf0Value)).toThrow(TypeError);
    expect(() => encodeAmf0(new Map() as unknown as Amf0Value)).toThrow(TypeError);
    expect(() => encodeAmf0(Buffer.from('ab') as unknown as Amf0Value)).toThrow(TypeError);
  });

  it('rejects nesting the decoder would refuse, and cycles, with a TypeError', () => {
    let deep: Amf0Value = 1;
    for (let i = 0; i < AMF0_MAX_DEPTH + 1; i++) deep = [deep];
    expect(() => encodeAmf0(deep)).toThrow(TypeError);
    const cycle: Record<string, Amf0Value> = {};
    cycle['self'] = cycle;
    expect(() => encodeAmf0(cycle)).toThrow(TypeError);
  });

  it('accepts objects without a prototype', () => {
    const bare = Object.create(null) as Record<string, Amf0Value>;
    bare['a'] = 1;
    expect(decodeAmf0(encodeAmf0(bare))).toStrictEqual([{ a: 1 }]);
  });
});

describe('asRecord', () => {
  it('returns the record of an object or an ECMA array, else undefined', () => {
    const object = { a: 1 };
    const entries = { b: 2 };
    expect(asRecord(object)).toBe(object);
    expect(asRecord(new Amf0EcmaArray(entries))).toBe(entries);
    for (const other of [1, true, 'x', null, undefined, new Date(0), [object]] as Amf0Value[]) {
      expect(asRecord(other)).toBeUndefined();
    }
  });
});
