import type { ChannelSink } from './channel-sink.js';
import type { JoinBurst } from './join-burst.js';
import type { MediaPacket } from './media-packet.js';
import type { PacketBatch } from './packet-batch.js';

export type ViewerProtocol = 'rtmp' | 'http-flv' | 'ws-flv';

/** A connection watching a channel: an RTMP play session, an HTTP-FLV response or a WebSocket-FLV connection. */
export interface Viewer extends ChannelSink {
  readonly id: string;
  readonly protocol: ViewerProtocol;
  readonly remoteAddress: string;
  /** Epoch milliseconds. */
  readonly since: number;
  readonly bytesSent: number;
  readonly droppedFrames: number;
  /**
   * The channel batch (PacketBatch.seq) this viewer takes whole at the next flush: the channel does not hand it that
   * batch's packets one by one, and the viewer judges the batch at the flush. Absent or another number: every packet
   * goes through deliver.
   */
  readonly inStepWith?: number;
  /** Hands the viewer one packet; the viewer applies its own queue policy. */
  deliver(packet: MediaPacket, channelHasVideo: boolean): void;
  /**
   * Hands the viewer the catch-up burst of a join (headers and cached GOP) in one go; `shared` is the same burst, the
   * same object for every viewer joining before the channel's next packet, its wire forms listed once per format.
   */
  deliverBurst(packets: readonly MediaPacket[], channelHasVideo: boolean, shared?: JoinBurst): void;
  /** The stream is over for good: end the response or send StreamEOF, then close. */
  finish(reason: string): void;
  /**
   * Sends what the viewer holds back: `batch`, the packets forwarded since the last flush, whole when the viewer is
   * in step with it (or judged packet by packet if it cannot take it whole), and anything of its own waiting. The
   * channel calls it after each video frame, so writes go out once a frame: the frame without delay, the audio
   * before it with it.
   */
  flush?(batch: PacketBatch): void;
  /** The viewer has left its channel: let go of anything still waiting for it. */
  release?(): void;
}
