/** What the playout knows about one media file, from ffprobe or from `ffmpeg -i`. */

/** Clockwise degrees a player turns the stored picture before showing it. */
export type Rotation = 0 | 90 | 180 | 270;

export interface VideoProbe {
  /** The stream's index in the file (`-map 0:<index>`). */
  index: number;
  codec: string;
  /** Stored (coded, cropped) size in pixels, before the sample aspect ratio and rotation are applied. */
  width: number;
  height: number;
  fps: number;
  /** The frame rate as a fraction (`30000/1001`), when the prober printed one. */
  rate?: string;
  pixFmt?: string;
  profile?: string;
  /** Sample (pixel) aspect ratio: 64:45 for a 16:9 PAL DVD, 16:15 for a 4:3 one, 1:1 for square pixels. */
  sar: { num: number; den: number };
  rotation: Rotation;
  /** Colour description as ffprobe names it (`tv`, `bt709`, ...); absent fields are unspecified. */
  color?: { range?: string; space?: string; transfer?: string; primaries?: string };
}

/** What a container says about a track: its language (`eng`, `chi`), its name, and its dispositions. */
export interface TrackTags {
  language?: string;
  /** The track's name as the file gives it (`Director's commentary`, `简体中文`). */
  title?: string;
  /** The track a player picks when not told otherwise. */
  isDefault?: boolean;
}

export interface AudioProbe extends TrackTags {
  index: number;
  codec: string;
  sampleRate: number;
  channels: number;
}

/** A subtitle track in the file: text (libass renders it) or pictures (overlaid as they are). */
export interface SubtitleProbe extends TrackTags {
  index: number;
  codec: string;
  /** `image` for PGS, VobSub, DVB: pictures rather than text. */
  form: 'text' | 'image';
  forced?: boolean;
}

/** Subtitle codecs made of pictures (libavcodec's bitmap subtitle decoders). */
export const IMAGE_SUBTITLE_CODECS: ReadonlySet<string> = new Set(['hdmv_pgs_subtitle', 'dvd_subtitle', 'dvb_subtitle', 'xsub', 'dvb_teletext']);

export interface MediaProbe {
  durationS: number;
  /** The demuxer's name list, e.g. `flv`, `mov,mp4,m4a,3gp,3g2,mj2`. */
  formatName: string;
  /** The first video stream that is not cover art. */
  video?: VideoProbe;
  /** The audio stream played: the file's default (else first) until a playlist chooses another. */
  audio?: AudioProbe;
  /** Every audio stream, in file order (absent when the prober listed none). */
  audioTracks?: AudioProbe[];
  /** Every subtitle stream, in file order. */
  subtitleTracks?: SubtitleProbe[];
  /** The container's title tag, when it has one. */
  title?: string;
  /** An attached picture (album cover, poster) stored as a one-frame video stream. */
  coverArt?: { index: number };
}

export const SQUARE_PIXELS = Object.freeze({ num: 1, den: 1 });

/** `64:45` or `64/45` → the ratio; `0:1`, `N/A` and nonsense → square pixels (what ffmpeg assumes). */
export function parseSar(value: unknown): { num: number; den: number } {
  if (typeof value !== 'string') return SQUARE_PIXELS;
  const m = /^(\d+)[:/](\d+)$/.exec(value.trim());
  if (!m) return SQUARE_PIXELS;
  const num = Number(m[1]);
  const den = Number(m[2]);
  return num > 0 && den > 0 ? { num, den } : SQUARE_PIXELS;
}

/**
 * Clockwise degrees from a counter-clockwise angle, as libavutil's av_display_rotation_get reports a display matrix
 * (ffprobe's `rotation`, ffmpeg's `displaymatrix: rotation of -90.00 degrees`): ffmpeg's autorotate turns a picture
 * whose matrix says -90 by 90 degrees clockwise. Angles that are not a quarter turn count as 0.
 */
export function clockwiseFromMatrix(counterClockwise: number): Rotation {
  return quarterTurn(-counterClockwise);
}

/** The `rotate` tag older muxers wrote (and older ffprobes print) is already clockwise. */
export function quarterTurn(clockwise: number): Rotation {
  if (!Number.isFinite(clockwise)) return 0;
  const degrees = ((Math.round(clockwise) % 360) + 360) % 360;
  return degrees === 90 || degrees === 180 || degrees === 270 ? degrees : 0;
}
