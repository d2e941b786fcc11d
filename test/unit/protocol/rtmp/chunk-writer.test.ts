import { describe, expect, it } from 'vitest';
import { BugError } from '../../../../src/errors.js';
import { ChunkReader } from '../../../../src/protocol/rtmp/chunk-reader.js';
import { writeMessage } from '../../../../src/protocol/rtmp/chunk-writer.js';
import { setChunkSize } from '../../../../src/protocol/rtmp/control-messages.js';
import { DEFAULT_CHUNK_SIZE, type RtmpMessage } from '../../../../src/protocol/rtmp/message-types.js';
import { BufferBuilder, randomBytes, seededRandom } from '../../../helpers/buffer-builder.js';

function message(csid: number, timestamp: number, payload: Buffer, typeId = 9, streamId = 1): RtmpMessage {
  return { csid, timestamp, typeId, streamId, payload };
}

describe('writeMessage', () => {
  it('writes a one-chunk message with a type-0 header (spec 5.3.1.2.1)', () => {
    const out = writeMessage(message(3, 0x010203, Buffer.from([0xaa, 0xbb]), 20, 0x04030201), 128);
    const expected = new BufferBuilder()
      .u8(0x03)
      .u24be(0x010203)
      .u24be(2)
      .u8(20)
      .u32le(0x04030201)
      .bytes([0xaa, 0xbb])
      .build();
    expect(out).toEqual(expected);
  });

  it('writes a zero-length message as one header', () => {
    expect(writeMessage(message(3, 7, Buffer.alloc(0), 18, 1), 128)).toEqual(
      new BufferBuilder().u8(0x03).u24be(7).u24be(0).u8(18).u32le(1).build(),
    );
  });

  it('continues with type-3 chunks at the chunk size', () => {
    const payload = randomBytes(seededRandom(1), 300);
    const expected = new BufferBuilder()
      .u8(0x06)
      .u24be(1000)
      .u24be(300)
      .u8(9)
      .u32le(1)
      .bytes(payload.subarray(0, 128))
      .u8(0xc6)
      .bytes(payload.subarray(128, 256))
      .u8(0xc6)
      .bytes(payload.subarray(256))
      .build();
    expect(writeMessage(message(6, 1000, payload), 128)).toEqual(expected);
  });

  it('encodes chunk stream ids in 1, 2 and 3-byte basic headers (spec 5.3.1.1)', () => {
    const payload = Buffer.from([1, 2, 3]);
    const cases: [number, number[]][] = [
      [2, [0x02]],
      [63, [0x3f]],
      [64, [0x00, 0x00]],
      [319, [0x00, 0xff]],
      [320, [0x01, 0x00, 0x01]],
      [65599, [0x01, 0xff, 0xff]],
    ];
    for (const [csid, basic] of cases) {
      const out = writeMessage(message(csid, 0, payload), 2);
      const continuation = [...basic];
      continuation[0] = (continuation[0] as number) | 0xc0;
      const expected = new BufferBuilder()
        .bytes(basic)
        .u24be(0)
        .u24be(3)
        .u8(9)
        .u32le(1)
        .bytes([1, 2])
        .bytes(continuation)
        .bytes([3])
        .build();
      expect(out, `csid ${csid}`).toEqual(expected);
    }
  });

  it('writes the extended timestamp in every chunk from 0xFFFFFF up (spec 5.3.1.3)', () => {
    const payload = randomBytes(seededRandom(2), 5);
    for (const ts of [0xffffff, 0xffffffff]) {
      const expected = new BufferBuilder()
        .u8(0x04)
        .u24be(0xffffff)
        .u24be(5)
        .u8(8)
        .u32le(1)
        .u32be(ts)
        .bytes(payload.subarray(0, 3))
        .u8(0xc4)
        .u32be(ts)
        .bytes(payload.subarray(3))
        .build();
      expect(writeMessage(message(4, ts, payload, 8), 3)).toEqual(expected);
    }
    const below = writeMessage(message(4, 0xfffffe, payload, 8), 3);
    expect(below.readUIntBE(1, 3)).toBe(0xfffffe);
    expect(below.length).toBe(12 + 1 + 5);
  });

  it('wraps timestamps to u32', () => {
    const out = writeMessage(message(4, 2 ** 32 + 5, Buffer.alloc(1)), 128);
    expect(out.readUIntBE(1, 3)).toBe(5);
  });

  it('refuses what it cannot encode', () => {
    expect(() => writeMessage(message(1, 0, Buffer.alloc(1)), 128)).toThrow(BugError);
    expect(() => writeMessage(message(65600, 0, Buffer.alloc(1)), 128)).toThrow(BugError);
    expect(() => writeMessage(message(3, 0, Buffer.alloc(1)), 0)).toThrow(BugError);
    expect(() => writeMessage(message(3, 0, Buffer.alloc(0x1000000)), 65536)).toThrow(BugError);
  });
});

