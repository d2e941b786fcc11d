/**
 * Probing without ffprobe: what `ffmpeg -hide_banner -i file` prints about its input (libavformat's av_dump_format).
 */
import { type AudioProbe, IMAGE_SUBTITLE_CODECS, type MediaProbe, type SubtitleProbe, type TrackTags, type VideoProbe, clockwiseFromMatrix, parseSar } from './media-probe.js';

/**
 * The first input's description, or undefined when there is no `Input #0` block (the file could not be opened).
 * The lines it reads:
 *   Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'file:/x/a.mp4':
 *     Duration: 00:00:02.00, start: 0.000000, bitrate: 1880 kb/s
 *     Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(tv, bt709, progressive), 720x576 [SAR 64:45 DAR 16:9], 2500 kb/s, 25 fps, 25 tbr, 12800 tbn (default)
 *       Side data:
 *         displaymatrix: rotation of -90.00 degrees
 *     Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, stereo, fltp, 127 kb/s (default)
 *     Stream #0:2: Video: mjpeg (Baseline), yuvj444p(pc, bt470bg/unknown/unknown), 200x200, 90k tbr, 90k tbn (attached pic)
 */
export function parseFfmpegInputInfo(stderr: string): MediaProbe | undefined {
  const lines = stderr.split(/\r?\n/);
  const start = lines.findIndex((l) => /^Input #0, /.test(l));
  if (start < 0) return undefined;
  const header = /^Input #0, (.*), from '.*':\s*$/.exec(lines[start] ?? '');
  const probe: MediaProbe = { durationS: NaN, formatName: header?.[1] ?? '' };
  /** The stream the indented lines that follow (metadata, side data) belong to. */
  let last: VideoProbe | undefined;
  /** The track whose `Metadata:` lines follow (its title), and whether the input's own metadata block is open. */
  let lastTags: TrackTags | undefined;
  let inputTags = false;
  for (const line of lines.slice(start + 1)) {
    // The block ends at the next top-level line (Input #1, Output #0, an error message).
    if (!/^\s/.test(line)) break;
    const duration = /^\s+Duration: (?:(\d+):(\d+):(\d+(?:\.\d+)?)|N\/A)/.exec(line);
    if (duration) {
      if (duration[1] !== undefined) probe.durationS = Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3]);
      continue;
    }
    const rotation = /^\s+displaymatrix: rotation of (-?\d+(?:\.\d+)?) degrees/.exec(line);
    if (rotation) {
      if (last !== undefined) last.rotation = clockwiseFromMatrix(Number(rotation[1]));
      continue;
    }
    const title = /^\s+title\s*: (.+)$/.exec(line);
    if (title) {
      const text = title[1]?.trim() ?? '';
      if (text !== '' && lastTags !== undefined) lastTags.title = text;
      else if (text !== '' && inputTags) probe.title ??= text;
      continue;
    }
    if (/^  Metadata:/.test(line)) {
      inputTags = lastTags === undefined && probe.video === undefined && probe.coverArt === undefined;
      continue;
    }
    const stream = /^\s+Stream #0:(\d+)(?:\[[^\]]*\])?(?:\(([^)]*)\))?: (\w+): (.*)$/.exec(line);
    if (stream === null) continue;
    last = undefined;
    lastTags = undefined;
    inputTags = false;
    const index = Number(stream[1]);
    const parts = splitTopLevel(stream[4] ?? '');
    const tags: TrackTags = {
      ...(stream[2] !== undefined && stream[2] !== 'und' ? { language: stream[2] } : {}),
      ...(/\(default\)/.test(line) ? { isDefault: true } : {}),
    };
    if (stream[3] === 'Video' && /\(attached pic\)/.test(line)) probe.coverArt ??= { index };
    else if (stream[3] === 'Video' && probe.video === undefined) last = probe.video = parseVideoParts(index, parts);
    else if (stream[3] === 'Audio') {
      const audio: AudioProbe = { ...parseAudioParts(index, parts), ...tags };
      (probe.audioTracks ??= []).push(audio);
      lastTags = audio;
    } else if (stream[3] === 'Subtitle') {
      const codec = parseCodecPart(parts[0] ?? '').codec;
      const subtitle: SubtitleProbe = { index, codec, form: IMAGE_SUBTITLE_CODECS.has(codec) ? 'image' : 'text', ...tags, ...(/\(forced\)/.test(line) ? { forced: true } : {}) };
      (probe.subtitleTracks ??= []).push(subtitle);
      lastTags = subtitle;
    }
  }
  if (probe.audioTracks !== undefined) probe.audio = probe.audioTracks.find((track) => track.isDefault === true) ?? probe.audioTracks[0];
  return probe;
}

/** `h264 (High) (avc1 / 0x31637661)` -> codec h264, profile High (the part with ` / ` is the codec tag). */
function parseCodecPart(part: string): { codec: string; profile?: string } {
  const codec = /^(\S+)/.exec(part)?.[1] ?? 'unknown';
  const profile = [...part.matchAll(/\(([^()]*)\)/g)].map((m) => m[1] ?? '').find((p) => !p.includes(' / '));
  return profile === undefined ? { codec } : { codec, profile };
}

/** `yuv420p(tv, bt709, progressive)`: range, then one name for all three colour fields or `space/primaries/transfer`. */
function parseColor(part: string): VideoProbe['color'] {
  const inner = /^[a-z0-9_]+\((.*)\)$/.exec(part)?.[1];
  if (inner === undefined) return undefined;
  const color: NonNullable<VideoProbe['color']> = {};
  for (const field of inner.split(',').map((f) => f.trim())) {
    if (field === 'tv' || field === 'pc') color.range = field;
    else if (/^[a-z0-9_-]+\/[a-z0-9_-]+\/[a-z0-9_-]+$/.test(field)) {
      const [space, primaries, transfer] = field.split('/');
      Object.assign(color, space !== 'unknown' ? { space } : {}, primaries !== 'unknown' ? { primaries } : {}, transfer !== 'unknown' ? { transfer } : {});
    } else if (/^(bt|smpte|iec|arib|fcc|film|gbr|ycgco|chroma)/.test(field)) {
      Object.assign(color, { space: field, primaries: field, transfer: field });
    }
  }
  return Object.keys(color).length > 0 ? color : undefined;
}

function parseVideoParts(index: number, parts: string[]): VideoProbe {
  const video: VideoProbe = { index, ...parseCodecPart(parts[0] ?? ''), width: NaN, height: NaN, fps: NaN, sar: parseSar(undefined), rotation: 0 };
  const pixFmt = /^([a-z0-9_]+)(?:\(|$)/.exec(parts[1] ?? '');
  if (pixFmt?.[1] !== undefined && !/^\d+x\d+/.test(parts[1] ?? '')) {
    video.pixFmt = pixFmt[1];
    const color = parseColor(parts[1] ?? '');
    if (color !== undefined) video.color = color;
  }
  let tbr = NaN;
  for (const part of parts.slice(1)) {
    const size = /^(\d+)x(\d+)(?:\s|$)/.exec(part);
    if (size) {
      video.width = Number(size[1]);
      video.height = Number(size[2]);
      const sar = /\[SAR (\d+:\d+) DAR/.exec(part);
      if (sar) video.sar = parseSar(sar[1]);
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

function parseAudioParts(index: number, parts: string[]): AudioProbe {
  const audio: AudioProbe = { index, codec: parseCodecPart(parts[0] ?? '').codec, sampleRate: NaN, channels: NaN };
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
