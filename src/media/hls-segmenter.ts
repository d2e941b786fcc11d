import { ProtocolError } from '../errors.js';
import { parseAacConfig } from '../protocol/flv/aac-config.js';
import { parseVideoTag } from '../protocol/flv/video-tag.js';
import { targetDurationFor } from '../protocol/hls/m3u8.js';
import { type AdtsConfig, adtsConfigOf } from '../protocol/mpegts/adts.js';
import { type AvcDecoderConfig, readAvcDecoderConfig } from '../protocol/mpegts/avc-annexb.js';
import { aacConfigOf, aacFrameOf, avcConfigRecordOf, avcSampleOf } from '../protocol/mpegts/flv-samples.js';
import { TsMuxer, type TsTracks } from '../protocol/mpegts/ts-muxer.js';
import type { Clock } from '../util/clock.js';
import type { ChannelSink } from './channel-sink.js';
import { type HlsSegment, HlsWindow } from './hls-window.js';
import type { MediaPacket } from './media-packet.js';

/** Past the target duration a segment is cut at any frame, before its rounded EXTINF would exceed the target. */
const FORCED_CUT_AFTER_TARGET_MS = 400;
/** Program date-times are re-anchored to the wall clock when they drift further than this (publisher gaps). */
const PROGRAM_DATE_TIME_DRIFT_MS = 2_000;

export interface HlsSegmenterOptions {
  targetSegmentMs: number;
  windowSegments: number;
  maxSegmentMs: number;
  maxSegmentBytes: number;
  clock: Clock;
  /** Prefix of segment names, unique per session (see HlsSegment.name). */
  session: string;
  /** Sequence number of the first segment, continuing an earlier session of the same stream. */
  firstSequence?: number;
  discontinuitySequence?: number;
  /** Marks the first segment as a discontinuity (an earlier session of the same stream came before it). */
  startWithDiscontinuity?: boolean;
  /** Called after each new segment. */
  onSegment?: (segment: HlsSegment) => void;
  /** Called once when the segmenter is finished (the channel ended, or it was stopped). */
  onEnd?: () => void;
}

/** Why a stream cannot be carried in our HLS, in words for a 404 body; undefined while it can. */
export type HlsProblem = string | undefined;

/**
 * One channel's HLS: a sink of the channel that muxes its packets into MPEG-TS and cuts segments on keyframes,
 * keeping the last few in a window. EXT-X-TARGETDURATION is fixed by the first segment (the target, or the source's
 * GOP when that is longer) and never changes (RFC 8216 6.2.1); a later GOP too long for it is cut mid-GOP.
 */
export class HlsSegmenter implements ChannelSink {
  readonly window: HlsWindow;
  private video: { record: Buffer; config: AvcDecoderConfig } | undefined;
  private audio: { asc: Buffer; config: AdtsConfig; objectType: number } | undefined;
  private problem: HlsProblem;
  private muxer: TsMuxer | undefined;
  private pmtVersion = 0;
  private parts: Buffer[] = [];
  private partBytes = 0;
  private segmentStart: number | undefined;
  private segmentIndependent = true;
  private nextSequence: number;
  private nextDiscontinuity: boolean;
  private fixedTargetS: number | undefined;
  /** Epoch ms of channel timestamp 0. */
  private anchor: number | undefined;
  private finished = false;
  /** Packets of the join burst are from the past: they must not move the date-time anchor. */
  private inBurst = false;

  constructor(private readonly options: HlsSegmenterOptions) {
    this.window = new HlsWindow(options.windowSegments, options.discontinuitySequence ?? 0);
    this.nextSequence = options.firstSequence ?? 0;
    this.nextDiscontinuity = options.startWithDiscontinuity ?? false;
  }

  /** EXT-X-TARGETDURATION, known once the first segment is complete. */
  get targetDurationS(): number | undefined {
    return this.fixedTargetS;
  }

  /** Set when the stream has a codec HLS here cannot carry (we mux H.264 and AAC only). */
  get unsupported(): HlsProblem {
    return this.problem;
  }

  get ended(): boolean {
    return this.finished;
  }

  /** RFC 6381 codec strings of the tracks being muxed, for the multivariant playlist's CODECS attribute. */
  codecs(): string[] {
    const codecs: string[] = [];
    if (this.video !== undefined) codecs.push(this.video.config.codecs);
    if (this.audio !== undefined) codecs.push(`mp4a.40.${this.audio.objectType}`);
    return codecs;
  }

  /** Bits per second: the largest and the mean over the window (BANDWIDTH and AVERAGE-BANDWIDTH, 4.3.4.2). */
  bandwidth(): { peak: number; average: number } {
    let peak = 0;
    let bits = 0;
    let ms = 0;
    for (const segment of this.window.segments) {
      const rate = segment.durationMs > 0 ? (segment.data.length * 8 * 1000) / segment.durationMs : 0;
      peak = Math.max(peak, rate);
      bits += segment.data.length * 8;
      ms += segment.durationMs;
    }
    return { peak, average: ms > 0 ? (bits * 1000) / ms : 0 };
  }

  deliverBurst(packets: readonly MediaPacket[], channelHasVideo: boolean): void {
    const last = packets[packets.length - 1];
    if (last !== undefined) this.anchor = this.options.clock.now() - last.timestamp;
    this.inBurst = true;
    for (const packet of packets) this.deliver(packet, channelHasVideo);
    this.inBurst = false;
  }

