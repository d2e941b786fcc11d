import { resolve } from 'node:path';
import { UserError } from '../errors.js';
import { lastLine, runTool, ToolTimeoutError } from './ffmpeg-locate.js';
import type { FfmpegTools, ToolResult } from './ffmpeg-locate.js';

/** What the playout needs to know about one media file. */
export interface MediaProbe {
  durationS: number;
  /** The demuxer's name list, e.g. `flv`, `mov,mp4,m4a,3gp,3g2,mj2`. */
  formatName: string;
  video?: { codec: string; width: number; height: number; fps: number; pixFmt?: string; profile?: string };
  audio?: { codec: string; sampleRate: number; channels: number };
}

/** A file that cannot be played: missing, unreadable, not media, or without a duration or any audio/video. */
export class ProbeError extends UserError {
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(`cannot play ${file}: ${detail}`, 'check that the file exists, is readable, and plays in a media player');
  }
}

/** Reading a local file's headers takes milliseconds; a slow disk or a huge moov atom gets this much. */
export const PROBE_TIMEOUT_MS = 30_000;

/**
 * Probes `file` with `ffprobe -show_format -show_streams -of json` (spawned directly: fluent-ffmpeg's ffprobe does not
 * expose its child, so it cannot be killed on abort), or when there is no ffprobe, by parsing what `ffmpeg -i file`
 * prints. Rejects with ProbeError for anything wrong with the file, and with the signal's reason on abort.
 */
export async function probeMedia(tools: FfmpegTools, file: string, options: { signal?: AbortSignal } = {}): Promise<MediaProbe> {
  // The `file:` protocol prefix keeps names that start with '-' or contain ':' from being read as options or URLs.
  const input = `file:${resolve(file)}`;
  const run = async (path: string, args: string[]): Promise<ToolResult> => {
    try {
      return await runTool(path, args, { timeoutMs: PROBE_TIMEOUT_MS, ...(options.signal ? { signal: options.signal } : {}) });
    } catch (error) {
      if (error instanceof ToolTimeoutError) throw new ProbeError(file, error.message);
      throw error;
    }
  };
  if (tools.ffprobe !== undefined) {
    const r = await run(tools.ffprobe, ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', input]);
    if (r.code !== 0) throw new ProbeError(file, stripInput(lastLine(r.stderr) ?? `ffprobe exited with ${r.code ?? r.signal}`, input));
    let json: unknown;
    try {
      json = JSON.parse(r.stdout);
    } catch {
      throw new ProbeError(file, `ffprobe printed something that is not JSON (${lastLine(r.stderr) ?? 'no message'})`);
    }
    return checked(file, parseFfprobeJson(json));
  }
  const r = await run(tools.ffmpeg, ['-hide_banner', '-nostdin', '-i', input]);
  const parsed = parseFfmpegInputInfo(r.stderr);
  if (parsed === undefined) throw new ProbeError(file, stripInput(ffmpegErrorLine(r.stderr) ?? `ffmpeg exited with ${r.code ?? r.signal}`, input));
  return checked(file, parsed);
}

function checked(file: string, probe: MediaProbe): MediaProbe {
  if (probe.video === undefined && probe.audio === undefined) throw new ProbeError(file, 'it has no video or audio stream');
  if (!Number.isFinite(probe.durationS) || probe.durationS <= 0) throw new ProbeError(file, 'its duration is unknown');
  return probe;
}

/** ffmpeg names the input in its messages (`file:/x/y.mp4: No such file or directory`); the file is named already. */
function stripInput(line: string, input: string): string {
  return line.startsWith(`${input}: `) ? line.slice(input.length + 2) : line;
}

/** `ffmpeg -i` without an output always ends with this; the reason for a failure is the line before it. */
const NO_OUTPUT_LINE = 'At least one output file must be specified';

function ffmpegErrorLine(stderr: string): string | undefined {
  const lines = stderr.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && l !== NO_OUTPUT_LINE);
  return lines[lines.length - 1];
}

// ---------------------------------------------------------------------------------------------------------------
// ffprobe JSON

interface FfprobeStream {
  codec_type?: unknown;
  codec_name?: unknown;
  profile?: unknown;
  width?: unknown;
  height?: unknown;
  pix_fmt?: unknown;
  avg_frame_rate?: unknown;
  r_frame_rate?: unknown;
  sample_rate?: unknown;
  channels?: unknown;
  duration?: unknown;
  disposition?: { attached_pic?: unknown };
}

