/**
 * The ffmpeg command lines of playout, as data: inputs with their options, and output options. Pure, so the exact
 * commands are unit-tested; ffmpeg-run.ts hands them to fluent-ffmpeg.
 */
export interface FfmpegInput {
  source: string;
  options: string[];
}

export interface FfmpegCommand {
  inputs: FfmpegInput[];
  output: string[];
}

import type { OutputProfile } from './playlist.js';

/** The fixed output every normalized item is encoded to: the playlist's `output`. */
export type EncodeProfile = OutputProfile;

/** Keyframe interval of normalized output, in seconds: joins start within a GOP. */
export const OUTPUT_GOP_SECONDS = 2;

export type SegmentSource =
  | { kind: 'file'; path: string; hasAudio: boolean; /** repeat the file to fill the length (filler) */ loop?: boolean }
  | { kind: 'generated'; pattern: 'testsrc2' | 'smptebars' | 'colorbars'; toneHz?: number }
  | { kind: 'slate'; lines: string[] };

/** FLV on stdout, without the duration/filesize rewrite a pipe cannot seek back for. */
const FLV_TO_STDOUT = ['-f', 'flv', '-flvflags', 'no_duration_filesize'];

/**
 * Decodes `source` from `inS` for `seconds` and encodes it at the fixed output profile: scaled and padded to the
 * frame size, fixed frame rate, fixed GOP, explicit profile and level, 48 kHz-class stereo AAC (silence when the
 * item has none). Every item's encoder then writes byte-identical sequence headers, so the channel's codec
 * parameters never change between items.
 */
export function normalizeCommand(source: SegmentSource, inS: number, seconds: number, p: EncodeProfile): FfmpegCommand {
  const size = `${p.width}x${p.height}`;
  const inputs: FfmpegInput[] = [];
  if (source.kind === 'file') {
    inputs.push({ source: source.path, options: [...(source.loop ? ['-stream_loop', '-1'] : []), ...(inS > 0 ? ['-ss', seconds3(inS)] : [])] });
  } else if (source.kind === 'generated') {
    inputs.push({ source: `${source.pattern}=size=${size}:rate=${p.fps}`, options: ['-f', 'lavfi'] });
  } else {
    inputs.push({ source: `color=c=0x14181f:size=${size}:rate=${p.fps}`, options: ['-f', 'lavfi'] });
  }
  // Audio is input 0's own track, or input 1: a tone, or silence for items with no sound.
  const ownAudio = source.kind === 'file' && source.hasAudio;
  if (!ownAudio) {
    const tone = source.kind === 'generated' && source.toneHz !== undefined;
    inputs.push({
      source: tone ? `sine=frequency=${source.toneHz}:sample_rate=${p.sampleRate}` : `anullsrc=channel_layout=stereo:sample_rate=${p.sampleRate}`,
      options: ['-f', 'lavfi'],
    });
  }
  const audioInput = ownAudio ? 0 : 1;
  const video = [
    `scale=${p.width}:${p.height}:force_original_aspect_ratio=decrease`,
    `pad=${p.width}:${p.height}:(ow-iw)/2:(oh-ih)/2`,
    'setsar=1',
    `fps=${p.fps}`,
    // A file's video can end before its container says (audio runs longer): hold the last frame so every item
    // lasts exactly its planned length and the next one starts on time, with no hole in the timeline.
    ...(source.kind === 'file' ? ['tpad=stop=-1:stop_mode=clone'] : []),
    'format=yuv420p',
    ...(source.kind === 'slate' ? slateText(source.lines, p.height) : []),
  ].join(',');
  const gop = Math.round(p.fps * OUTPUT_GOP_SECONDS);
  return {
    inputs,
    output: [
      '-map', '0:v:0', '-map', `${audioInput}:a:0`,
      '-t', seconds3(seconds),
      '-vf', video,
      '-af', `aresample=${p.sampleRate},aformat=sample_fmts=fltp:channel_layouts=stereo${source.kind === 'file' ? ',apad' : ''}`,
      '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-level:v', '4.1', '-pix_fmt', 'yuv420p',
      '-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0', '-bf', '0',
      '-b:v', String(p.videoBitrate), '-maxrate', String(p.videoBitrate), '-bufsize', String(p.videoBitrate * 2),
      '-c:a', 'aac', '-b:a', String(p.audioBitrate), '-ar', String(p.sampleRate), '-ac', '2',
      ...FLV_TO_STDOUT, 'pipe:1',
    ],
  };
}

/** Remuxes `path` from `inS` for `seconds` with no re-encode (every item already matches: H.264 + AAC alike). */
export function copyCommand(path: string, inS: number, seconds: number): FfmpegCommand {
  return {
    inputs: [{ source: path, options: inS > 0 ? ['-ss', seconds3(inS)] : [] }],
    output: ['-map', '0:v:0', '-map', '0:a:0?', '-t', seconds3(seconds), '-c', 'copy', ...FLV_TO_STDOUT, 'pipe:1'],
  };
}

/** The command line as one string, for the debug log and error messages. */
export function commandLine(ffmpeg: string, command: FfmpegCommand): string {
  const parts = [ffmpeg, ...command.inputs.flatMap((i) => [...i.options, '-i', i.source]), ...command.output];
  return parts.map((p) => (/^[\w@%+=:,./-]+$/.test(p) ? p : `'${p.replace(/'/g, "'\\''")}'`)).join(' ');
}

function seconds3(s: number): string {
  return (Math.round(s * 1000) / 1000).toString();
}

/** drawtext lines, centred; fontconfig picks the font ("Sans"). Text is escaped for the filter graph. */
function slateText(lines: string[], height: number): string[] {
  const size = Math.round(height / 14);
  const lineHeight = Math.round(size * 1.6);
  const top = Math.round(height / 2 - (lines.length * lineHeight) / 2);
  return lines.map(
    (line, i) =>
      `drawtext=font=Sans:fontcolor=white:fontsize=${i === 0 ? Math.round(size * 1.3) : size}:x=(w-text_w)/2:y=${top + i * lineHeight}:text='${escapeDrawtext(line)}'`,
  );
}

function escapeDrawtext(text: string): string {
  return text.replace(/\\/g, '\\\\\\\\').replace(/'/g, "\u2019").replace(/:/g, '\\:').replace(/%/g, '\\%').replace(/,/g, '\\,');
}
