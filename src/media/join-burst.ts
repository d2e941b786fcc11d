import type { MediaPacket, WireParts } from './media-packet.js';

/** A run of packets whose wire form, per output format, is concatenated once and shared by every viewer of it. */
export class WireRun {
  private readonly wires = new Map<string, Buffer>();

  constructor(readonly packets: readonly MediaPacket[]) {}

  /** Every packet in the wire format `format`, concatenated once for all the viewers that ask for it. */
  wire(format: string, serialise: (packet: MediaPacket) => WireParts): Buffer {
    let wire = this.wires.get(format);
    if (wire === undefined) {
      wire = concatWire(this.packets, serialise);
      this.wires.set(format, wire);
    }
    return wire;
  }
}

export function concatWire(packets: readonly MediaPacket[], serialise: (packet: MediaPacket) => WireParts): Buffer {
  const parts: Buffer[] = [];
  for (const packet of packets) for (const part of serialise(packet)) parts.push(part);
  return Buffer.concat(parts);
}

/**
 * What a joining viewer is sent first, kept by the channel until its next packet: the same object for every viewer
 * that joins meanwhile (hundreds of them when a link is shared). `head` is what a player needs to show a picture
 * (metadata, sequence headers, the GOP's keyframe; everything for audio only), `rest` the remainder of the cached
 * GOP: two shared Buffers per wire format instead of a write per part of every packet for every joiner.
 */
export class JoinBurst {
  readonly head: WireRun;
  readonly rest: WireRun;

  constructor(readonly packets: readonly MediaPacket[]) {
    const keyframe = packets.findIndex((packet) => packet.isVideoKeyframe);
    const headCount = keyframe === -1 ? packets.length : keyframe + 1;
    this.head = new WireRun(packets.slice(0, headCount));
    this.rest = new WireRun(packets.slice(headCount));
  }
}