/** `ffprobe -show_format -show_streams -of json` output to a MediaProbe (first video that is not cover art, first audio). */
export function parseFfprobeJson(json: unknown): MediaProbe {
  const root = (json ?? {}) as { format?: { format_name?: unknown; duration?: unknown }; streams?: unknown };
  const streams = Array.isArray(root.streams) ? (root.streams as FfprobeStream[]) : [];
  const video = streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  const audio = streams.find((s) => s.codec_type === 'audio');
  let durationS = toNumber(root.format?.duration);
  if (!Number.isFinite(durationS)) durationS = Math.max(...streams.map((s) => toNumber(s.duration)).filter(Number.isFinite));
  const probe: MediaProbe = { durationS, formatName: String(root.format?.format_name ?? '') };
  if (video !== undefined) {
    let fps = parseRate(video.avg_frame_rate);
    if (!(fps > 0)) fps = parseRate(video.r_frame_rate);
    probe.video = {
      codec: String(video.codec_name ?? 'unknown'),
      width: toNumber(video.width),
      height: toNumber(video.height),
      fps,
      ...(typeof video.pix_fmt === 'string' ? { pixFmt: video.pix_fmt } : {}),
      ...(typeof video.profile === 'string' ? { profile: video.profile } : {}),
    };
  }
  if (audio !== undefined) {
    probe.audio = { codec: String(audio.codec_name ?? 'unknown'), sampleRate: toNumber(audio.sample_rate), channels: toNumber(audio.channels) };
  }
  return probe;
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return NaN;
}

/** `30000/1001`, `25/1`, `0/0` (unknown: NaN). */
function parseRate(value: unknown): number {
  if (typeof value !== 'string') return NaN;
  const [num, den] = value.split('/').map(Number);
  if (num === undefined || den === undefined || !(den > 0)) return NaN;
  return num / den;
}

// ---------------------------------------------------------------------------------------------------------------
// `ffmpeg -i file` stderr

/**
 * The first input's description as `ffmpeg -hide_banner -i file` prints it (libavformat's av_dump_format), or
 * undefined when there is no `Input #0` block (the file could not be opened). The lines it reads:
 *   Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'file:/x/a.mp4':
 *     Duration: 00:00:02.00, start: 0.000000, bitrate: 1880 kb/s
 *     Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(tv, bt709, progressive), 1280x720 [SAR 1:1 DAR 16:9], 2500 kb/s, 29.97 fps, 29.97 tbr, 30k tbn (default)
 *     Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, stereo, fltp, 127 kb/s (default)
 */
export function parseFfmpegInputInfo(stderr: string): MediaProbe | undefined {
  const lines = stderr.split(/\r?\n/);
  const start = lines.findIndex((l) => /^Input #0, /.test(l));
  if (start < 0) return undefined;
  const header = /^Input #0, (.*), from '.*':\s*$/.exec(lines[start] ?? '');
  const probe: MediaProbe = { durationS: NaN, formatName: header?.[1] ?? '' };
  for (const line of lines.slice(start + 1)) {
    // The block ends at the next top-level line (Input #1, Output #0, an error message).
    if (!/^\s/.test(line)) break;
    const duration = /^\s+Duration: (?:(\d+):(\d+):(\d+(?:\.\d+)?)|N\/A)/.exec(line);
    if (duration) {
      if (duration[1] !== undefined) probe.durationS = Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3]);
      continue;
    }
    const stream = /^\s+Stream #0:\d+(?:\[[^\]]*\])?(?:\([^)]*\))?: (Video|Audio): (.*)$/.exec(line);
    if (stream === null) continue;
    const parts = splitTopLevel(stream[2] ?? '');
    if (stream[1] === 'Video' && probe.video === undefined && !/\(attached pic\)/.test(line)) probe.video = parseVideoParts(parts);
    if (stream[1] === 'Audio' && probe.audio === undefined) probe.audio = parseAudioParts(parts);
  }
  return probe;
}

/** `h264 (High) (avc1 / 0x31637661)` -> codec h264, profile High (the part with ` / ` is the codec tag). */
function parseCodecPart(part: string): { codec: string; profile?: string } {
  const codec = /^(\S+)/.exec(part)?.[1] ?? 'unknown';
  const profile = [...part.matchAll(/\(([^()]*)\)/g)].map((m) => m[1] ?? '').find((p) => !p.includes(' / '));
  return profile === undefined ? { codec } : { codec, profile };
}

