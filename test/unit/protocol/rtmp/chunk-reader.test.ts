import { describe, expect, it } from 'vitest';
import { BugError, ProtocolError } from '../../../../src/errors.js';
import { ChunkReader, type ChunkReaderOptions } from '../../../../src/protocol/rtmp/chunk-reader.js';
import {
  DEFAULT_CHUNK_SIZE,
  MAX_CHUNK_SIZE,
  MAX_CHUNK_STREAMS,
  MAX_MESSAGE_LENGTH,
  type RtmpMessage,
} from '../../../../src/protocol/rtmp/message-types.js';
import { BufferBuilder, randomBytes, seededRandom, splitsOf } from '../../../helpers/buffer-builder.js';

// Hand-built chunk headers (spec 5.3.1), independent of the production writer.

function basicHeader(b: BufferBuilder, fmt: number, csid: number): BufferBuilder {
  if (csid < 64) return b.u8((fmt << 6) | csid);
  if (csid < 320) return b.u8(fmt << 6).u8(csid - 64);
  return b
    .u8((fmt << 6) | 1)
    .u8((csid - 64) % 256)
    .u8(Math.floor((csid - 64) / 256));
}

function type0(b: BufferBuilder, csid: number, timestamp: number, length: number, typeId: number, streamId: number) {
  basicHeader(b, 0, csid);
  b.u24be(Math.min(timestamp, 0xffffff)).u24be(length).u8(typeId).u32le(streamId);
  if (timestamp >= 0xffffff) b.u32be(timestamp);
  return b;
}

function type1(b: BufferBuilder, csid: number, delta: number, length: number, typeId: number) {
  basicHeader(b, 1, csid);
  b.u24be(Math.min(delta, 0xffffff)).u24be(length).u8(typeId);
  if (delta >= 0xffffff) b.u32be(delta);
  return b;
}

function type2(b: BufferBuilder, csid: number, delta: number) {
  basicHeader(b, 2, csid);
  b.u24be(Math.min(delta, 0xffffff));
  if (delta >= 0xffffff) b.u32be(delta);
  return b;
}

function type3(b: BufferBuilder, csid: number, repeatedExtended?: number) {
  basicHeader(b, 3, csid);
  if (repeatedExtended !== undefined) b.u32be(repeatedExtended);
  return b;
}

function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

/** Payload bytes that never start with anything resembling an extended timestamp in these fixtures. */
function payloadOf(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = (seed + i * 7) % 251;
  return out;
}

interface Outcome {
  messages: RtmpMessage[];
  error?: string;
}

/** Pushes each piece as a fresh copy and scribbles over it afterwards: payloads must not alias the input. */
function feed(reader: ChunkReader, pieces: Buffer[], outcome: Outcome): void {
  for (const piece of pieces) {
    const copy = Buffer.from(piece);
    try {
      outcome.messages.push(...reader.push(copy));
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      outcome.error = error.code;
      return;
    } finally {
      copy.fill(0xee);
    }
  }
}

function parse(pieces: Buffer[], options?: ChunkReaderOptions): Outcome {
  const outcome: Outcome = { messages: [] };
  feed(new ChunkReader(options), pieces, outcome);
  return outcome;
}

function bytewise(input: Buffer): Buffer[] {
  const pieces: Buffer[] = [];
  for (let i = 0; i < input.length; i++) pieces.push(input.subarray(i, i + 1));
  return pieces;
}

/** A compact form of an outcome: comparing it is far cheaper than deep equality on Buffers. */
function summary(outcome: Outcome): string {
  const lines = outcome.messages.map(
    (m) => `${m.csid} ${m.timestamp} ${m.typeId} ${m.streamId} ${m.payload.toString('hex')}`,
  );
  return [...lines, `error ${outcome.error ?? 'none'}`].join('\n');
}

/** The whole input, every two-way split and one byte at a time must agree. */
function parseEveryWay(input: Buffer, options?: ChunkReaderOptions): Outcome {
  const whole = parse([input], options);
  expect(whole.error).toBeUndefined();
  const expected = summary(whole);
  for (const [head, tail, at] of splitsOf(input)) {
    const split = summary(parse([head, tail], options));
    if (split !== expected) expect(split, `split at ${at}`).toBe(expected);
  }
  expect(summary(parse(bytewise(input), options))).toBe(expected);
  return whole;
}

