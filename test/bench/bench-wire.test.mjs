// The benchmark clients' own parsers (bench/*.mjs): FLV tags, RTMP chunks, WebSocket frames. Fixtures are built by
// hand with BufferBuilder, and every one is also fed split at every offset, as a socket may cut it.
import { describe, expect, it } from 'vitest';
import { BufferBuilder, seededRandom, splitsOf } from '../helpers/buffer-builder.js';
import { FlvTagReader, isKeyframePicture, isSequenceHeader, payloadKey } from '../../bench/flv-stream.mjs';
import { joinPrefix } from '../../bench/floor-server.mjs';
import { RtmpChunkReader } from '../../bench/rtmp-chunk-reader.mjs';
import { amf0Decode, amf0Encode, encodeMessage } from '../../bench/rtmp-wire.mjs';
import { OPCODE, WsFrameReader, acceptFor } from '../../bench/ws-frames.mjs';

const bytes = (n, seed) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff));

/** Feeds `input` to a fresh parser in two pieces, at every cut, and returns what each run produced. */
function everySplit(input, makeParser) {
  const runs = [];
  for (const [head, tail] of splitsOf(input)) {
    const out = [];
    const parser = makeParser(out);
    parser.push(head);
    parser.push(tail);
    runs.push(out);
  }
  return runs;
}

describe('FlvTagReader', () => {
  const tag = (b, type, ts, payload) => b.u8(type).u24be(payload.length).u24be(ts & 0xffffff).u8(ts >>> 24).u24be(0).bytes(payload).u32be(11 + payload.length);
  const avcKey = Buffer.concat([Buffer.from([0x17, 0x01, 0, 0, 0]), bytes(40, 1)]);
  const tags = [
    { type: 18, timestamp: 0, payload: bytes(7, 2) },
    { type: 9, timestamp: 0, payload: Buffer.from([0x17, 0x00, 0, 0, 0, 1, 2]) },
    { type: 8, timestamp: 0, payload: Buffer.from([0xaf, 0x00, 0x12, 0x10]) },
    { type: 9, timestamp: 33, payload: avcKey },
    { type: 8, timestamp: 40, payload: Buffer.concat([Buffer.from([0xaf, 0x01]), bytes(20, 3)]) },
    { type: 9, timestamp: 0x01234567, payload: Buffer.concat([Buffer.from([0x27, 0x01, 0, 0, 0]), bytes(30, 4)]) },
    { type: 9, timestamp: 0x01234568, payload: Buffer.alloc(0) },
  ];
  const b = new BufferBuilder().utf8('FLV').u8(1).u8(5).u32be(9).u32be(0);
  for (const t of tags) tag(b, t.type, t.timestamp, t.payload);
  const stream = b.build();

  it('reads every tag, skimming or whole, however the stream is cut', () => {
    for (const keepPayload of [false, true]) {
      for (const out of everySplit(stream, (o) => new FlvTagReader({ keepPayload, onTag: (t) => o.push(t) }))) {
        expect(out.map((t) => [t.type, t.timestamp, t.size])).toEqual(tags.map((t) => [t.type, t.timestamp, t.payload.length]));
        expect(out.map((t) => t.head)).toEqual(tags.map((t) => t.payload.subarray(0, 2)));
        expect(out.map((t) => t.payload)).toEqual(tags.map((t) => (keepPayload ? t.payload : undefined)));
      }
    }
  });

  it('reads a stream fed one byte at a time, and one with a longer file header', () => {
    const longer = Buffer.concat([new BufferBuilder().utf8('FLV').u8(1).u8(5).u32be(13).u32be(0xdeadbeef).u32be(0).build(), stream.subarray(13)]);
    const out = [];
    const reader = new FlvTagReader({ onTag: (t) => out.push(t.timestamp) });
    for (const byte of longer) reader.push(Buffer.from([byte]));
    expect(out).toEqual(tags.map((t) => t.timestamp));
  });

  it('gives the join floor the file header, the metadata, the sequence headers and the median keyframe', () => {
    const keyframes = [30, 10, 20].map((n, i) => ({ type: 9, timestamp: 1000 * i, payload: Buffer.concat([Buffer.from([0x17, 0x01]), bytes(n, i)]) }));
    const fb = new BufferBuilder().utf8('FLV').u8(1).u8(5).u32be(9).u32be(0);
    for (const t of [...tags.slice(0, 3), ...keyframes]) tag(fb, t.type, t.timestamp, t.payload);
    const out = [];
    new FlvTagReader({ keepPayload: true, onTag: (t) => out.push(t) }).push(joinPrefix(fb.build()));
    expect(out.map((t) => [t.type, t.timestamp, t.payload])).toEqual([...tags.slice(0, 3).map((t) => [t.type, t.timestamp, t.payload]), [9, 0, keyframes[2].payload]]);
  });

  it('refuses what is not FLV', () => {
    expect(() => new FlvTagReader({ onTag: () => {} }).push(Buffer.from('HTTP/1.1 200 OK\r\n'))).toThrow(/not an FLV stream/);
  });

  it('tells keyframes with a picture from sequence headers and inter frames', () => {
    expect(isKeyframePicture(Buffer.from([0x17, 0x01]))).toBe(true);
    expect(isKeyframePicture(Buffer.from([0x17, 0x00]))).toBe(false); // AVC sequence header
    expect(isKeyframePicture(Buffer.from([0x27, 0x01]))).toBe(false); // inter frame
    expect(isKeyframePicture(Buffer.from([0x17]))).toBe(false); // AVC without its packet type
    expect(isKeyframePicture(Buffer.from([0x12]))).toBe(true); // Sorenson H.263 keyframe
    expect(isKeyframePicture(Buffer.from([0x91, 0x68]))).toBe(true); // enhanced RTMP, key, CodedFrames
    expect(isKeyframePicture(Buffer.from([0x90, 0x68]))).toBe(false); // enhanced RTMP SequenceStart
    expect(isSequenceHeader(9, Buffer.from([0x17, 0x00]))).toBe(true);
    expect(isSequenceHeader(9, Buffer.from([0x90]))).toBe(true);
    expect(isSequenceHeader(8, Buffer.from([0xaf, 0x00]))).toBe(true);
    expect(isSequenceHeader(8, Buffer.from([0xaf, 0x01]))).toBe(false);
  });

  it('keys payloads by type, length and last bytes', () => {
    expect(payloadKey(9, avcKey)).toBe(payloadKey(9, Buffer.from(avcKey)));
    expect(payloadKey(9, avcKey)).not.toBe(payloadKey(8, avcKey));
    expect(payloadKey(9, Buffer.from([1, 2]))).toBe('9:2:0102');
  });
});

