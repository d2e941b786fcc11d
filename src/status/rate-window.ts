/** How far back bitrates look. */
export const RATE_WINDOW_MS = 5000;

interface Sample {
  at: number;
  bytes: number;
}

/**
 * The average rate of a growing byte counter over the last RATE_WINDOW_MS, from samples taken about once a second.
 * The counter itself lives on the hot path as a plain number; only the sampler touches this.
 */
export class RateWindow {
  private readonly samples: Sample[] = [];

  constructor(private readonly windowMs = RATE_WINDOW_MS) {}

  sample(at: number, bytes: number): void {
    this.samples.push({ at, bytes });
    while (this.samples.length > 2 && (this.samples[1] as Sample).at <= at - this.windowMs) this.samples.shift();
  }

  /** Bits per second from the oldest sample in the window to (now, bytes). */
  bitsPerSecond(now: number, bytes: number): number {
    const oldest = this.samples.find((s) => s.at >= now - this.windowMs - 1000) ?? this.samples[0];
    if (oldest === undefined || now <= oldest.at) return 0;
    return Math.round(((bytes - oldest.bytes) * 8 * 1000) / (now - oldest.at));
  }
}
