import { FlvTagType, type FlvTag } from '../protocol/flv/flv-tag.js';
import { parseAudioTag } from '../protocol/flv/audio-tag.js';
import { parseVideoTag } from '../protocol/flv/video-tag.js';
import type { MediaSink } from './media-sink.js';

/** One AAC frame (1024 samples) at 44.1 kHz, the longest of the rates we output. */
const AAC_FRAME_MS = (1024 / 44_100) * 1000;

/**
 * Joins the FLV outputs of successive ffmpeg runs (one per playlist item) into one stream: every segment starts at 0,
 * so its timestamps are shifted to follow the previous segment's last frame by one frame interval; sequence headers
 * identical to the ones already sent are dropped, and only the first segment's onMetaData goes out. Viewers see one
 * publish with one timeline, whatever the items were.
 */
export class ContinuousTimeline {
  private offset = 0;
  private segmentFirst: number | undefined;
  /** The channel time the next segment starts at. */
  private nextStart = 0;
  private lastVideo = -1;
  private lastAudio = -1;
  private videoHeader: Buffer | undefined;
  private audioHeader: Buffer | undefined;
  private metadataSent = false;

  constructor(
    private readonly sink: MediaSink,
    /** One video frame at the output frame rate: the step between the last frame of a segment and the next one's first. */
    private readonly frameMs: number,
  ) {}

  /** The timeline position where the next segment will start, in ms. */
  get position(): number {
    return this.nextStart;
  }

  /**
   * Call before the first tag of each segment. `plannedStart` (ms on the timeline) is where the plan puts it: used
   * when the previous segment's frames end by then, so that rounding never accumulates over a long show.
   */
  beginSegment(plannedStart?: number): void {
    if (this.lastVideo < 0 && this.lastAudio < 0) {
      this.nextStart = plannedStart ?? 0;
    } else {
      // One video frame after the last frame, and after the last audio frame has played (ffmpeg's -t can end the
      // audio up to one AAC frame past the video).
      const earliest = Math.ceil(Math.max(this.lastVideo + this.frameMs, this.lastAudio + AAC_FRAME_MS));
      const afterLast = Math.floor(Math.max(this.lastVideo, this.lastAudio)) + 1;
      this.nextStart = plannedStart !== undefined && plannedStart >= afterLast ? plannedStart : earliest;
    }
    this.segmentFirst = undefined;
  }

  /** Maps a segment's tag onto the channel timeline and forwards it. Returns the channel timestamp. */
  push(tag: FlvTag): number {
    // The segment's clock starts at its first media tag: onMetaData is stamped 0 whatever the media's times.
    if (this.segmentFirst === undefined && tag.type !== FlvTagType.Script) {
      this.segmentFirst = tag.timestamp;
      this.offset = this.nextStart - tag.timestamp;
    }
    const timestamp = Math.max(0, tag.timestamp + this.offset);
    switch (tag.type) {
      case FlvTagType.Video: {
        if (isHeader(() => parseVideoTag(tag.payload).sequenceHeader)) {
          if (this.videoHeader?.equals(tag.payload)) return timestamp;
          this.videoHeader = Buffer.from(tag.payload);
        } else {
          this.lastVideo = Math.max(this.lastVideo, timestamp);
        }
        this.sink.pushVideo(timestamp, tag.payload);
        break;
      }
      case FlvTagType.Audio: {
        if (isHeader(() => parseAudioTag(tag.payload).sequenceHeader)) {
          if (this.audioHeader?.equals(tag.payload)) return timestamp;
          this.audioHeader = Buffer.from(tag.payload);
        } else {
          this.lastAudio = Math.max(this.lastAudio, timestamp);
        }
        this.sink.pushAudio(timestamp, tag.payload);
        break;
      }
      case FlvTagType.Script:
        if (this.metadataSent) return timestamp;
        this.metadataSent = true;
        this.sink.pushData(0, tag.payload, true);
        break;
    }
    return timestamp;
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