describe('RtmpChunkReader', () => {
  // By hand (§5.3.1): basic header, message header by fmt, extended timestamp, payload pieces.
  const command = bytes(20, 5);
  const video = bytes(300, 6);
  const audio = bytes(10, 7);
  const small = [bytes(5, 8), bytes(5, 9), bytes(5, 10)];
  const ext = bytes(300, 11);
  const data = bytes(6, 12);
  const fixture = new BufferBuilder()
    .u8(0x03).u24be(0).u24be(20).u8(20).u32le(0).bytes(command) // csid 3, fmt 0: a command
    .u8(0x02).u24be(0).u24be(4).u8(1).u32le(0).u32be(256) // Set Chunk Size 256
    .u8(0x06).u24be(1000).u24be(300).u8(9).u32le(1).bytes(video.subarray(0, 256)) // video, first chunk
    .u8(0x04).u24be(1010).u24be(10).u8(8).u32le(1).bytes(audio) // audio between the video's chunks
    .u8(0xc6).bytes(video.subarray(256)) // fmt 3: the video's last chunk
    .u8(0x46).u24be(33).u24be(5).u8(9).bytes(small[0]) // fmt 1: delta 33
    .u8(0x86).u24be(34).bytes(small[1]) // fmt 2: delta 34
    .u8(0xc6).bytes(small[2]) // fmt 3 starting a message: delta 34 again
    .u8(0x07).u24be(0xffffff).u24be(300).u8(8).u32le(1).u32be(0x01000000).bytes(ext.subarray(0, 256)) // extended
    .u8(0xc7).u32be(0x01000000).bytes(ext.subarray(256)) // fmt 3 repeats the extended timestamp
    .u8(0x00).u8(6).u24be(0).u24be(6).u8(18).u32le(1).bytes(data) // 2-byte basic header: csid 70
    .build();
  const expected = [
    { type: 20, timestamp: 0, payload: command },
    { type: 1, timestamp: 0, payload: Buffer.from([0, 0, 1, 0]) },
    { type: 8, timestamp: 1010, payload: audio },
    { type: 9, timestamp: 1000, payload: video },
    { type: 9, timestamp: 1033, payload: small[0] },
    { type: 9, timestamp: 1067, payload: small[1] },
    { type: 9, timestamp: 1101, payload: small[2] },
    { type: 8, timestamp: 0x01000000, payload: ext },
    { type: 18, timestamp: 0, payload: data },
  ];

  it('reads every message, media whole or skimmed, however the stream is cut', () => {
    for (const keepMedia of [true, false]) {
      for (const out of everySplit(fixture, (o) => new RtmpChunkReader({ keepMedia, onMessage: (m) => o.push(m) }))) {
        expect(out.map((m) => [m.type, m.timestamp, m.length])).toEqual(expected.map((m) => [m.type, m.timestamp, m.payload.length]));
        expect(out.map((m) => m.head)).toEqual(expected.map((m) => m.payload.subarray(0, 2)));
        const media = (t) => t === 8 || t === 9;
        expect(out.map((m) => m.payload)).toEqual(expected.map((m) => (keepMedia || !media(m.type) ? m.payload : undefined)));
      }
    }
  });

  it('reads what the bench publisher writes, extended timestamps included, fed in random pieces', () => {
    const random = seededRandom(13);
    const messages = [0, 40, 0xfffffe, 0xffffff, 0x12345678].map((timestamp, i) => ({ timestamp, payload: bytes(700 + i * 300, i) }));
    const stream = Buffer.concat(messages.map((m) => encodeMessage({ csid: 6, type: 9, streamId: 1, payload: m.payload, chunkSize: 128, timestamp: m.timestamp })));
    const out = [];
    const reader = new RtmpChunkReader({ keepMedia: true, onMessage: (m) => out.push(m) });
    for (let i = 0; i < stream.length;) {
      const n = 1 + Math.floor(random() * 300);
      reader.push(stream.subarray(i, i + n));
      i += n;
    }
    expect(out.map((m) => [m.timestamp, m.payload])).toEqual(messages.map((m) => [m.timestamp, m.payload]));
  });

  it('refuses a chunk stream that starts without a full header', () => {
    expect(() => new RtmpChunkReader({ onMessage: () => {} }).push(Buffer.from([0x45, 0, 0, 0, 0, 0, 5, 9]))).toThrow(/starts with a fmt 1 header/);
  });
});

