/**
 * The ffmpeg command lines of playout, as data: inputs with their options, and output options. Pure, so the exact
 * commands are unit-tested; ffmpeg-run.ts hands them to fluent-ffmpeg with FLV on stdout as the destination.
 */
import type { MediaProbe } from './media-probe.js';
import type { GeneratedPattern, OutputProfile, OverlaySpec } from './playlist.js';
import type { BurnIn } from './subtitles/burn-in.js';

export interface FfmpegInput {
  source: string;
  options: string[];
}

export interface FfmpegCommand {
  inputs: FfmpegInput[];
  /** Output options (maps, filters, codecs, length), without the muxer and destination. */
  output: string[];
}

/** What reproduces the items' H.264 and AAC headers byte for byte (copy mode's slates); see copy-headers.ts. */
export interface HeaderMatch {
  /** `-x264-params` for the settings that shape the SPS and PPS. */
  x264Params: string;
  /** `-level:v`, e.g. `3.1`. */
  level: string;
  /** The frame rate as a fraction, e.g. `30000/1001`; sets the SPS timing info. */
  rate: string;
  pixFmt: string;
  sar: { num: number; den: number };
  color: { range?: string; space?: string; transfer?: string; primaries?: string };
  audioChannels: number;
}

/** The fixed output every normalized item is encoded to: the playlist's `output`; in copy mode, the items' own. */
export interface EncodeProfile extends OutputProfile {
  /** Copy mode: encode slates so that their codec headers equal the items'. */
  match?: HeaderMatch;
  /** A logo or the channel's name drawn in a corner of every picture (normalize only). */
  overlay?: OverlaySpec;
  /** A fontconfig family for drawn lines with CJK characters (fonts/cjk-font.ts); others use Sans. */
  cjkFont?: string;
}

/** Keyframe interval of normalized output, in seconds: joins start within a GOP. */
export const OUTPUT_GOP_SECONDS = 2;

/** FLV without the duration/filesize rewrite a pipe cannot seek back for. */
export const FLV_OUTPUT = ['-f', 'flv', '-flvflags', 'no_duration_filesize'];

/** What an item adds to its picture and sound when it is re-encoded. */
export interface ItemDressing {
  /** Subtitles burned into the picture. */
  burnIn?: BurnIn;
  /** Seconds from the segment's start that the title shows (`show_titles`, less what a join skipped). */
  titleS?: number;
  /** `normalize_loudness`: the target in LUFS. */
  loudnessLufs?: number;
}

export type SegmentSource =
  /** `probe` says which streams to map; `loop` repeats the file to fill the length (filler). */
  | { kind: 'file'; path: string; probe: MediaProbe; title: string; loop?: boolean; dressing?: ItemDressing }
  | { kind: 'generated'; pattern: GeneratedPattern; toneHz?: number }
  | { kind: 'slate'; lines: string[] };

/**
 * Remuxes the probed streams of `path` from `inS` for `seconds` with no re-encode (every item already matches:
 * H.264 + AAC with identical headers).
 */
export function copyCommand(path: string, probe: MediaProbe, inS: number, seconds: number): FfmpegCommand {
  const maps = [
    ...(probe.video !== undefined ? ['-map', `0:${probe.video.index}`] : []),
    ...(probe.audio !== undefined ? ['-map', `0:${probe.audio.index}`] : []),
  ];
  return {
    inputs: [{ source: fileInput(path), options: inS > 0 ? ['-ss', seconds3(inS)] : [] }],
    output: [...maps, '-t', seconds3(seconds), '-c', 'copy'],
  };
}

/**
 * The video encoder: in normalize mode one fixed profile (explicit profile and level, fixed GOP, no B-frames, BT.709
 * colour tags, square pixels) so every item's encoder writes byte-identical sequence headers; for copy mode's slates,
 * the settings that reproduce the items' headers.
 */
export function videoEncoder(p: EncodeProfile): string[] {
  const gop = Math.round(p.fps * OUTPUT_GOP_SECONDS);
  const rate = ['-b:v', String(p.videoBitrate), '-maxrate', String(p.videoBitrate), '-bufsize', String(p.videoBitrate * 2)];
  if (p.match !== undefined) {
    const m = p.match;
    // Rate control comes from the items' settings too (it sets the PPS's pic_init_qp).
    return ['-c:v', 'libx264', '-level:v', m.level, '-pix_fmt', m.pixFmt, '-x264-params', m.x264Params, ...colorTags(m.color)];
  }
  return [
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-level:v', '4.1', '-pix_fmt', 'yuv420p',
    '-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0', '-bf', '0', ...rate,
    ...colorTags(NORMALIZED_COLOR),
  ];
}

/** Stereo AAC at the profile's rate (copy mode: the items' channel count). */
export function audioEncoder(p: EncodeProfile): string[] {
  return ['-c:a', 'aac', '-b:a', String(p.audioBitrate), '-ar', String(p.sampleRate), '-ac', String(p.match?.audioChannels ?? 2)];
}

/** Normalized output is tagged BT.709, limited range, whatever the source said: the VUI never changes. */
export const NORMALIZED_COLOR = Object.freeze({ range: 'tv', space: 'bt709', transfer: 'bt709', primaries: 'bt709' });

function colorTags(color: HeaderMatch['color']): string[] {
  return [
    ...(color.range !== undefined ? ['-color_range', color.range] : []),
    ...(color.space !== undefined ? ['-colorspace', color.space] : []),
    ...(color.transfer !== undefined ? ['-color_trc', color.transfer] : []),
    ...(color.primaries !== undefined ? ['-color_primaries', color.primaries] : []),
  ];
}

/** The command line as one string, for the debug log and error messages. */
export function commandLine(ffmpeg: string, command: FfmpegCommand): string {
  const parts = [ffmpeg, ...command.inputs.flatMap((i) => [...i.options, '-i', i.source]), ...command.output, ...FLV_OUTPUT, 'pipe:1'];
  return parts.map((p) => (/^[\w@%+=:,./-]+$/.test(p) ? p : `'${p.replace(/'/g, "'\\''")}'`)).join(' ');
}

/** The `file:` protocol prefix keeps names that start with '-' or contain ':' from being read as options or URLs. */
export function fileInput(path: string): string {
  return `file:${path}`;
}

export function seconds3(s: number): string {
  return (Math.round(s * 1000) / 1000).toString();
}