/** The error must be raised however the input is split (messages completed before it may differ). */
function failsEveryWay(input: Buffer, code: string, options?: ChunkReaderOptions): void {
  expect(parse([input], options).error).toBe(code);
  for (const [head, tail, at] of splitsOf(input)) {
    expect(parse([head, tail], options).error, `split at ${at}`).toBe(code);
  }
  expect(parse(bytewise(input), options).error).toBe(code);
}

function msg(csid: number, timestamp: number, typeId: number, streamId: number, payload: Buffer): RtmpMessage {
  return { csid, timestamp, typeId, streamId, payload };
}

describe('ChunkReader fixtures', () => {
  it('reads a single type-0 chunk', () => {
    const payload = payloadOf(10, 1);
    const input = type0(new BufferBuilder(), 3, 1000, 10, 20, 0).bytes(payload).build();
    expect(parseEveryWay(input).messages).toEqual([msg(3, 1000, 20, 0, payload)]);
  });

  it('reads the message stream id little-endian', () => {
    const input = type0(new BufferBuilder(), 5, 0, 1, 9, 0x01020304).u8(0xaa).build();
    expect(parseEveryWay(input).messages[0]?.streamId).toBe(0x01020304);
  });

  it('applies type 1, 2 and 3 headers with deltas (spec 5.3.2.1)', () => {
    const a = payloadOf(32, 1);
    const b = payloadOf(32, 2);
    const c = payloadOf(32, 3);
    const d = payloadOf(32, 4);
    const e = payloadOf(10, 5);
    const builder = new BufferBuilder();
    type0(builder, 4, 1000, 32, 8, 1).bytes(a);
    type2(builder, 4, 20).bytes(b);
    type3(builder, 4).bytes(c);
    type3(builder, 4).bytes(d);
    type1(builder, 4, 5, 10, 9).bytes(e);
    expect(parseEveryWay(builder.build()).messages).toEqual([
      msg(4, 1000, 8, 1, a),
      msg(4, 1020, 8, 1, b),
      msg(4, 1040, 8, 1, c),
      msg(4, 1060, 8, 1, d),
      msg(4, 1065, 9, 1, e),
    ]);
  });

  it('treats a type-3 message right after a type-0 header as delta 0', () => {
    const builder = new BufferBuilder();
    type0(builder, 4, 1000, 2, 8, 1).bytes([1, 2]);
    type3(builder, 4).bytes([3, 4]);
    const { messages } = parseEveryWay(builder.build());
    expect(messages.map((m) => m.timestamp)).toEqual([1000, 1000]);
  });

  it('reassembles a message split over chunks (spec 5.3.2.2)', () => {
    const payload = payloadOf(307, 9);
    const builder = new BufferBuilder();
    type0(builder, 6, 1000, 307, 9, 1).bytes(payload.subarray(0, 128));
    type3(builder, 6).bytes(payload.subarray(128, 256));
    type3(builder, 6).bytes(payload.subarray(256));
    expect(parseEveryWay(builder.build()).messages).toEqual([msg(6, 1000, 9, 1, payload)]);
  });

  it('reassembles messages interleaved across two chunk streams', () => {
    const video = payloadOf(300, 11);
    const audio1 = payloadOf(20, 12);
    const audio2 = payloadOf(20, 13);
    const audio3 = payloadOf(150, 14);
    const builder = new BufferBuilder();
    type0(builder, 6, 40, 300, 9, 1).bytes(video.subarray(0, 128));
    type0(builder, 4, 23, 20, 8, 1).bytes(audio1);
    type3(builder, 6).bytes(video.subarray(128, 256));
    type2(builder, 4, 23).bytes(audio2);
    type1(builder, 4, 23, 150, 8).bytes(audio3.subarray(0, 128));
    type3(builder, 6).bytes(video.subarray(256));
    type3(builder, 4).bytes(audio3.subarray(128));
    expect(parseEveryWay(builder.build()).messages).toEqual([
      msg(4, 23, 8, 1, audio1),
      msg(4, 46, 8, 1, audio2),
      msg(6, 40, 9, 1, video),
      msg(4, 69, 8, 1, audio3),
    ]);
  });

  it('reads an extended timestamp repeated in type-3 chunks (ffmpeg, librtmp)', () => {
    const ts = 0x01234567;
    const payload = payloadOf(300, 21);
    const builder = new BufferBuilder();
    type0(builder, 6, ts, 300, 9, 1).bytes(payload.subarray(0, 128));
    type3(builder, 6, ts).bytes(payload.subarray(128, 256));
    type3(builder, 6, ts).bytes(payload.subarray(256));
    expect(parseEveryWay(builder.build()).messages).toEqual([msg(6, ts, 9, 1, payload)]);
  });

  it('reads an extended timestamp that type-3 chunks do not repeat', () => {
    const ts = 0x01234567;
    const payload = payloadOf(300, 22);
    const builder = new BufferBuilder();
    type0(builder, 6, ts, 300, 9, 1).bytes(payload.subarray(0, 128));
    type3(builder, 6).bytes(payload.subarray(128, 256));
    type3(builder, 6).bytes(payload.subarray(256));
    expect(parseEveryWay(builder.build()).messages).toEqual([msg(6, ts, 9, 1, payload)]);
  });

  it('reads a non-repeating extended stream whose last chunk holds fewer than 4 bytes', () => {
    const ts = 0xffffff;
    const payload = payloadOf(130, 23);
    const next = payloadOf(5, 24);
    const builder = new BufferBuilder();
    type0(builder, 6, ts, 130, 9, 1).bytes(payload.subarray(0, 128));
    type3(builder, 6).bytes(payload.subarray(128));
    type0(builder, 6, 5, 5, 9, 1).bytes(next);
    expect(parseEveryWay(builder.build()).messages).toEqual([msg(6, ts, 9, 1, payload), msg(6, 5, 9, 1, next)]);
  });

  it('adds extended deltas, including on a type-3 message, and wraps at 2^32', () => {
    const a = payloadOf(4, 31);
    const b = payloadOf(4, 32);
    const c = payloadOf(4, 33);
    const d = payloadOf(4, 34);
    const builder = new BufferBuilder();
    type0(builder, 8, 0xffffff00, 4, 9, 1).bytes(a);
    type1(builder, 8, 0x01000000, 4, 9).bytes(b);
    type3(builder, 8, 0x01000000).bytes(c);
    type2(builder, 8, 0x20).bytes(d);
    expect(parseEveryWay(builder.build()).messages).toEqual([
      msg(8, 0xffffff00, 9, 1, a),
      msg(8, 0x00ffff00, 9, 1, b),
      msg(8, 0x01ffff00, 9, 1, c),
      msg(8, 0x01ffff20, 9, 1, d),
    ]);
  });

  it('wraps a small delta past 2^32 - 1', () => {
    const builder = new BufferBuilder();
    type0(builder, 3, 0xfffffff0, 1, 8, 1).u8(1);
    type2(builder, 3, 0x20).u8(2);
    expect(parseEveryWay(builder.build()).messages.map((m) => m.timestamp)).toEqual([0xfffffff0, 0x10]);
  });

  it('reads 2- and 3-byte basic headers (csid 64, 319, 320, 65599)', () => {
    const builder = new BufferBuilder();
    const expected: RtmpMessage[] = [];
    for (const csid of [64, 319, 320, 65599]) {
      const first = payloadOf(200, csid % 250);
      type0(builder, csid, csid, 200, 9, 1).bytes(first.subarray(0, 128));
      type3(builder, csid).bytes(first.subarray(128));
      type2(builder, csid, 10).bytes(first.subarray(0, 128));
      type3(builder, csid).bytes(first.subarray(128));
      expected.push(msg(csid, csid, 9, 1, first), msg(csid, csid + 10, 9, 1, first));
    }
    expect(parseEveryWay(builder.build()).messages).toEqual(expected);
  });

  it('applies Set Chunk Size from the next chunk on and returns it', () => {
    const payload = payloadOf(450, 41);
    const builder = new BufferBuilder();
    type0(builder, 2, 0, 4, 1, 0).u32be(200);
    type0(builder, 3, 0, 450, 20, 0).bytes(payload.subarray(0, 200));
    type3(builder, 3).bytes(payload.subarray(200, 400));
    type3(builder, 3).bytes(payload.subarray(400));
    const { messages } = parseEveryWay(builder.build());
    expect(messages).toEqual([msg(2, 0, 1, 0, u32(200)), msg(3, 0, 20, 0, payload)]);

    const reader = new ChunkReader();
    expect(reader.chunkSize).toBe(DEFAULT_CHUNK_SIZE);
    reader.push(builder.build());
    expect(reader.chunkSize).toBe(200);
  });

  it('masks the top bit of Set Chunk Size (spec 5.4.1)', () => {
    const reader = new ChunkReader();
    reader.push(type0(new BufferBuilder(), 2, 0, 4, 1, 0).u32be(0x80000100).build());
    expect(reader.chunkSize).toBe(256);
  });

  it('drops a partial message on Abort and reads on', () => {
    const partial = payloadOf(300, 51);
    const next = payloadOf(10, 52);
    const builder = new BufferBuilder();
    type0(builder, 6, 100, 300, 9, 1).bytes(partial.subarray(0, 128));
    type0(builder, 2, 0, 4, 2, 0).u32be(6);
    type0(builder, 6, 200, 10, 9, 1).bytes(next);
    expect(parseEveryWay(builder.build()).messages).toEqual([msg(2, 0, 2, 0, u32(6)), msg(6, 200, 9, 1, next)]);
  });

  it('starts a fresh message with type 3 after an Abort, reusing the aborted header', () => {
    const partial = payloadOf(20, 53);
    const builder = new BufferBuilder();
    type0(builder, 2, 0, 4, 1, 0).u32be(10);
    type0(builder, 4, 100, 20, 8, 1).bytes(partial.subarray(0, 10));
    type0(builder, 2, 0, 4, 2, 0).u32be(4);
    type3(builder, 4).bytes(partial.subarray(0, 10));
    type3(builder, 4).bytes(partial.subarray(10));
    const { messages } = parseEveryWay(builder.build());
    expect(messages.at(-1)).toEqual(msg(4, 100, 8, 1, partial));
  });

  it('ignores an Abort for a chunk stream with nothing in progress', () => {
    const builder = new BufferBuilder();
    type0(builder, 2, 0, 4, 2, 0).u32be(9);
    type0(builder, 3, 0, 1, 20, 0).u8(7);
    expect(parseEveryWay(builder.build()).messages).toHaveLength(2);
  });

  it('returns zero-length messages', () => {
    const builder = new BufferBuilder();
    type0(builder, 3, 5, 0, 18, 1);
    type3(builder, 3);
    type2(builder, 3, 1);
    const { messages } = parseEveryWay(builder.build());
    expect(messages).toEqual([
      msg(3, 5, 18, 1, Buffer.alloc(0)),
      msg(3, 5, 18, 1, Buffer.alloc(0)),
      msg(3, 6, 18, 1, Buffer.alloc(0)),
    ]);
  });

  it('drops a partial message when a new full header arrives on its chunk stream', () => {
    const builder = new BufferBuilder();
    type0(builder, 6, 100, 300, 9, 1).bytes(payloadOf(128, 61));
    type1(builder, 6, 40, 3, 9).bytes([1, 2, 3]);
    expect(parseEveryWay(builder.build()).messages).toEqual([msg(6, 140, 9, 1, Buffer.from([1, 2, 3]))]);
  });

  it('counts bytes received', () => {
    const reader = new ChunkReader();
    reader.push(Buffer.from([0x03, 0, 0]));
    reader.push(Buffer.alloc(0));
    reader.push(Buffer.from([0, 0, 0, 1]));
    expect(reader.bytesReceived).toBe(7);
  });

  it('hands out payloads that outlive the pushed buffer', () => {
    const payload = payloadOf(300, 71);
    const builder = new BufferBuilder();
    type0(builder, 6, 0, 300, 9, 1).bytes(payload.subarray(0, 128));
    type3(builder, 6).bytes(payload.subarray(128, 256));
    type3(builder, 6).bytes(payload.subarray(256));
    const input = builder.build();
    const reader = new ChunkReader();
    const messages = reader.push(input);
    input.fill(0);
    expect(messages[0]?.payload).toEqual(payload);
  });
});

