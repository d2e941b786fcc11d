import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FLV_OUTPUT, type FfmpegCommand } from '../../src/playout/ffmpeg-commands.js';
import { runProcess } from './processes.js';

/**
 * Movie-night media made at test time: subtitle files in the encodings people have, picture subtitles (PGS) written
 * byte by byte, movies with several audio tracks and subtitle tracks; and what a test measures in the output: the
 * pixels subtitles changed, a tone's frequency, the loudness.
 */

export interface Cue {
  fromS: number;
  toS: number;
  text: string;
}

function srtTime(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)},${pad(ms % 1000, 3)}`;
}

/** SubRip text of `cues`. */
export function srtText(cues: readonly Cue[]): string {
  return cues.map((cue, i) => `${i + 1}\n${srtTime(cue.fromS)} --> ${srtTime(cue.toS)}\n${cue.text}\n`).join('\n');
}

/** Writes `text` to `path` in `encoding` (iconv from libc: gbk, big5, ...), optionally after a UTF-8 byte order mark. */
export function writeEncoded(path: string, text: string, encoding: 'utf-8' | 'utf-8-bom' | 'gbk' | 'big5'): string {
  const bytes =
    encoding === 'utf-8' || encoding === 'utf-8-bom'
      ? Buffer.concat([encoding === 'utf-8-bom' ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(text, 'utf8')])
      : execFileSync('iconv', ['-f', 'utf-8', '-t', encoding], { input: text });
  writeFileSync(path, bytes);
  return path;
}

/** An ASS script whose only style puts big text at the top of the picture (alignment 8): its styling shows. */
export function assText(cues: readonly Cue[]): string {
  const time = (s: number) => `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${(s % 60).toFixed(2).padStart(5, '0')}`;
  return [
    '[Script Info]',
    'ScriptType: v4.00+',
    'PlayResX: 640',
    'PlayResY: 360',
    '',
    '[V4+ Styles]',
    'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
    'Style: Top,DejaVu Sans,40,&H00FFFFFF,&H00FFFFFF,&H00000000,&H00000000,-1,0,0,0,100,100,0,0,1,2,0,8,10,10,10,1',
    '',
    '[Events]',
    'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
    ...cues.map((cue) => `Dialogue: 0,${time(cue.fromS)},${time(cue.toS)},Top,,0,0,0,,${cue.text}`),
    '',
  ].join('\n');
}

/**
 * A PGS (Blu-ray picture subtitle) stream, written segment by segment (presentation composition, window, palette,
 * object, end): a white `box` for each cue on a `width`x`height` canvas, cleared at the cue's end, and an empty
 * composition at 0 so the stream starts with the movie.
 */
export function pgsStream(width: number, height: number, cues: readonly { fromS: number; toS: number }[], box: { x: number; y: number; width: number; height: number }): Buffer {
  const u16 = (n: number) => [n >> 8, n & 0xff];
  const segment = (ptsS: number, type: number, body: number[] | Buffer): Buffer => {
    const head = Buffer.alloc(13);
    head.write('PG', 0, 'latin1');
    head.writeUInt32BE(Math.round(ptsS * 90_000), 2); // PTS at 90 kHz
    head.writeUInt32BE(0, 6); // DTS
    head[10] = type;
    head.writeUInt16BE(body.length, 11);
    return Buffer.concat([head, Buffer.from(body)]);
  };
  const composition = (ptsS: number, number: number, shown: boolean) =>
    segment(ptsS, 0x16, [...u16(width), ...u16(height), 0x10, ...u16(number), 0x80, 0, 0, shown ? 1 : 0, ...(shown ? [0, 0, 0, 0, ...u16(box.x), ...u16(box.y)] : [])]);
  const windowDef = (ptsS: number) => segment(ptsS, 0x17, [1, 0, ...u16(box.x), ...u16(box.y), ...u16(box.width), ...u16(box.height)]);
  const end = (ptsS: number) => segment(ptsS, 0x80, []);
  // Palette entry 1: white (Y 235, Cr 128, Cb 128), opaque.
  const palette = (ptsS: number) => segment(ptsS, 0x14, [0, 0, 1, 235, 128, 128, 255]);
  // Run-length coded lines: 0x00 0b11LLLLLL LLLLLLLL <colour> is a run of colour; 0x00 0x00 ends the line.
  const line = [0, 0xc0 | (box.width >> 8), box.width & 0xff, 1, 0, 0];
  const rle = Array.from({ length: box.height }, () => line).flat();
  const objectLength = rle.length + 4;
  const object = (ptsS: number) => segment(ptsS, 0x15, [0, 0, 0, 0xc0, objectLength >> 16, (objectLength >> 8) & 0xff, objectLength & 0xff, ...u16(box.width), ...u16(box.height), ...rle]);
  const parts = [composition(0, 0, false), windowDef(0), end(0)];
  cues.forEach((cue, i) => {
    parts.push(composition(cue.fromS, 2 * i + 1, true), windowDef(cue.fromS), palette(cue.fromS), object(cue.fromS), end(cue.fromS));
    parts.push(composition(cue.toS, 2 * i + 2, false), windowDef(cue.toS), end(cue.toS));
  });
  return Buffer.concat(parts);
}

/** Runs ffmpeg with `args` (quiet, overwriting) writing `out`; throws with its messages when it fails. */
export async function ffmpegTo(args: readonly string[], out: string, env?: NodeJS.ProcessEnv): Promise<string> {
  const partial = `${out}.partial${/\.[^./]+$/.exec(out)?.[0] ?? ''}`;
  const r = await runProcess('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args, partial], { timeoutMs: 90_000, ...(env ? { env } : {}) });
  if (r.code !== 0) throw new Error(`ffmpeg could not make ${out}:\n${r.stderr}`);
  renameSync(partial, out);
  return out;
}

/** Runs a playout command as playout does, into an FLV file. */
export function runCommandTo(command: FfmpegCommand, out: string, env?: NodeJS.ProcessEnv): Promise<string> {
  return ffmpegTo([...command.inputs.flatMap((i) => [...i.options, '-i', i.source]), ...command.output, ...FLV_OUTPUT], out, env);
}

/** The frame shown at `atS` of a video file, as 8-bit grey, `width`x`height`. */
export async function grayFrameAt(file: string, atS: number, width: number, height: number): Promise<Buffer> {
  const out = `${file}.${atS}.gray`;
  await ffmpegTo(['-ss', String(atS), '-i', file, '-frames:v', '1', '-vf', `scale=${width}:${height}`, '-f', 'rawvideo', '-pix_fmt', 'gray'], out);
  return readFileSync(out);
}

export interface Changed {
  count: number;
  /** The box around the changed pixels (undefined when none changed). */
  box?: { x0: number; y0: number; x1: number; y1: number };
  /** Which pixels changed (1) or not (0), for comparing shapes. */
  mask: Uint8Array;
}

/** The pixels where `a` and `b` differ by more than `threshold` grey levels: what subtitles drew on the picture. */
export function changedPixels(a: Buffer, b: Buffer, width: number, threshold = 60): Changed {
  const mask = new Uint8Array(a.length);
  let count = 0;
  let box: Changed['box'];
  for (let i = 0; i < a.length; i++) {
    if (Math.abs((a[i] ?? 0) - (b[i] ?? 0)) <= threshold) continue;
    mask[i] = 1;
    count++;
    const x = i % width;
    const y = Math.floor(i / width);
    box = box === undefined ? { x0: x, y0: y, x1: x, y1: y } : { x0: Math.min(box.x0, x), y0: Math.min(box.y0, y), x1: Math.max(box.x1, x), y1: Math.max(box.y1, y) };
  }
  return box === undefined ? { count, mask } : { count, box, mask };
}

/** The share of pixels set in one mask but not the other (0 same shape, 1 nothing in common). */
export function maskDifference(a: Uint8Array, b: Uint8Array): number {
  let either = 0;
  let one = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] || b[i]) either++;
    if (a[i] !== b[i]) one++;
  }
  return either === 0 ? 0 : one / either;
}

/**
 * The main frequency of a file's sound from `fromS` for `seconds`, by counting zero crossings of its first channel
 * (a pure tone crosses zero twice a period).
 */
export async function toneHz(file: string, fromS: number, seconds: number, scratch: string): Promise<number> {
  const out = join(scratch, `tone-${fromS}-${Date.now()}.s16`);
  await ffmpegTo(['-ss', String(fromS), '-i', file, '-t', String(seconds), '-map', '0:a:0', '-ac', '1', '-ar', '48000', '-f', 's16le'], out);
  const pcm = readFileSync(out);
  let crossings = 0;
  let previous = 0;
  for (let i = 0; i + 1 < pcm.length; i += 2) {
    const sample = pcm.readInt16LE(i);
    if ((previous < 0 && sample >= 0) || (previous >= 0 && sample < 0)) crossings++;
    previous = sample;
  }
  return crossings / 2 / (pcm.length / 2 / 48_000);
}

/** ffmpeg's ebur128 integrated loudness of a file's sound, in LUFS. */
export async function integratedLoudness(file: string): Promise<number> {
  const r = await runProcess('ffmpeg', ['-hide_banner', '-nostdin', '-nostats', '-i', file, '-map', '0:a:0', '-af', 'ebur128', '-f', 'null', '-'], { timeoutMs: 60_000 });
  const summary = r.stderr.slice(r.stderr.lastIndexOf('Integrated loudness:'));
  const value = /I:\s+(-?\d+(?:\.\d+)?) LUFS/.exec(summary)?.[1];
  if (value === undefined) throw new Error(`no loudness in ffmpeg's ebur128 summary:\n${r.stderr.slice(-2000)}`);
  return Number(value);
}

/** A fontconfig configuration that knows only DejaVu (no CJK glyphs): what a machine without a CJK font sees. */
export function latinOnlyFontconfig(dir: string): NodeJS.ProcessEnv {
  const file = join(dir, 'fonts.conf');
  const dejavu = dirname(execFileSync('fc-match', ['-f', '%{file}', 'DejaVu Sans'], { encoding: 'utf8' }).trim());
  writeFileSync(
    file,
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${dejavu}</dir>\n  <cachedir>${join(dir, 'fc-cache')}</cachedir>\n</fontconfig>\n`,
  );
  return { ...process.env, FONTCONFIG_FILE: file };
}
