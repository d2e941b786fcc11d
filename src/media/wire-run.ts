import type { MediaPacket, WireParts } from './media-packet.js';

/** A run of packets in one output format: every packet's shared Buffers in order, and their total size. */
export interface RunWire {
  parts: WireParts;
  bytes: number;
}

/**
 * A run of packets whose wire form, per output format, is listed once and shared by every viewer of it: the packets'
 * own cached Buffers, not a copy (a copy per join moment of a GOP of hundreds of kB would cost memory, not save it).
 */
export class WireRun {
  private readonly wires = new Map<string, RunWire>();

  constructor(readonly packets: readonly MediaPacket[]) {}

  wire(format: string, serialise: (packet: MediaPacket) => WireParts): RunWire {
    let wire = this.wires.get(format);
    if (wire === undefined) {
      const parts: Buffer[] = [];
      let bytes = 0;
      for (const packet of this.packets) {
        for (const part of serialise(packet)) {
          parts.push(part);
          bytes += part.length;
        }
      }
      wire = { parts, bytes };
      this.wires.set(format, wire);
    }
    return wire;
  }
}