function parseVideoParts(parts: string[]): NonNullable<MediaProbe['video']> {
  const video: NonNullable<MediaProbe['video']> = { ...parseCodecPart(parts[0] ?? ''), width: NaN, height: NaN, fps: NaN };
  const pixFmt = /^([a-z0-9_]+)(?:\(|$)/.exec(parts[1] ?? '');
  if (pixFmt?.[1] !== undefined && !/^\d+x\d+/.test(parts[1] ?? '')) video.pixFmt = pixFmt[1];
  let tbr = NaN;
  for (const part of parts.slice(1)) {
    const size = /^(\d+)x(\d+)(?:\s|$)/.exec(part);
    if (size) {
      video.width = Number(size[1]);
      video.height = Number(size[2]);
    }
    const fps = /^(\d+(?:\.\d+)?)(k?) fps$/.exec(part);
    if (fps) video.fps = Number(fps[1]) * (fps[2] === 'k' ? 1000 : 1);
    const rate = /^(\d+(?:\.\d+)?)(k?) tbr$/.exec(part);
    if (rate) tbr = Number(rate[1]) * (rate[2] === 'k' ? 1000 : 1);
  }
  if (!(video.fps > 0)) video.fps = tbr;
  return video;
}

/** Channel layout names av_dump_format prints for the common layouts (libavutil channel_layout.c). */
const LAYOUT_CHANNELS: Record<string, number> = {
  mono: 1,
  stereo: 2,
  downmix: 2,
  quad: 4,
  'quad(side)': 4,
  hexagonal: 6,
  octagonal: 8,
  hexadecagonal: 16,
  cube: 8,
};

function parseAudioParts(parts: string[]): NonNullable<MediaProbe['audio']> {
  const audio: NonNullable<MediaProbe['audio']> = { codec: parseCodecPart(parts[0] ?? '').codec, sampleRate: NaN, channels: NaN };
  for (const part of parts.slice(1)) {
    const rate = /^(\d+) Hz$/.exec(part);
    if (rate) {
      audio.sampleRate = Number(rate[1]);
      continue;
    }
    if (!Number.isNaN(audio.channels) || Number.isNaN(audio.sampleRate)) continue;
    // The part right after the sample rate is the layout: a name, `5.1(side)` style (front + LFE), or `N channels`.
    audio.channels = layoutChannels(part);
  }
  return audio;
}

function layoutChannels(layout: string): number {
  const named = LAYOUT_CHANNELS[layout];
  if (named !== undefined) return named;
  const count = /^(\d+) channels/.exec(layout);
  if (count) return Number(count[1]);
  const dotted = /^(\d+)\.(\d+)(?:\(|$)/.exec(layout);
  if (dotted) return Number(dotted[1]) + Number(dotted[2]);
  return NaN;
}

/** Splits `a (b, c), d` at the commas outside parentheses and brackets. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') parts.push(current.trim());
  return parts;
}

// ---------------------------------------------------------------------------------------------------------------

/** Frame rates closer than this are the same rate (29.97 printed vs 30000/1001 measured). */
export const FPS_TOLERANCE = 0.01;

/**
 * Whether the items can be played out with `-c copy` as one continuous stream: every item H.264 + AAC, with the
 * first item's width, height, fps, pixel format, sample rate and channel count. Reasons name items from 1.
 */
export function copyCompatible(probes: MediaProbe[]): { ok: true } | { ok: false; reasons: string[] } {
  const reasons: string[] = [];
  const first = probes[0];
  probes.forEach((p, i) => {
    const n = i + 1;
    if (p.video === undefined) reasons.push(`item ${n} has no video`);
    else if (p.video.codec !== 'h264') reasons.push(`item ${n}'s video is ${p.video.codec}, not h264`);
    if (p.audio === undefined) reasons.push(`item ${n} has no audio`);
    else if (p.audio.codec !== 'aac') reasons.push(`item ${n}'s audio is ${p.audio.codec}, not aac`);
    if (i === 0 || first === undefined) return;
    const [a, b] = [first.video, p.video];
    if (a !== undefined && b !== undefined) {
      if (a.width !== b.width || a.height !== b.height) reasons.push(`item ${n} is ${b.width}x${b.height}, item 1 is ${a.width}x${a.height}`);
      if (!(Math.abs(a.fps - b.fps) <= FPS_TOLERANCE)) reasons.push(`item ${n} runs at ${round(b.fps)} fps, item 1 at ${round(a.fps)} fps`);
      if (a.pixFmt !== b.pixFmt) reasons.push(`item ${n}'s pixel format is ${b.pixFmt ?? 'unknown'}, item 1's is ${a.pixFmt ?? 'unknown'}`);
    }
    const [x, y] = [first.audio, p.audio];
    if (x !== undefined && y !== undefined) {
      if (x.sampleRate !== y.sampleRate) reasons.push(`item ${n}'s audio is ${y.sampleRate} Hz, item 1's is ${x.sampleRate} Hz`);
      if (x.channels !== y.channels) reasons.push(`item ${n} has ${y.channels} audio channels, item 1 has ${x.channels}`);
    }
  });
  return reasons.length === 0 ? { ok: true } : { ok: false, reasons };
}

function round(fps: number): string {
  return String(Math.round(fps * 1000) / 1000);
}
