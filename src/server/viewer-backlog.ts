/**
 * The server-wide budget of bytes that viewers hold beyond their sockets: packets waiting in the viewers' own queues
 * because the client reads slower than the stream comes. Each viewer is bounded on its own (VIEWER_QUEUE_MAX_BYTES,
 * then cut off after VIEWER_MAX_BEHIND_MS), but many viewers stalling at different moments each hold a different
 * stretch of the stream. Past this budget every viewer with more than its resume threshold waiting skips to the next
 * keyframe instead of queueing more, so the total stays near the budget however many stall.
 *
 * The count is a sum over viewers: packets shared by several queues count once per queue, so it over-states memory,
 * never under-states it.
 */
export class ViewerBacklog {
  private total = 0;

  constructor(readonly limit: number) {}

  get bytes(): number {
    return this.total;
  }

  /** True while the viewers together hold more than the budget. */
  get over(): boolean {
    return this.total > this.limit;
  }

  /** A viewer's queue grew (positive) or shrank (negative) by `bytes`. */
  change(bytes: number): void {
    this.total += bytes;
  }
}
