import { type MediaPacket, type WireParts, ZERO_COPY_MIN_BYTES } from './media-packet.js';

/** A run of packets in one output format: its Buffers in order, and their total size. */
export interface RunWire {
  parts: WireParts;
  bytes: number;
}

/** Neighbouring parts under ZERO_COPY_MIN_BYTES are copied into one Buffer up to this size. */
export const COALESCED_PART_MAX_BYTES = 16 * 1024;

/**
 * A run of packets whose wire form, per output format, is listed once and shared by every viewer of it. Payloads
 * are the packets' own cached Buffers, not copies (a copy of a GOP of hundreds of kB per join moment would cost
 * memory, not save it); the small parts between them (tag and chunk headers, trailers, audio frames) are copied
 * into one Buffer per stretch. A joiner's socket takes each part as a write of its own, so a GOP of 2 s goes out
 * as about two parts per video frame instead of three to six per frame and one per audio frame.
 */
export class WireRun {
  private readonly wires = new Map<string, RunWire>();

  constructor(readonly packets: readonly MediaPacket[]) {}

  wire(format: string, serialise: (packet: MediaPacket) => WireParts): RunWire {
    let wire = this.wires.get(format);
    if (wire === undefined) {
      const parts: Buffer[] = [];
      let small: Buffer[] = [];
      let smallBytes = 0;
      let bytes = 0;
      const flushSmall = (): void => {
        if (small.length === 0) return;
        parts.push(small.length === 1 ? (small[0] as Buffer) : Buffer.concat(small, smallBytes));
        small = [];
        smallBytes = 0;
      };
      for (const packet of this.packets) {
        for (const part of serialise(packet)) {
          bytes += part.length;
          if (part.length >= ZERO_COPY_MIN_BYTES) {
            flushSmall();
            parts.push(part);
            continue;
          }
          if (smallBytes + part.length > COALESCED_PART_MAX_BYTES) flushSmall();
          small.push(part);
          smallBytes += part.length;
        }
      }
      flushSmall();
      wire = { parts, bytes };
      this.wires.set(format, wire);
    }
    return wire;
  }
}
