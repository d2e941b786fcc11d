import { describe, expect, it } from 'vitest';
import { BugError } from '../../../../src/errors.js';
import { FlvReader } from '../../../../src/protocol/flv/flv-reader.js';
import {
  FLV_TAG_HEADER_SIZE,
  FlvTagType,
  flvFileHeader,
  writeFlvTag,
} from '../../../../src/protocol/flv/flv-tag.js';
import { BufferBuilder, randomBytes, seededRandom, splitsOf } from '../../../helpers/buffer-builder.js';

const CASES = [
  { type: FlvTagType.Script, timestamp: 0, payload: Buffer.from('02000a6f6e4d65746164617461', 'hex') },
  { type: FlvTagType.Video, timestamp: 40, payload: Buffer.from('1700000000014d401e', 'hex') },
  { type: FlvTagType.Audio, timestamp: 0, payload: Buffer.alloc(0) },
  { type: FlvTagType.Audio, timestamp: 0xffffff, payload: Buffer.from('af01', 'hex') },
  // Above 24 bits the upper byte goes to TimestampExtended (FLV v10.1 E.4.1): 4.66 hours and beyond.
  { type: FlvTagType.Video, timestamp: 0x01000000, payload: Buffer.from('27010000', 'hex') },
  { type: FlvTagType.Video, timestamp: 0x12345678, payload: Buffer.from('27010000', 'hex') },
  { type: FlvTagType.Audio, timestamp: 0xffffffff, payload: Buffer.from('af01ff', 'hex') },
];

/** The expected bytes, built field by field from E.4.1 without the writer. */
function expectedTag(type: number, timestamp: number, payload: Buffer): Buffer {
  return new BufferBuilder()
    .u8(type)
    .u24be(payload.length)
    .u24be(timestamp % 0x1000000)
    .u8(Math.floor(timestamp / 0x1000000))
    .u24be(0)
    .bytes(payload)
    .u32be(FLV_TAG_HEADER_SIZE + payload.length)
    .build();
}

describe('flvFileHeader', () => {
  it('writes the 9-byte v1 header and PreviousTagSize0', () => {
    const header = (flags: number) => new BufferBuilder().utf8('FLV').u8(1).u8(flags).u32be(9).u32be(0).build();
    expect(flvFileHeader({ audio: true, video: true })).toEqual(header(0x05));
    expect(flvFileHeader({ audio: true, video: false })).toEqual(header(0x04));
    expect(flvFileHeader({ audio: false, video: true })).toEqual(header(0x01));
    expect(flvFileHeader({ audio: false, video: false })).toEqual(header(0x00));
  });
});

describe('writeFlvTag', () => {
  for (const c of CASES) {
    it(`type ${c.type}, timestamp 0x${c.timestamp.toString(16)}, ${c.payload.length} bytes`, () => {
      expect(writeFlvTag(c.type, c.timestamp, c.payload)).toEqual(expectedTag(c.type, c.timestamp, c.payload));
    });
  }

  it('writes a payload of the largest 24-bit size and refuses a larger one as our bug', () => {
    const largest = Buffer.alloc(0xffffff, 0x5a);
    const out = writeFlvTag(FlvTagType.Video, 1, largest);
    expect(out.length).toBe(11 + 0xffffff + 4);
    expect(out.readUIntBE(1, 3)).toBe(0xffffff);
    expect(out.readUInt32BE(out.length - 4)).toBe(11 + 0xffffff);
    expect(() => writeFlvTag(FlvTagType.Video, 1, Buffer.alloc(0x1000000))).toThrow(BugError);
  });

  it('mirrors through FlvReader: header and tags read back equal, whole and split at every offset', () => {
    const stream = Buffer.concat([
      flvFileHeader({ audio: true, video: true }),
      ...CASES.map((c) => writeFlvTag(c.type, c.timestamp, c.payload)),
    ]);
    const expected = CASES.map((c) => ({ type: c.type, timestamp: c.timestamp, payload: c.payload.toString('hex') }));
    for (const [head, tail, at] of splitsOf(stream)) {
      const reader = new FlvReader();
      const tags = [...reader.push(head), ...reader.push(tail)];
      expect(reader.header, `split at ${at}`).toEqual({ audio: true, video: true });
      expect(
        tags.map((t) => ({ type: t.type, timestamp: t.timestamp, payload: t.payload.toString('hex') })),
        `split at ${at}`,
      ).toEqual(expected);
    }
  });

  it('mirrors random tags through FlvReader', () => {
    const random = seededRandom(7);
    const types = [FlvTagType.Audio, FlvTagType.Video, FlvTagType.Script];
    const tags = Array.from({ length: 100 }, () => ({
      type: types[Math.floor(random() * 3)] as number,
      timestamp: Math.floor(random() * 2 ** 32),
      payload: randomBytes(random, Math.floor(random() * 1000)),
    }));
    const reader = new FlvReader();
    const written = tags.map((t) => writeFlvTag(t.type, t.timestamp, t.payload));
    const read = reader.push(Buffer.concat([flvFileHeader({ audio: true, video: false }), ...written]));
    expect(read).toEqual(tags);
  });
});
