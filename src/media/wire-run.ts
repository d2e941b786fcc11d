import type { MediaPacket, WireParts } from './media-packet.js';

/** A run of packets whose wire form, per output format, is concatenated once and shared by every viewer of it. */
export class WireRun {
  private readonly wires = new Map<string, Buffer>();

  constructor(readonly packets: readonly MediaPacket[]) {}

  /** Every packet in the wire format `format`, concatenated once for all the viewers that ask for it. */
  wire(format: string, serialise: (packet: MediaPacket) => WireParts): Buffer {
    let wire = this.wires.get(format);
    if (wire === undefined) {
      const parts: Buffer[] = [];
      for (const packet of this.packets) for (const part of serialise(packet)) parts.push(part);
      wire = Buffer.concat(parts);
      this.wires.set(format, wire);
    }
    return wire;
  }
}
