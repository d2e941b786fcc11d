import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../../src/errors.js';
import { FlvReader } from '../../../../src/protocol/flv/flv-reader.js';
import { MAX_FLV_TAG_SIZE, type FlvTag } from '../../../../src/protocol/flv/flv-tag.js';
import { BufferBuilder, randomBytes, seededRandom, splitsOf } from '../../../helpers/buffer-builder.js';

/** FLV v10.1 E.2 header: 'FLV', version, TypeFlags, DataOffset; then PreviousTagSize0. */
function fileHeader(b: BufferBuilder, flags = 0x05, dataOffset = 9, extra: number[] = []): BufferBuilder {
  return b.utf8('FLV').u8(1).u8(flags).u32be(dataOffset).bytes(extra).u32be(0);
}

/** E.4.1 tag header, payload, then PreviousTagSize. */
function tag(b: BufferBuilder, type: number, timestamp: number, payload: Buffer, previousTagSize?: number): BufferBuilder {
  return b
    .u8(type)
    .u24be(payload.length)
    .u24be(timestamp & 0xffffff)
    .u8(Math.floor(timestamp / 0x1000000) & 0xff)
    .u24be(0)
    .bytes(payload)
    .u32be(previousTagSize ?? 11 + payload.length);
}

const TAGS: FlvTag[] = [
  { type: 18, timestamp: 0, payload: Buffer.from('02000a6f6e4d65746164617461', 'hex') },
  { type: 9, timestamp: 0, payload: Buffer.from('1700000000014d401effe1', 'hex') },
  { type: 8, timestamp: 0, payload: Buffer.from('af001210', 'hex') },
  { type: 9, timestamp: 33, payload: Buffer.from('2701000042' + 'ab'.repeat(40), 'hex') },
  { type: 8, timestamp: 23, payload: Buffer.alloc(0) },
  { type: 8, timestamp: 0xffffff, payload: Buffer.from('af01cafe', 'hex') },
  { type: 9, timestamp: 0x01000000, payload: Buffer.from('2701000000', 'hex') },
  { type: 9, timestamp: 0xfedcba98, payload: Buffer.from('1701000000', 'hex') },
];

function stream(tags: FlvTag[] = TAGS, header = fileHeader(new BufferBuilder())): Buffer {
  for (const t of tags) tag(header, t.type, t.timestamp, t.payload);
  return header.build();
}

function normalise(tags: FlvTag[]): { type: number; timestamp: number; payload: string }[] {
  return tags.map((t) => ({ type: t.type, timestamp: t.timestamp, payload: t.payload.toString('hex') }));
}

function thrown(fn: () => unknown): ProtocolError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return error as ProtocolError;
  }
  throw new Error('expected a ProtocolError');
}

