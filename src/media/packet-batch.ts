import type { MediaPacket } from './media-packet.js';
import { WireRun } from './wire-run.js';

/**
 * The packets a channel forwarded since it last flushed its viewers. Most viewers of a stream are in step: they took
 * every packet of the batch and have nothing else waiting. Each of them is handed the whole batch as one Buffer per
 * wire format, built once and shared: one write per viewer per flush, instead of a write per part of every packet.
 * The wire is asked for only at the flush, once every packet has been added.
 */
export class PacketBatch extends WireRun {
  /** Payload bytes of the packets (the queue policy's measure of what the batch adds). */
  payloadBytes = 0;
  private readonly added: MediaPacket[];

  constructor(readonly seq: number) {
    const added: MediaPacket[] = [];
    super(added);
    this.added = added;
  }

  add(packet: MediaPacket): void {
    this.added.push(packet);
    this.payloadBytes += packet.payload.length;
  }
}
