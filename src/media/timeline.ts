import type { PacketKind } from './media-packet.js';

/** Timeline step between the last packet of one publisher and the first of the next, when no frame rate is known. */
export const DEFAULT_FRAME_MS = 33;
/**
 * A publisher's timestamp this far behind the latest it sent is a jump back (a restarted encoder, a wrapped
 * counter), not the ordinary interleaving of audio and video, which stays within a second or so.
 */
export const BACKWARD_JUMP_MS = 2_000;
/**
 * A publisher's timestamp this much further ahead than the wall-clock time since its previous packet is a leap (an
 * encoder's clock reset to the time of day, a corrupt field), not a pause in sending. A publisher faster than real
 * time moves ahead by a frame per packet, far less than this.
 */
export const FORWARD_JUMP_MS = 10_000;

export interface TimelineJump {
  /** Source milliseconds the publisher jumped by: negative back, positive forward. */
  byMs: number;
}

/**
 * One channel's continuous timeline: publishers' timestamps are shifted so that the channel's never go back or
 * leap, across publisher changes (rebase) and within one publisher (jumps are smoothed and reported). Pure: the
 * caller passes the monotonic time of each packet.
 */
export class Timeline {
  private offset = 0;
  /** Highest timestamp sent on the channel, and per kind (a kind's timestamps never decrease: FLV wants DTS order). */
  private last = -1;
  private readonly lastByKind: Record<PacketKind, number> = { audio: -1, video: -1, data: -1 };
  /** The publisher's highest source timestamp so far and the wall-clock time it arrived. */
  private sourceHigh: number | undefined;
  private sourceHighAt = 0;
  private rebasePending = false;

  /** The highest timestamp on the timeline so far (-1 before the first packet). */
  get lastTimestamp(): number {
    return this.last;
  }

  /** A new publisher attaches: its first packet continues one frame after the last one sent. */
  rebase(): void {
    this.rebasePending = this.last >= 0;
    this.sourceHigh = undefined;
  }

  /**
   * The timestamp for a packet that carries no timing of its own (a sequence header, a data message): now on the
   * timeline. Encoders often stamp sequence headers 0 ahead of media that starts hours later (an output offset, a
   * source's start time); such a 0 must neither move the timeline nor count as a jump.
   */
  untimed(): number {
    return Math.max(0, this.last);
  }

  /**
   * The channel timestamp for a media frame of `kind` with the publisher's `source` timestamp, arriving at `now`
   * (monotonic ms). `frameMs` is the step used where the timeline has to be joined. `onJump` hears of a jump.
   */
  place(kind: PacketKind, source: number, now: number, frameMs: number | undefined, onJump?: (jump: TimelineJump) => void): number {
    const step = frameMs ?? DEFAULT_FRAME_MS;
    if (this.rebasePending) {
      this.rebasePending = false;
      this.offset = this.last + step - source;
    } else if (this.sourceHigh !== undefined) {
      const by = source - this.sourceHigh;
      if (by < -BACKWARD_JUMP_MS || by - (now - this.sourceHighAt) > FORWARD_JUMP_MS) {
        this.offset = this.last + step - source;
        this.sourceHigh = undefined;
        onJump?.({ byMs: by });
      }
    }
    if (this.sourceHigh === undefined || source >= this.sourceHigh) {
      this.sourceHigh = source;
      this.sourceHighAt = now;
    }
    const timestamp = Math.max(0, source + this.offset, this.lastByKind[kind]);
    this.lastByKind[kind] = timestamp;
    if (timestamp > this.last) this.last = timestamp;
    return timestamp;
  }
}
