import { describe, expect, it } from 'vitest';
import { MediaPacket, ZERO_COPY_MIN_BYTES } from '../../../src/media/media-packet.js';
import { COALESCED_PART_MAX_BYTES, WireRun } from '../../../src/media/wire-run.js';

const video = (timestamp: number, bytes: number) => new MediaPacket('video', timestamp, Buffer.alloc(bytes, timestamp & 0xff), false);
const audio = (timestamp: number) => new MediaPacket('audio', timestamp, Buffer.alloc(300, 0xaf));

describe('WireRun', () => {
  it("shares the packets' large payloads and copies the small parts between them into one Buffer per stretch", () => {
    const packets = [video(0, 10_000), audio(10), audio(20), video(33, 20_000), audio(40)];
    const run = new WireRun(packets);
    const wire = run.wire('flv', (p) => p.flvTag());
    const own = packets.flatMap((p) => [...p.flvTag()]);
    expect(Buffer.concat(wire.parts)).toEqual(Buffer.concat(own));
    expect(wire.bytes).toBe(Buffer.concat(own).length);
    // Each large payload is the packet's own Buffer; everything between two of them is one part.
    const large = own.filter((part) => part.length >= ZERO_COPY_MIN_BYTES);
    expect(wire.parts.filter((part) => part.length >= ZERO_COPY_MIN_BYTES)).toEqual(large);
    large.forEach((part) => expect(wire.parts).toContain(part));
    expect(wire.parts.length).toBe(5); // header, payload, trailer+2 audio tags+header, payload, trailer+audio tag
    expect(run.wire('flv', (p) => p.flvTag())).toBe(wire);
  });

  it('keeps the RTMP chunks of a message in order, the headers between its chunks as parts of their own', () => {
    const packets = [video(0, 10_000), audio(10)];
    const wire = new WireRun(packets).wire('rtmp', (p) => p.rtmpChunks(4096, 1));
    expect(Buffer.concat(wire.parts)).toEqual(Buffer.concat(packets.flatMap((p) => [...p.rtmpChunks(4096, 1)])));
  });

  it(`cuts a long stretch of small parts at ${COALESCED_PART_MAX_BYTES} bytes`, () => {
    const packets = Array.from({ length: 200 }, (_, i) => audio(i * 20));
    const wire = new WireRun(packets).wire('flv', (p) => p.flvTag());
    expect(wire.parts.every((part) => part.length <= COALESCED_PART_MAX_BYTES)).toBe(true);
    expect(wire.parts.length).toBe(Math.ceil(wire.bytes / (Math.floor(COALESCED_PART_MAX_BYTES / 315) * 315)));
    expect(Buffer.concat(wire.parts)).toEqual(Buffer.concat(packets.flatMap((p) => [...p.flvTag()])));
  });
});
