import { resolve } from 'node:path';
import { UserError } from '../errors.js';
import { parseFfmpegInputInfo } from './ffmpeg-info.js';
import { lastLine, runTool, ToolTimeoutError } from './ffmpeg-locate.js';
import type { FfmpegTools, ToolResult } from './ffmpeg-locate.js';
import { type AudioProbe, IMAGE_SUBTITLE_CODECS, type MediaProbe, type SubtitleProbe, type TrackTags, type VideoProbe, clockwiseFromMatrix, parseSar, quarterTurn } from './media-probe.js';

export type { MediaProbe };

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
    if (r.code !== 0) throw new ProbeError(file, reasonOf(r.stderr, input) ?? `ffprobe exited with ${r.code ?? r.signal}`);
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

/** Lines of a failed probe's messages kept for the reason (`moov atom not found; Invalid data found ...`). */
const REASON_LINES = 2;

/**
 * The reason in a failed probe's messages: the last lines without the `[mov,mp4,... @ 0x55...]` component prefix or the
 * input's name, e.g. `moov atom not found; Invalid data found when processing input`.
 */
function reasonOf(stderr: string, input: string): string | undefined {
  const lines = stderr
    .split(/\r?\n/)
    .map((line) => stripInput(line.replace(/^\[[^\]]* @ 0x[0-9a-f]+\]\s*/, '').trim(), input))
    .filter((line) => line !== '');
  const reasons = [...new Set(lines.slice(-REASON_LINES))];
  return reasons.length === 0 ? undefined : reasons.join('; ');
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
  index?: unknown;
  codec_type?: unknown;
  codec_name?: unknown;
  profile?: unknown;
  width?: unknown;
  height?: unknown;
  pix_fmt?: unknown;
  sample_aspect_ratio?: unknown;
  avg_frame_rate?: unknown;
  r_frame_rate?: unknown;
  color_range?: unknown;
  color_space?: unknown;
  color_transfer?: unknown;
  color_primaries?: unknown;
  sample_rate?: unknown;
  channels?: unknown;
  duration?: unknown;
  disposition?: { attached_pic?: unknown; default?: unknown; forced?: unknown };
  tags?: Record<string, unknown>;
  side_data_list?: { side_data_type?: unknown; rotation?: unknown }[];
}

/**
 * `ffprobe -show_format -show_streams -of json` output to a MediaProbe: the first video that is not cover art, every
 * audio track (the default one, else the first, is the one played), every subtitle track, the cover art and the
 * container's title.
 */
export function parseFfprobeJson(json: unknown): MediaProbe {
  const root = (json ?? {}) as { format?: { format_name?: unknown; duration?: unknown; tags?: Record<string, unknown> }; streams?: unknown };
  const streams = Array.isArray(root.streams) ? (root.streams as FfprobeStream[]) : [];
  const isCover = (s: FfprobeStream) => s.codec_type === 'video' && s.disposition?.attached_pic === 1;
  const video = streams.find((s) => s.codec_type === 'video' && !isCover(s));
  const cover = streams.find(isCover);
  let durationS = toNumber(root.format?.duration);
  if (!Number.isFinite(durationS)) durationS = Math.max(...streams.map((s) => toNumber(s.duration)).filter(Number.isFinite));
  const probe: MediaProbe = { durationS, formatName: String(root.format?.format_name ?? '') };
  if (video !== undefined) probe.video = videoProbe(video, streams.indexOf(video));
  const audioTracks = streams.flatMap((s, position): AudioProbe[] =>
    s.codec_type !== 'audio'
      ? []
      : [{ index: streamIndex(s, position), codec: String(s.codec_name ?? 'unknown'), sampleRate: toNumber(s.sample_rate), channels: toNumber(s.channels), ...trackTags(s) }],
  );
  if (audioTracks.length > 0) {
    probe.audioTracks = audioTracks;
    probe.audio = audioTracks.find((track) => track.isDefault === true) ?? audioTracks[0];
  }
  const subtitleTracks = streams.flatMap((s, position): SubtitleProbe[] => {
    if (s.codec_type !== 'subtitle') return [];
    const codec = String(s.codec_name ?? 'unknown');
    const forced = s.disposition?.forced === 1;
    return [{ index: streamIndex(s, position), codec, form: IMAGE_SUBTITLE_CODECS.has(codec) ? 'image' : 'text', ...trackTags(s), ...(forced ? { forced } : {}) }];
  });
  if (subtitleTracks.length > 0) probe.subtitleTracks = subtitleTracks;
  if (cover !== undefined) probe.coverArt = { index: streamIndex(cover, streams.indexOf(cover)) };
  const title = tagValue(root.format?.tags, 'title');
  if (title !== undefined) probe.title = title;
  return probe;
}

/** Language, name and default flag of a stream, as far as its tags say. */
function trackTags(stream: FfprobeStream): TrackTags {
  const tagged = tagValue(stream.tags, 'language');
  // `und` (undetermined) is what muxers write for no language.
  const language = tagged === 'und' ? undefined : tagged;
  const title = tagValue(stream.tags, 'title');
  return {
    ...(language !== undefined ? { language } : {}),
    ...(title !== undefined ? { title } : {}),
    ...(stream.disposition?.default === 1 ? { isDefault: true } : {}),
  };
}

/** A tag by name in any case (Matroska writes `TITLE`, MP4 `title`), trimmed; undefined when absent or empty. */
function tagValue(tags: Record<string, unknown> | undefined, name: string): string | undefined {
  if (tags === undefined || tags === null || typeof tags !== 'object') return undefined;
  const key = Object.keys(tags).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : tags[key];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function videoProbe(stream: FfprobeStream, position: number): VideoProbe {
  let fps = parseRate(stream.avg_frame_rate);
  let rate = typeof stream.avg_frame_rate === 'string' ? stream.avg_frame_rate : undefined;
  if (!(fps > 0)) {
    fps = parseRate(stream.r_frame_rate);
    rate = typeof stream.r_frame_rate === 'string' ? stream.r_frame_rate : undefined;
  }
  const matrix = stream.side_data_list?.find((d) => d.side_data_type === 'Display Matrix');
  const rotation = matrix !== undefined ? clockwiseFromMatrix(toNumber(matrix.rotation)) : quarterTurn(toNumber(stream.tags?.['rotate']));
  const color = {
    ...known('range', stream.color_range),
    ...known('space', stream.color_space),
    ...known('transfer', stream.color_transfer),
    ...known('primaries', stream.color_primaries),
  };
  return {
    index: streamIndex(stream, position),
    codec: String(stream.codec_name ?? 'unknown'),
    width: toNumber(stream.width),
    height: toNumber(stream.height),
    fps,
    ...(rate !== undefined && fps > 0 ? { rate } : {}),
    ...(typeof stream.pix_fmt === 'string' ? { pixFmt: stream.pix_fmt } : {}),
    ...(typeof stream.profile === 'string' ? { profile: stream.profile } : {}),
    sar: parseSar(stream.sample_aspect_ratio),
    rotation,
    ...(Object.keys(color).length > 0 ? { color } : {}),
  };
}

/** A colour field ffprobe knows (it prints `unknown` for unspecified ones). */
function known<K extends string>(key: K, value: unknown): Partial<Record<K, string>> {
  return typeof value === 'string' && value !== '' && value !== 'unknown' ? ({ [key]: value } as Record<K, string>) : {};
}

function streamIndex(stream: FfprobeStream, position: number): number {
  const index = toNumber(stream.index);
  return Number.isInteger(index) && index >= 0 ? index : position;
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
