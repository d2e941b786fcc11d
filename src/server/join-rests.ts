import type { Logger } from '../util/logger.js';
import { describeError } from '../util/safe-timer.js';

/** Joins that keep coming less than this apart hold back the rests of the join bursts before them. */
export const JOIN_REST_QUIET_MS = 5;
/** The longest a joiner's rest waits for the joins after it to pause (a stream of joins cannot hold it longer). */
export const JOIN_REST_MAX_HOLD_MS = 100;
/** Rests written per turn of the event loop once they go, so other connections are served between the slices. */
export const JOIN_REST_SLICE = 16;
/**
 * Rests held at most: past it, the oldest held rest goes to make room. The connection cap bounds joiners, but an RTMP
 * client may play, stop and play again on one connection many times in one read.
 */
export const JOIN_REST_MAX_HELD = 4096;
/** The released head of the queue is dropped once it is this long (and more than half the array). */
const COMPACT_AT = 1024;

const MAX_HOLD_TICKS = Math.ceil(JOIN_REST_MAX_HOLD_MS / JOIN_REST_QUIET_MS);

/** A viewer whose join burst has its rest held back (see SocketViewer.releaseRest). */
export interface HeldRest {
  releaseRest(): void;
}

/**
 * The order of work when many join at once. A join burst's head (sequence headers and the keyframe) is written at
 * once; its rest (the remainder of the cached GOP, up to a few hundred KB) waits here until joins pause for
 * JOIN_REST_QUIET_MS, at most JOIN_REST_MAX_HOLD_MS. Writing a rest copies it into the kernel (on loopback, into the
 * reader's socket too), so rests written between joins made each later joiner wait for every earlier joiner's GOP
 * before its own keyframe. One per server: a reference per joining viewer (at most JOIN_REST_MAX_HELD) and one timer.
 */
export class JoinRests {
  private pending: (HeldRest | undefined)[] = [];
  private next = 0;
  /** Joins since the last tick, and ticks held since the queue was last empty. */
  private joins = 0;
  private ticks = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private closed = false;

  constructor(private readonly logger: Logger) {}

  /** Number of viewers whose rest is held. */
  get size(): number {
    return this.pending.length - this.next;
  }

  /** Holds `viewer`'s rest until the joins pause; a closed scheduler releases it at once. */
  hold(viewer: HeldRest): void {
    if (this.closed) return this.release(viewer);
    if (this.size >= JOIN_REST_MAX_HELD) this.releaseNext();
    this.pending.push(viewer);
    this.joins++;
    if (this.timer === undefined && this.immediate === undefined) this.wait();
  }

  /** Releases every held rest now and takes no more (the server is stopping). */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    while (this.next < this.pending.length) this.releaseNext();
    this.pending = [];
    this.next = 0;
  }

  private wait(): void {
    this.joins = 0;
    this.timer = setTimeout(this.tick, JOIN_REST_QUIET_MS);
    this.timer.unref();
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    if (this.joins > 0 && ++this.ticks < MAX_HOLD_TICKS) return this.wait();
    this.joins = 0;
    this.writeSlice();
  };

  private readonly writeSlice = (): void => {
    this.immediate = undefined;
    const end = Math.min(this.pending.length, this.next + JOIN_REST_SLICE);
    while (this.next < end) this.releaseNext();
    if (this.next === this.pending.length) {
      this.pending = [];
      this.next = 0;
      this.ticks = 0;
      return;
    }
    // Joins that never pause keep the queue from emptying: what was released goes from the array now and then.
    if (this.next >= COMPACT_AT && this.next * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.next);
      this.next = 0;
    }
    // Joins that came while these were written hold the rest again, within the same limit.
    if (this.joins > 0 && this.ticks < MAX_HOLD_TICKS) return this.wait();
    this.immediate = setImmediate(this.writeSlice);
  };

  private releaseNext(): void {
    const viewer = this.pending[this.next] as HeldRest;
    this.pending[this.next++] = undefined;
    this.release(viewer);
  }

  private release(viewer: HeldRest): void {
    try {
      viewer.releaseRest();
    } catch (error) {
      this.logger.log('error', `writing a join burst's rest failed: ${describeError(error)}`, { event: 'join-rest-error' });
    }
  }
}