describe('FlvReader', () => {
  const expected = normalise(TAGS);

  it('reads a whole stream in one push', () => {
    const reader = new FlvReader();
    expect(reader.header).toBeUndefined();
    expect(normalise(reader.push(stream()))).toEqual(expected);
    expect(reader.header).toEqual({ audio: true, video: true });
  });

  it('reads the stream split in two at every offset', () => {
    for (const [head, tail, at] of splitsOf(stream())) {
      const reader = new FlvReader();
      const tags = [...reader.push(head), ...reader.push(tail)];
      expect(normalise(tags), `split at ${at}`).toEqual(expected);
    }
  });

  it('reads the stream one byte at a time', () => {
    const input = stream();
    const reader = new FlvReader();
    const tags: FlvTag[] = [];
    for (let i = 0; i < input.length; i++) tags.push(...reader.push(input.subarray(i, i + 1)));
    expect(normalise(tags)).toEqual(expected);
  });

  it('returns a tag only once its PreviousTagSize has arrived', () => {
    const input = stream(TAGS.slice(0, 1));
    const reader = new FlvReader();
    expect(reader.push(input.subarray(0, input.length - 1))).toEqual([]);
    expect(reader.push(input.subarray(input.length - 1))).toHaveLength(1);
  });

  it('returns a payload that arrived in one push as a view, and one split across pushes as its own copy', () => {
    const input = stream(TAGS.slice(3, 4));
    const payloadStart = 13 + 11;
    const whole = new FlvReader().push(input)[0]!;
    input[payloadStart] = 0x99;
    expect(whole.payload[0]).toBe(0x99);

    const reader = new FlvReader();
    reader.push(input.subarray(0, 30));
    const split = reader.push(input.subarray(30))[0]!;
    input[payloadStart] = 0x27;
    expect(split.payload[0]).toBe(0x99);
    expect(split.payload.subarray(1).equals(TAGS[3]!.payload.subarray(1))).toBe(true);
  });

  it('reports the TypeFlags of the header', () => {
    for (const [flags, header] of [
      [0x01, { audio: false, video: true }],
      [0x04, { audio: true, video: false }],
      [0x00, { audio: false, video: false }],
    ] as const) {
      const reader = new FlvReader();
      reader.push(fileHeader(new BufferBuilder(), flags).build());
      expect(reader.header).toEqual(header);
    }
  });

  it('skips header bytes beyond a DataOffset larger than 9', () => {
    const input = stream(TAGS, fileHeader(new BufferBuilder(), 0x05, 12, [0xaa, 0xbb, 0xcc]));
    for (const [head, tail] of splitsOf(input)) {
      const reader = new FlvReader();
      expect(normalise([...reader.push(head), ...reader.push(tail)])).toEqual(expected);
    }
  });

  describe('malformed headers raise FLV_BAD_HEADER', () => {
    it('a wrong signature', () => {
      expect(thrown(() => new FlvReader().push(Buffer.from('FLX\x01\x05\x00\x00\x00\x09', 'latin1'))).code).toBe(
        'FLV_BAD_HEADER',
      );
    });
    it('a version other than 1', () => {
      const input = new BufferBuilder().utf8('FLV').u8(2).u8(5).u32be(9).build();
      expect(thrown(() => new FlvReader().push(input)).code).toBe('FLV_BAD_HEADER');
    });
    it('a DataOffset smaller than the header', () => {
      const input = new BufferBuilder().utf8('FLV').u8(1).u8(5).u32be(8).build();
      expect(thrown(() => new FlvReader().push(input)).code).toBe('FLV_BAD_HEADER');
    });
    it('HTTP junk instead of FLV', () => {
      expect(thrown(() => new FlvReader().push(Buffer.from('HTTP/1.1 404 Not Found\r\n'))).code).toBe('FLV_BAD_HEADER');
    });
  });

  describe('malformed tags raise FLV_BAD_TAG', () => {
    const header = () => fileHeader(new BufferBuilder());
    it('an unknown tag type', () => {
      expect(thrown(() => new FlvReader().push(tag(header(), 7, 0, Buffer.from([1])).build())).code).toBe('FLV_BAD_TAG');
    });
    it('the Filter (encrypted) bit', () => {
      expect(thrown(() => new FlvReader().push(tag(header(), 0x20 | 9, 0, Buffer.from([1])).build())).code).toBe(
        'FLV_BAD_TAG',
      );
    });
    it('reserved bits set', () => {
      expect(thrown(() => new FlvReader().push(tag(header(), 0x40 | 8, 0, Buffer.from([1])).build())).code).toBe(
        'FLV_BAD_TAG',
      );
    });
    it('a PreviousTagSize that does not match the tag', () => {
      const input = tag(header(), 9, 0, Buffer.from([0x17, 1, 0, 0, 0]), 15).build();
      expect(thrown(() => new FlvReader().push(input)).code).toBe('FLV_BAD_TAG');
    });
  });

  describe('tag size limit', () => {
    /** Just the tag header: the limit must trip before any payload is buffered. */
    const headerOfTagOfSize = (size: number) =>
      fileHeader(new BufferBuilder()).u8(9).u24be(size).u24be(0).u8(0).u24be(0).build();

    it('accepts a tag of exactly MAX_FLV_TAG_SIZE and rejects one byte more with FLV_TAG_TOO_LARGE', () => {
      expect(new FlvReader().push(headerOfTagOfSize(MAX_FLV_TAG_SIZE))).toEqual([]);
      expect(thrown(() => new FlvReader().push(headerOfTagOfSize(MAX_FLV_TAG_SIZE + 1))).code).toBe('FLV_TAG_TOO_LARGE');
    });

    it('honours maxTagSize', () => {
      const at = stream([{ type: 8, timestamp: 0, payload: Buffer.alloc(100, 0xaf) }]);
      expect(new FlvReader({ maxTagSize: 100 }).push(at)).toHaveLength(1);
      expect(thrown(() => new FlvReader({ maxTagSize: 99 }).push(at)).code).toBe('FLV_TAG_TOO_LARGE');
    });
  });

  it('is unusable after a throw: every later push raises the same error', () => {
    const reader = new FlvReader();
    const first = thrown(() => reader.push(Buffer.from('XYZ\x01\x05\x00\x00\x00\x09', 'latin1')));
    expect(thrown(() => reader.push(stream()))).toBe(first);
    expect(thrown(() => reader.push(Buffer.alloc(0)))).toBe(first);
  });

  it('fuzz: random and mutated streams only ever return tags or raise ProtocolError', () => {
    const random = seededRandom(0xf1f);
    const valid = stream();
    for (let i = 0; i < 3_000; i++) {
      let input: Buffer;
      if (i % 3 === 0) {
        input = randomBytes(random, Math.floor(random() * 200));
      } else if (i % 3 === 1) {
        input = Buffer.concat([fileHeader(new BufferBuilder()).build(), randomBytes(random, Math.floor(random() * 400))]);
      } else {
        input = Buffer.from(valid);
        const edits = 1 + Math.floor(random() * 3);
        for (let e = 0; e < edits; e++) input[Math.floor(random() * input.length)] = Math.floor(random() * 256);
      }
      const reader = new FlvReader({ maxTagSize: 1 + Math.floor(random() * 300) });
      let pos = 0;
      try {
        while (pos < input.length) {
          const size = 1 + Math.floor(random() * 64);
          for (const t of reader.push(input.subarray(pos, pos + size))) {
            expect([8, 9, 18]).toContain(t.type);
          }
          pos += size;
        }
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        expect(['FLV_BAD_HEADER', 'FLV_TAG_TOO_LARGE', 'FLV_BAD_TAG']).toContain(error.code);
      }
    }
  });
});
