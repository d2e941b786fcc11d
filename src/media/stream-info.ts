import { asRecord, decodeAmf0 } from '../protocol/amf0/index.js';
import { parseAacConfig } from '../protocol/flv/aac-config.js';
import { type AudioTagInfo, parseAudioTag } from '../protocol/flv/audio-tag.js';
import { parseAvcConfig } from '../protocol/flv/avc-config.js';
import { type VideoTagInfo, parseVideoTag } from '../protocol/flv/video-tag.js';
import { ProtocolError } from '../errors.js';

export interface VideoInfo {
  codec: string;
  width?: number;
  height?: number;
  fps?: number;
}

export interface AudioInfo {
  codec: string;
  sampleRate?: number;
  channels?: number;
}

/** Frames counted to estimate the frame rate when the metadata does not say. */
const FPS_WINDOW_FRAMES = 60;

/**
 * What the status shows about a stream's codecs, read from its sequence headers and onMetaData. Unparseable
 * codec details leave a field empty; they never stop the media.
 */
export class StreamInfo {
  video: VideoInfo | null = null;
  audio: AudioInfo | null = null;
  private metadataFps: number | undefined;
  private frameTimes: number[] = [];

  /** Milliseconds per video frame, when known. */
  get frameMs(): number | undefined {
    const fps = this.video?.fps;
    return fps !== undefined && fps > 0 ? 1000 / fps : undefined;
  }

  /** Returns the tag facts, or undefined for a payload too short to be a video tag (dropped). */
  takeVideo(payload: Buffer): VideoTagInfo | undefined {
    const tag = tryParse(() => parseVideoTag(payload));
    if (tag === undefined) return undefined;
    if (tag.sequenceHeader) {
      const video: VideoInfo = { codec: tag.codec };
      if (tag.codec === 'h264' && tag.config !== undefined) {
        const avc = tryParse(() => parseAvcConfig(tag.config as Buffer));
        if (avc !== undefined) Object.assign(video, { width: avc.width, height: avc.height });
      }
      if (this.metadataFps !== undefined) video.fps = this.metadataFps;
      this.video = video;
    } else if (this.video === null) {
      this.video = { codec: tag.codec };
    }
    return tag;
  }

  takeAudio(payload: Buffer): AudioTagInfo | undefined {
    const tag = tryParse(() => parseAudioTag(payload));
    if (tag === undefined) return undefined;
    if (tag.sequenceHeader || this.audio === null) {
      const audio: AudioInfo = { codec: tag.codec };
      if (tag.sampleRate !== undefined) audio.sampleRate = tag.sampleRate;
      if (tag.channels !== undefined) audio.channels = tag.channels;
      if (tag.codec === 'aac' && tag.config !== undefined) {
        const aac = tryParse(() => parseAacConfig(tag.config as Buffer));
        if (aac !== undefined) Object.assign(audio, { sampleRate: aac.sampleRate, channels: aac.channels });
      }
      this.audio = audio;
    }
    return tag;
  }

  /** Reads width, height and frame rate from an onMetaData body (name, then an object or ECMA array). */
  takeMetadata(body: Buffer): void {
    const values = tryParse(() => decodeAmf0(body));
    const record = values?.[1] === undefined ? undefined : asRecord(values[1]);
    if (record === undefined) return;
    const fps = record['framerate'] ?? record['fps'];
    if (typeof fps === 'number' && fps > 0 && fps < 1000) {
      this.metadataFps = Math.round(fps * 100) / 100;
      if (this.video !== null) this.video.fps = this.metadataFps;
    }
  }

  /** Estimates the frame rate from video timestamps when the metadata gave none. */
  countFrame(timestamp: number): void {
    if (this.metadataFps !== undefined || this.video === null) return;
    this.frameTimes.push(timestamp);
    if (this.frameTimes.length < FPS_WINDOW_FRAMES) return;
    const first = this.frameTimes[0] as number;
    const span = timestamp - first;
    if (span > 0) this.video.fps = Math.round(((this.frameTimes.length - 1) * 1000 * 100) / span) / 100;
    this.frameTimes = [];
  }
}

function tryParse<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ProtocolError) return undefined;
    throw error;
  }
}
