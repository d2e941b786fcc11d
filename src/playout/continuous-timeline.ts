import { FlvTagType, type FlvTag } from '../protocol/flv/flv-tag.js';
import { parseAudioTag } from '../protocol/flv/audio-tag.js';
import { parseVideoTag } from '../protocol/flv/video-tag.js';
import type { MediaSink } from './media-sink.js';

/** Tags held at a segment's start while waiting for its first video frame to align on. */
const MAX_HELD_TAGS = 16;
/** Frame timestamps are whole milliseconds: a frame ending within this of its slot's end still fits. */
const CUT_SLACK_MS = 1;

/**
 * Joins the FLV outputs of successive ffmpeg runs (one per playlist item) into one stream. Every segment starts near
 * 0, so it is shifted to follow the previous one: its first video frame comes one frame interval after the last
 * (or at its planned place, when that is within a frame), audio that would overlap the previous segment's (the AAC
 * encoder's priming frame) is dropped, sequence headers identical to the ones already sent are dropped, and only the
 * first onMetaData goes out. Viewers see one publish with one timeline, whatever the items were.
 */
export class ContinuousTimeline {
  private offset = 0;
  private aligned = false;
  private held: FlvTag[] = [];
  /** Where the next segment's first video frame goes on the channel timeline. */
  private nextStart = 0;
  private lastVideo = -1;
  private lastAudio = -1;
  private videoHeader: Buffer | undefined;
  private audioHeader: Buffer | undefined;
  private metadataSent = false;
  /** Media of the current segment from here on is dropped: it would run into the next segment's slot. */
  private cutAt = Infinity;

  constructor(
    private readonly sink: MediaSink,
    /** One video frame at the output frame rate, in ms. */
    private readonly frameMs: number,
  ) {}

  /** The timeline position where the current (or next) segment starts, in ms. */
  get position(): number {
    return this.nextStart;
  }

  /** Where the media sent so far ends: one frame after the last video frame, in ms. */
  get end(): number {
    return this.lastVideo < 0 ? this.nextStart : Math.max(this.nextStart, Math.round(this.lastVideo + this.frameMs));
  }

  /**
   * Call before the first tag of each segment. `plannedStart` (ms on the timeline) is where the plan puts it, and it
   * is kept whenever it comes a whole frame interval or more after the last frame: a segment never moves earlier than
   * planned (the timetable is a promise), and the plan keeps rounding from accumulating over a long show. A segment
   * planned closer than that (the previous one ran a little long) or not planned at all (a restart) follows one frame
   * after it.
   * `endAt` is where the segment's slot ends: a video frame that would still show there (its timestamp more than a
   * frame before it) and audio from there on are dropped, so the next segment starts on its planned time without a
   * frame closer than one interval to this one's last (ffmpeg reading a recording would call that a non-monotonic
   * timestamp) and without a frame of overrun accumulating from item to item.
   */
  beginSegment(plannedStart?: number, endAt = Infinity): void {
    this.flushHeld();
    this.aligned = false;
    this.cutAt = endAt;
    if (this.lastVideo < 0 && this.lastAudio < 0) {
      this.nextStart = plannedStart ?? this.nextStart;
      return;
    }
    // A whole frame interval after the last frame, never less: the cut lets a frame overrun its slot by
    // CUT_SLACK_MS, and a segment then planned right at the slot's end would start a millisecond short of a frame
    // after it, which a player or recorder at the stream's frame rate can round onto the same frame.
    const earliest = Math.ceil(Math.max(this.lastVideo, 0) + this.frameMs);
    this.nextStart = plannedStart !== undefined && plannedStart >= earliest ? plannedStart : earliest;
  }

  /** Call after a segment's last tag: releases anything held for alignment (a segment with no video). */
  endSegment(): void {
    this.flushHeld();
  }

  push(tag: FlvTag): void {
    if (tag.type === FlvTagType.Script) return this.forward(tag);
    if (!this.aligned) {
      // Align on the first video frame (not its sequence header, which ffmpeg stamps before the encoder delay).
      const videoFrame = tag.type === FlvTagType.Video && !isHeader(() => parseVideoTag(tag.payload).sequenceHeader);
      if (!videoFrame && this.held.length < MAX_HELD_TAGS) {
        this.held.push(tag);
        return;
      }
      this.align(videoFrame ? tag : (this.held[0] ?? tag));
      this.flushHeld();
    }
    this.forward(tag);
  }

  private align(on: FlvTag): void {
    this.offset = this.nextStart - on.timestamp;
    this.aligned = true;
  }

  private flushHeld(): void {
    if (this.held.length === 0) return;
    const held = this.held;
    this.held = [];
    if (!this.aligned) this.align(held[0] as FlvTag);
    for (const tag of held) this.forward(tag);
  }

  private forward(tag: FlvTag): void {
    const timestamp = Math.max(0, tag.timestamp + this.offset);
    switch (tag.type) {
      case FlvTagType.Video: {
        if (isHeader(() => parseVideoTag(tag.payload).sequenceHeader)) {
          if (this.videoHeader?.equals(tag.payload)) return;
          this.videoHeader = Buffer.from(tag.payload);
          this.sink.pushVideo(Math.max(timestamp, this.lastVideo, 0), tag.payload);
          return;
        }
        const at = Math.max(timestamp, this.lastVideo + 1);
        if (at + this.frameMs > this.cutAt + CUT_SLACK_MS) return;
        this.lastVideo = at;
        this.sink.pushVideo(at, tag.payload);
        return;
      }
      case FlvTagType.Audio: {
        if (isHeader(() => parseAudioTag(tag.payload).sequenceHeader)) {
          if (this.audioHeader?.equals(tag.payload)) return;
          this.audioHeader = Buffer.from(tag.payload);
          this.sink.pushAudio(Math.max(timestamp, this.lastAudio, 0), tag.payload);
          return;
        }
        // Audio that would overlap what was already sent (the next encoder's priming frame) is dropped.
        if (timestamp <= this.lastAudio || timestamp >= this.cutAt) return;
        this.lastAudio = timestamp;
        this.sink.pushAudio(timestamp, tag.payload);
        return;
      }
      case FlvTagType.Script:
        if (this.metadataSent) return;
        this.metadataSent = true;
        // onMetaData always at 0: ffmpeg's FLV reader takes metadata at any other time for a data stream.
        this.sink.pushData(0, tag.payload, true);
    }
  }
}

/** A tag we cannot parse is forwarded as media: the viewers' decoders judge it, the show goes on. */
function isHeader(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}
