import type { MediaPacket } from './media-packet.js';

/**
 * Anything fed from a channel's fan-out: a viewer's connection, the HLS segmenter, a relay. It gets the same shared
 * packets every viewer gets, the join burst first (metadata, sequence headers, the cached GOP).
 */
export interface ChannelSink {
  /** One packet of the live fan-out; the sink applies its own policy (queue, drop, mux). */
  deliver(packet: MediaPacket, channelHasVideo: boolean): void;
  /** The catch-up burst of a join (headers and cached GOP) in one go. */
  deliverBurst(packets: readonly MediaPacket[], channelHasVideo: boolean): void;
  /** The stream is over for good. */
  finish(reason: string): void;
}