describe('writeMessage mirrored through ChunkReader', () => {
  const chunkSizes = [1, 128, 4096, 65536];

  for (const chunkSize of chunkSizes) {
    it(`round-trips at chunk size ${chunkSize}`, () => {
      const random = seededRandom(chunkSize);
      const payloadSizes = [0, 1, chunkSize - 1, chunkSize, chunkSize + 1, 3 * chunkSize];
      const messages: RtmpMessage[] = [];
      const csids = [3, 63, 64, 319, 320, 65599];
      const timestamps = [0, 1000, 0xfffffe, 0xffffff, 0x12345678, 0xffffffff];
      for (const size of payloadSizes) {
        for (let i = 0; i < csids.length; i++) {
          messages.push(message(csids[i] as number, timestamps[i] as number, randomBytes(random, size), 8 + i, i));
        }
      }

      const reader = new ChunkReader();
      const control = reader.push(writeMessage(setChunkSize(chunkSize), DEFAULT_CHUNK_SIZE));
      expect(control).toHaveLength(1);
      expect(reader.chunkSize).toBe(chunkSize);

      const stream = Buffer.concat(messages.map((m) => writeMessage(m, chunkSize)));
      const parsed = reader.push(stream);
      expect(parsed.length).toBe(messages.length);
      for (let i = 0; i < messages.length; i++) {
        const [got, want] = [parsed[i] as RtmpMessage, messages[i] as RtmpMessage];
        expect({ ...got, payload: got.payload.length }).toEqual({ ...want, payload: want.payload.length });
        expect(got.payload.equals(want.payload), `payload of message ${i}`).toBe(true);
      }
    });
  }

  it('round-trips messages interleaved chunk by chunk across chunk streams', () => {
    const random = seededRandom(7);
    const chunkSize = 64;
    const video = message(6, 0x1000000, randomBytes(random, 1000));
    const audio = message(4, 20, randomBytes(random, 150), 8);
    const chunksOf = (out: Buffer, headerLength: number, perChunk: number): Buffer[] => {
      const pieces = [out.subarray(0, headerLength + chunkSize)];
      for (let at = headerLength + chunkSize; at < out.length; at += perChunk + chunkSize) {
        pieces.push(out.subarray(at, at + perChunk + chunkSize));
      }
      return pieces;
    };
    const videoChunks = chunksOf(writeMessage(video, chunkSize), 16, 5);
    const audioChunks = chunksOf(writeMessage(audio, chunkSize), 12, 1);
    const interleaved: Buffer[] = [];
    for (let i = 0; i < Math.max(videoChunks.length, audioChunks.length); i++) {
      if (videoChunks[i]) interleaved.push(videoChunks[i] as Buffer);
      if (audioChunks[i]) interleaved.push(audioChunks[i] as Buffer);
    }
    const reader = new ChunkReader();
    reader.push(writeMessage(setChunkSize(chunkSize), DEFAULT_CHUNK_SIZE));
    expect(reader.push(Buffer.concat(interleaved))).toEqual([audio, video]);
  });
});
