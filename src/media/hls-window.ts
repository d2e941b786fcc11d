/** One finished HLS segment, held in memory until it leaves the window. */
export interface HlsSegment {
  sequence: number;
  /** The segment's file name in URLs: unique per segmenter session, so a cache never mixes two sessions' segments. */
  name: string;
  /** The whole MPEG-TS segment. Never changed once made: served with a long max-age. */
  data: Buffer;
  durationMs: number;
  /** Channel timeline milliseconds of its first sample. */
  startTimestamp: number;
  /** Epoch milliseconds of its first sample. */
  programDateTime: number;
  /** Its encoding parameters differ from the previous segment's (or a new session starts after a gap). */
  discontinuity: boolean;
  /** It starts with a keyframe (false only after a forced cut in an overlong GOP). */
  independent: boolean;
}

/**
 * The last N segments of a stream: sequence numbers go up by one per segment, and the discontinuity sequence counts
 * the EXT-X-DISCONTINUITY tags that have left the window (RFC 8216 6.2.2).
 */
export class HlsWindow {
  private readonly list: HlsSegment[] = [];
  private discontinuities: number;
  private byteCount = 0;

  constructor(
    private readonly maxSegments: number,
    discontinuitySequence = 0,
  ) {
    this.discontinuities = discontinuitySequence;
  }

  get segments(): readonly HlsSegment[] {
    return this.list;
  }

  /** EXT-X-MEDIA-SEQUENCE: the first listed segment's number. */
  get mediaSequence(): number {
    return this.list[0]?.sequence ?? 0;
  }

  get discontinuitySequence(): number {
    return this.discontinuities;
  }

  /** Bytes of segment data held. */
  get bytes(): number {
    return this.byteCount;
  }

  get last(): HlsSegment | undefined {
    return this.list[this.list.length - 1];
  }

  push(segment: HlsSegment): void {
    this.list.push(segment);
    this.byteCount += segment.data.length;
    while (this.list.length > this.maxSegments) {
      const gone = this.list.shift() as HlsSegment;
      this.byteCount -= gone.data.length;
      // Its EXT-X-DISCONTINUITY tag leaves the playlist with it, which the discontinuity sequence must count.
      if (gone.discontinuity) this.discontinuities++;
    }
  }

  find(name: string): HlsSegment | undefined {
    return this.list.find((segment) => segment.name === name);
  }
}
