import type { MediaPacket } from './media-packet.js';
import { WireRun } from './wire-run.js';

/**
 * What a joining viewer is sent first, kept by the channel until its next packet: the same object for every viewer
 * that joins meanwhile (hundreds of them when a link is shared). `head` is what a player needs to show a picture
 * (metadata, sequence headers, the GOP's keyframe; everything for audio only), `rest` the remainder of the cached
 * GOP: two queue entries per joiner, listed once per wire format, instead of a judgement and an entry per packet.
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
