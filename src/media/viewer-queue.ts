import type { Clock } from '../util/clock.js';
import type { MediaPacket } from './media-packet.js';

/** Above this many bytes waiting in a viewer's socket, the viewer skips ahead to the next keyframe. */
export const VIEWER_QUEUE_MAX_BYTES = 2 * 1024 * 1024;
/** A skipping viewer resumes at a keyframe once its backlog has drained below this. */
export const VIEWER_QUEUE_RESUME_BYTES = 64 * 1024;
/** A viewer that has been skipping for this long cannot keep up and is disconnected. */
export const VIEWER_MAX_BEHIND_MS = 15_000;

export interface QueueLimits {
  maxBytes: number;
  resumeBytes: number;
  maxBehindMs: number;
}

export const DEFAULT_QUEUE_LIMITS: QueueLimits = {
  maxBytes: VIEWER_QUEUE_MAX_BYTES,
  resumeBytes: VIEWER_QUEUE_RESUME_BYTES,
  maxBehindMs: VIEWER_MAX_BEHIND_MS,
};

export type QueueVerdict = 'send' | 'drop' | 'disconnect';

/**
 * The bounded-queue policy of one viewer. The bytes it lets through are shared Buffers, so a slow viewer costs
 * references, not copies; but the references are bounded too: past `maxBytes` waiting, frames are dropped until the
 * next keyframe, and a viewer that stays behind for `maxBehindMs` is cut off.
 */
export class ViewerQueue {
  private skippingSince: number | undefined;
  dropped = 0;

  constructor(private readonly limits: QueueLimits = DEFAULT_QUEUE_LIMITS) {}

  get skipping(): boolean {
    return this.skippingSince !== undefined;
  }

  /**
   * Decides what to do with `packet` given the bytes already waiting in the viewer's socket. `crowded`: the server
   * holds more for all viewers than its budget and this viewer holds part of it, so it skips now rather than at
   * `maxBytes`.
   */
  judge(packet: MediaPacket, waitingBytes: number, clock: Clock, channelHasVideo: boolean, crowded = false): QueueVerdict {
    // Sequence headers and metadata are tiny and a decoder cannot go on without them.
    if (packet.sequenceHeader || packet.kind === 'data') return 'send';
    if (this.skippingSince !== undefined) {
      const canResume = channelHasVideo ? packet.isVideoKeyframe : packet.kind === 'audio';
      if (canResume && waitingBytes <= this.limits.resumeBytes) {
        this.skippingSince = undefined;
        return 'send';
      }
      if (clock.monotonic() - this.skippingSince > this.limits.maxBehindMs) return 'disconnect';
      if (packet.kind === 'video') this.dropped++;
      return 'drop';
    }
    if (crowded || waitingBytes > this.limits.maxBytes) {
      this.skippingSince = clock.monotonic();
      if (packet.kind === 'video') this.dropped++;
      return 'drop';
    }
    return 'send';
  }
}