describe('ChunkReader limits', () => {
  function setChunkSizeInput(size: number): Buffer {
    return type0(new BufferBuilder(), 2, 0, 4, 1, 0).u32be(size).build();
  }

  it('refuses Set Chunk Size 0 and above MAX_CHUNK_SIZE', () => {
    failsEveryWay(setChunkSizeInput(0), 'CHUNK_SIZE');
    failsEveryWay(setChunkSizeInput(0x80000000), 'CHUNK_SIZE');
    failsEveryWay(setChunkSizeInput(MAX_CHUNK_SIZE + 1), 'CHUNK_SIZE');
    failsEveryWay(setChunkSizeInput(0x7fffffff), 'CHUNK_SIZE');
  });

  it('accepts Set Chunk Size 1 and MAX_CHUNK_SIZE', () => {
    for (const size of [1, MAX_CHUNK_SIZE]) {
      const reader = new ChunkReader();
      reader.push(setChunkSizeInput(size));
      expect(reader.chunkSize).toBe(size);
    }
  });

  it('reads with chunk size 1', () => {
    const payload = payloadOf(5, 81);
    const builder = new BufferBuilder().bytes(setChunkSizeInput(1));
    type0(builder, 3, 9, 5, 20, 0).u8(payload[0] as number);
    for (let i = 1; i < 5; i++) type3(builder, 3).u8(payload[i] as number);
    expect(parseEveryWay(builder.build()).messages[1]).toEqual(msg(3, 9, 20, 0, payload));
  });

  it('refuses a short Set Chunk Size or Abort', () => {
    failsEveryWay(type0(new BufferBuilder(), 2, 0, 2, 1, 0).u16be(128).build(), 'MESSAGE_MALFORMED');
    failsEveryWay(type0(new BufferBuilder(), 2, 0, 3, 2, 0).u24be(3).build(), 'MESSAGE_MALFORMED');
  });

  it('refuses a message longer than MAX_MESSAGE_LENGTH as soon as its header arrives', () => {
    const header = type0(new BufferBuilder(), 6, 0, MAX_MESSAGE_LENGTH + 1, 9, 1).build();
    failsEveryWay(header, 'MESSAGE_TOO_LARGE');
    const atLimit = type0(new BufferBuilder(), 6, 0, MAX_MESSAGE_LENGTH, 9, 1).build();
    expect(parse([atLimit])).toEqual({ messages: [] });
  });

  it('honours maxMessageLength, in type-1 headers too', () => {
    const options = { maxMessageLength: 100 };
    const ok = type0(new BufferBuilder(), 6, 0, 100, 9, 1).bytes(payloadOf(100, 1));
    expect(parseEveryWay(ok.build(), options).messages).toHaveLength(1);
    failsEveryWay(type0(new BufferBuilder(), 6, 0, 101, 9, 1).build(), 'MESSAGE_TOO_LARGE', options);
    failsEveryWay(type1(ok, 6, 0, 101, 9).build(), 'MESSAGE_TOO_LARGE', options);
  });

  it('limits the bytes declared by messages in progress across chunk streams', () => {
    const options = { maxMessageLength: 100 };
    const builder = new BufferBuilder();
    type0(builder, 2, 0, 4, 1, 0).u32be(50);
    type0(builder, 3, 0, 100, 9, 1).bytes(payloadOf(50, 1));
    type0(builder, 4, 0, 100, 9, 1).bytes(payloadOf(50, 2));
    expect(parse([builder.build()], options).error).toBeUndefined();
    type0(builder, 5, 0, 1, 9, 1);
    failsEveryWay(builder.build(), 'MESSAGE_TOO_LARGE', options);
  });

  it('refuses type 1, 2 and 3 chunks on a chunk stream with no header, from the basic header alone', () => {
    failsEveryWay(type1(new BufferBuilder(), 5, 0, 1, 9).u8(0).build(), 'CHUNK_STREAM_UNKNOWN');
    failsEveryWay(type2(new BufferBuilder(), 5, 0).u8(0).build(), 'CHUNK_STREAM_UNKNOWN');
    failsEveryWay(type3(new BufferBuilder(), 5).u8(0).build(), 'CHUNK_STREAM_UNKNOWN');
    failsEveryWay(type3(new BufferBuilder(), 400).build(), 'CHUNK_STREAM_UNKNOWN');
    expect(parse([Buffer.from([0xc5])]).error).toBe('CHUNK_STREAM_UNKNOWN');
  });

  it(`allows ${MAX_CHUNK_STREAMS} chunk streams and refuses one more`, () => {
    const builder = new BufferBuilder();
    for (let csid = 3; csid < 3 + MAX_CHUNK_STREAMS; csid++) type0(builder, csid, 0, 1, 8, 1).u8(csid);
    const outcome = parse([builder.build()]);
    expect(outcome.error).toBeUndefined();
    expect(outcome.messages).toHaveLength(MAX_CHUNK_STREAMS);
    type0(builder, 3 + MAX_CHUNK_STREAMS, 0, 1, 8, 1).u8(0);
    expect(parse([builder.build()]).error).toBe('CHUNK_STREAM_LIMIT');
  });

  it('honours maxChunkStreams', () => {
    const builder = new BufferBuilder();
    for (const csid of [3, 4, 3, 4]) type0(builder, csid, 0, 1, 8, 1).u8(1);
    expect(parse([builder.build()], { maxChunkStreams: 2 }).messages).toHaveLength(4);
    type0(builder, 64, 0, 1, 8, 1).u8(1);
    failsEveryWay(builder.build(), 'CHUNK_STREAM_LIMIT', { maxChunkStreams: 2 });
  });

  it('raises the message limit when told (a connection that starts publishing), for new messages', () => {
    const reader = new ChunkReader({ maxMessageLength: 100 });
    expect(() => reader.push(type0(new BufferBuilder(), 6, 0, 1000, 9, 1).build())).toThrow(ProtocolError);
    const raised = new ChunkReader({ maxMessageLength: 100 });
    raised.setMaxMessageLength(1000);
    const messages = raised.push(type0(new BufferBuilder(), 6, 0, 1000, 9, 1).bytes(payloadOf(128, 1)).build());
    expect(messages).toEqual([]);
  });

  it('counts the bytes it holds for unfinished messages, and none once they complete', () => {
    const reader = new ChunkReader();
    const payload = payloadOf(300, 3);
    const input = type0(new BufferBuilder(), 6, 0, 300, 9, 1).bytes(payload.subarray(0, 128)).build();
    reader.push(input);
    expect(reader.bufferedBytes).toBeGreaterThanOrEqual(128);
    expect(reader.bufferedBytes).toBeLessThanOrEqual(300);
    reader.push(type3(new BufferBuilder(), 6).bytes(payload.subarray(128, 256)).build());
    const [message] = reader.push(type3(new BufferBuilder(), 6).bytes(payload.subarray(256)).build());
    expect(message?.payload).toEqual(payload);
    expect(reader.bufferedBytes).toBe(0);
  });

  it('holds a message trickled one byte per push in one growing Buffer, not one Buffer per byte', () => {
    const reader = new ChunkReader({ maxMessageLength: 64 * 1024 });
    reader.push(type0(new BufferBuilder(), 2, 0, 4, 1, 0).u32be(65536).build());
    const payload = payloadOf(40_000, 5);
    reader.push(type0(new BufferBuilder(), 6, 0, payload.length, 9, 1).build());
    for (let i = 0; i < payload.length - 1; i++) reader.push(payload.subarray(i, i + 1));
    // Geometric growth: at most twice what arrived, never more than the message.
    expect(reader.bufferedBytes).toBeLessThanOrEqual(payload.length);
    const [message] = reader.push(payload.subarray(payload.length - 1));
    expect(message?.payload.equals(payload)).toBe(true);
    expect(reader.bufferedBytes).toBe(0);
  });

  it('dates unfinished messages by the push that started them', () => {
    const reader = new ChunkReader();
    expect(reader.oldestOpenSince()).toBeUndefined();
    const payload = payloadOf(300, 3);
    reader.push(type0(new BufferBuilder(), 6, 0, 300, 9, 1).bytes(payload.subarray(0, 128)).build(), 1000);
    reader.push(type0(new BufferBuilder(), 7, 0, 300, 9, 1).bytes(payload.subarray(0, 128)).build(), 2000);
    expect(reader.oldestOpenSince()).toBe(1000);
    reader.push(type3(new BufferBuilder(), 6).bytes(payload.subarray(128, 256)).build(), 3000);
    expect(reader.oldestOpenSince()).toBe(1000);
    const done = reader.push(type3(new BufferBuilder(), 6).bytes(payload.subarray(256)).build(), 4000);
    expect(done).toHaveLength(1);
    expect(reader.oldestOpenSince()).toBe(2000);
  });

  it('refuses to be used after a ProtocolError', () => {
    const reader = new ChunkReader();
    expect(() => reader.push(Buffer.from([0xc5]))).toThrow(ProtocolError);
    expect(() => reader.push(Buffer.from([0x03]))).toThrow(BugError);
  });
});