  deliver(packet: MediaPacket, channelHasVideo: boolean): void {
    if (this.finished || packet.kind === 'data') return;
    if (packet.sequenceHeader) {
      this.takeHeader(packet);
      return;
    }
    if (this.problem !== undefined) return;
    const cutsHere = channelHasVideo ? packet.kind === 'video' : packet.kind === 'audio';
    if (cutsHere && this.shouldCut(packet)) this.cut(packet);
    if (this.muxer === undefined || this.segmentStart === undefined) return;
    try {
      if (packet.kind === 'video') {
        const sample = avcSampleOf(packet.payload);
        if (sample !== undefined) this.append(this.muxer.video(sample.data, packet.timestamp, sample.compositionMs, packet.keyframe));
      } else {
        const frame = aacFrameOf(packet.payload);
        if (frame !== undefined) this.append(this.muxer.audio(frame, packet.timestamp));
      }
    } catch (error) {
      // A malformed frame is left out; the publisher's connection is the RTMP layer's business.
      if (!(error instanceof ProtocolError)) throw error;
    }
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.parts = [];
    this.partBytes = 0;
    this.options.onEnd?.();
  }

  private takeHeader(packet: MediaPacket): void {
    try {
      if (packet.kind === 'video') {
        const record = avcConfigRecordOf(packet.payload);
        if (record === undefined) {
          this.problem = `HLS here carries H.264 video; this stream's video is ${parseVideoTag(packet.payload).codec}`;
          return;
        }
        if (this.video === undefined || !this.video.record.equals(record)) {
          this.video = { record: Buffer.from(record), config: readAvcDecoderConfig(Buffer.from(record)) };
        }
      } else {
        const asc = aacConfigOf(packet.payload);
        if (asc === undefined) {
          this.problem = 'HLS here carries AAC audio; this stream has another audio codec';
          return;
        }
        if (this.audio === undefined || !this.audio.asc.equals(asc)) {
          const copy = Buffer.from(asc);
          this.audio = { asc: copy, config: adtsConfigOf(copy), objectType: parseAacConfig(copy).objectType };
        }
      }
      this.problem = undefined;
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.problem = `HLS cannot carry this stream: ${error.message}`;
    }
  }

  private shouldCut(packet: MediaPacket): boolean {
    const start = this.segmentStart;
    const canStart = packet.kind === 'audio' || packet.isVideoKeyframe;
    if (start === undefined) return canStart;
    const elapsed = packet.timestamp - start;
    if (this.partBytes >= this.options.maxSegmentBytes) return true;
    if (canStart && elapsed >= this.options.targetSegmentMs) return true;
    const limit = this.fixedTargetS === undefined ? this.options.maxSegmentMs : this.fixedTargetS * 1000 + FORCED_CUT_AFTER_TARGET_MS;
    return elapsed >= limit;
  }

  /** Closes the open segment (if any) at `packet` and opens the next one there. */
  private cut(packet: MediaPacket): void {
    const now = this.options.clock.now();
    const drifted = this.anchor !== undefined && !this.inBurst && Math.abs(this.anchor + packet.timestamp - now) > PROGRAM_DATE_TIME_DRIFT_MS;
    if (this.anchor === undefined || drifted) {
      this.anchor = now - packet.timestamp;
    }
    if (this.segmentStart !== undefined && this.muxer !== undefined) this.close(packet.timestamp);
    const tracks = this.currentTracks();
    if (this.muxer === undefined || !sameTracks(this.muxer.tracks, tracks)) {
      // New parameters: a fresh muxer (new PMT version, counters from 0) behind an EXT-X-DISCONTINUITY.
      if (this.muxer !== undefined) {
        this.nextDiscontinuity = true;
        this.pmtVersion = (this.pmtVersion + 1) & 0x1f;
      }
      this.muxer = new TsMuxer(tracks, this.pmtVersion);
    }
    this.segmentStart = packet.timestamp;
    this.segmentIndependent = packet.kind === 'audio' || packet.isVideoKeyframe;
    this.parts = [this.muxer.tables()];
    this.partBytes = this.parts[0]?.length ?? 0;
  }

  private close(endTimestamp: number): void {
    const start = this.segmentStart as number;
    const durationMs = Math.max(1, endTimestamp - start);
    const sequence = this.nextSequence++;
    const segment: HlsSegment = {
      sequence,
      name: `${this.options.session}-${sequence}.ts`,
      data: Buffer.concat(this.parts, this.partBytes),
      durationMs,
      startTimestamp: start,
      programDateTime: Math.round((this.anchor ?? 0) + start),
      discontinuity: this.nextDiscontinuity,
      independent: this.segmentIndependent,
    };
    this.nextDiscontinuity = false;
    this.parts = [];
    this.partBytes = 0;
    if (this.fixedTargetS === undefined) {
      const ceiling = Math.ceil(this.options.maxSegmentMs / 1000);
      this.fixedTargetS = Math.min(ceiling, Math.max(Math.ceil(this.options.targetSegmentMs / 1000), targetDurationFor(durationMs)));
    }
    this.window.push(segment);
    this.options.onSegment?.(segment);
  }

  private append(bytes: Buffer): void {
    this.parts.push(bytes);
    this.partBytes += bytes.length;
  }

  private currentTracks(): TsTracks {
    const tracks: TsTracks = {};
    if (this.video !== undefined) tracks.video = this.video.config;
    if (this.audio !== undefined) tracks.audio = this.audio.config;
    return tracks;
  }
}

function sameTracks(a: TsTracks, b: TsTracks): boolean {
  return a.video === b.video && a.audio === b.audio;
}
