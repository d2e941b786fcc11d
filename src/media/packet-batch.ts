import type { MediaPacket, WireParts } from './media-packet.js';

/**
 * The packets a channel forwarded since it last flushed its viewers. Most viewers of a stream are in step: they took
 * every packet of the batch and have nothing else waiting. Each of them is handed the whole batch as one Buffer per
 * wire format, built once and shared: one write per viewer per flush, instead of a write per part of every packet.
 */
export class PacketBatch {
  readonly packets: MediaPacket[] = [];
  /** Payload bytes of the packets (the queue policy's measure of what the batch adds). */
  payloadBytes = 0;
  /** Whether the channel had video when the last packet was added (the queue policy's resume point depends on it). */
  hasVideo = false;
  private readonly wires = new Map<string, Buffer>();

  constructor(readonly seq: number) {}

  add(packet: MediaPacket, channelHasVideo: boolean): void {
    this.packets.push(packet);
    this.payloadBytes += packet.payload.length;
    this.hasVideo = channelHasVideo;
  }

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