describe('ChunkReader fuzz', () => {
  function validStream(random: () => number): Buffer {
    const builder = new BufferBuilder();
    const chunkSize = 1 + Math.floor(random() * 200);
    type0(builder, 2, 0, 4, 1, 0).u32be(chunkSize);
    for (let i = 0; i < 6; i++) {
      const csid = [3, 4, 6, 70, 400][Math.floor(random() * 5)] as number;
      const length = Math.floor(random() * 300);
      const ts = random() < 0.2 ? 0xffffff + Math.floor(random() * 1000) : Math.floor(random() * 5000);
      const payload = randomBytes(random, length);
      type0(builder, csid, ts, length, 9, 1).bytes(payload.subarray(0, chunkSize));
      for (let at = chunkSize; at < length; at += chunkSize) {
        const repeat = ts >= 0xffffff && random() < 0.5 ? ts : undefined;
        type3(builder, csid, repeat).bytes(payload.subarray(at, at + chunkSize));
      }
    }
    return builder.build();
  }

  function mutate(input: Buffer, random: () => number): Buffer {
    const bytes = [...input];
    const edits = 1 + Math.floor(random() * 8);
    for (let i = 0; i < edits && bytes.length > 0; i++) {
      const at = Math.floor(random() * bytes.length);
      const kind = random();
      if (kind < 0.6) bytes[at] = Math.floor(random() * 256);
      else if (kind < 0.8) bytes.splice(at, 1);
      else bytes.splice(at, 0, Math.floor(random() * 256));
    }
    return Buffer.from(bytes);
  }

  function randomPieces(input: Buffer, random: () => number): Buffer[] {
    const pieces: Buffer[] = [];
    for (let at = 0; at < input.length; ) {
      const size = 1 + Math.floor(random() * 200);
      pieces.push(input.subarray(at, at + size));
      at += size;
    }
    return pieces;
  }

  /** Only messages or a ProtocolError, and never more payload out than bytes in. */
  function check(pieces: Buffer[], options?: ChunkReaderOptions): void {
    const reader = new ChunkReader(options);
    let bytesIn = 0;
    let bytesOut = 0;
    for (const piece of pieces) {
      bytesIn += piece.length;
      try {
        for (const message of reader.push(piece)) bytesOut += message.payload.length;
      } catch (error) {
        if (error instanceof ProtocolError) return;
        throw error;
      }
      expect(bytesOut).toBeLessThanOrEqual(bytesIn);
    }
  }

  it('survives random bytes', () => {
    const started = performance.now();
    for (let seed = 1; seed <= 2000; seed++) {
      const random = seededRandom(seed);
      const input = randomBytes(random, 1 + Math.floor(random() * 4096));
      check(randomPieces(input, random));
      check(randomPieces(input, random), { maxMessageLength: 512, maxChunkStreams: 4 });
    }
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it('survives random bytes after a valid start, so fmt 1-3 headers meet known chunk streams', () => {
    for (let seed = 1000; seed < 1300; seed++) {
      const random = seededRandom(seed);
      const start = type0(new BufferBuilder(), 3, 0xffffff, 4, 9, 1).u32be(0).build();
      check(randomPieces(Buffer.concat([start, randomBytes(random, 2048)]), random));
    }
  });

  it('survives mutated valid streams', () => {
    for (let seed = 2000; seed < 2600; seed++) {
      const random = seededRandom(seed);
      const input = mutate(validStream(random), random);
      check(randomPieces(input, random));
      check([input], { maxMessageLength: 128 });
    }
  });
});