describe('amf0Decode', () => {
  const reply = amf0Encode(['_result', 1, { fmsVer: 'FMS/3,5,7,7009', capabilities: 31 }, { level: 'status', code: 'NetConnection.Connect.Success' }]);

  it('decodes a reply whole, or only its first values (a client reads the name and transaction id first)', () => {
    expect(amf0Decode(reply)).toEqual(['_result', 1, { fmsVer: 'FMS/3,5,7,7009', capabilities: 31 }, { level: 'status', code: 'NetConnection.Connect.Success' }]);
    expect(amf0Decode(reply, 2)).toEqual(['_result', 1]);
  });

  it('refuses a body cut inside a value it is asked for', () => {
    expect(() => amf0Decode(reply.subarray(0, 12))).toThrow();
    expect(amf0Decode(reply.subarray(0, 20), 2)).toEqual(['_result', 1]);
  });
});

describe('WsFrameReader', () => {
  const small = bytes(5, 1);
  const medium = bytes(300, 2);
  const large = bytes(70_000, 3);
  const masked = bytes(4, 4);
  const mask = [1, 2, 3, 4];
  const fixture = new BufferBuilder()
    .u8(0x82).u8(5).bytes(small) // binary, 7-bit length
    .u8(0x89).u8(2).utf8('hi') // ping between data frames
    .u8(0x82).u8(126).u16be(300).bytes(medium) // 16-bit length
    .u8(0x82).u8(127).u32be(0).u32be(70_000).bytes(large) // 64-bit length
    .u8(0x82).u8(0x84).bytes(mask).bytes(masked.map((x, i) => x ^ mask[i % 4])) // masked (clients' frames are)
    .u8(0x88).u8(4).u16be(1000).utf8('ok') // close
    .build();

  it('passes data bytes on in order and control frames whole, however the stream is cut', () => {
    const cuts = [0, 1, 2, 3, 7, 8, 9, 12, 300, 320, 70_000, fixture.length - 3, fixture.length];
    const all = Buffer.concat([small, medium, large, masked]);
    for (const at of cuts) {
      const data = [];
      const control = [];
      const reader = new WsFrameReader({ onData: (p) => data.push(Buffer.from(p)), onControl: (op, p) => control.push([op, p.toString('latin1')]) });
      reader.push(fixture.subarray(0, at));
      reader.push(fixture.subarray(at));
      expect(Buffer.concat(data).equals(all), `cut at ${at}`).toBe(true);
      expect(control).toEqual([[OPCODE.PING, 'hi'], [OPCODE.CLOSE, '\x03\xe8ok']]);
    }
  });

  it('computes Sec-WebSocket-Accept as RFC 6455 1.3 does', () => {
    expect(acceptFor('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });
});
