/** The dashboard's sparklines cover this many samples, one a second: the last minute. */
export const HISTORY_SAMPLES = 60;

export interface HistorySeries {
  /** Outgoing bits per second over all streams, oldest first. */
  bitrateOut: number[];
  /** Viewers over all streams, oldest first. */
  viewers: number[];
}

/** The last minute of outgoing bitrate and viewer count, sampled once a second by the status store. */
export class History {
  private readonly bitrate: number[] = [];
  private readonly viewerCounts: number[] = [];

  constructor(readonly capacity = HISTORY_SAMPLES) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`history capacity must be a positive integer, got ${capacity}`);
  }

  record(bitrateOut: number, viewers: number): void {
    this.bitrate.push(bitrateOut);
    this.viewerCounts.push(viewers);
    // Sixty numbers: shifting is cheaper to read than a ring and costs nothing at one sample a second.
    if (this.bitrate.length > this.capacity) this.bitrate.shift();
    if (this.viewerCounts.length > this.capacity) this.viewerCounts.shift();
  }

  series(): HistorySeries {
    return { bitrateOut: [...this.bitrate], viewers: [...this.viewerCounts] };
  }
}
