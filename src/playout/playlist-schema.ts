/**
 * The playlist YAML's shape, as a zod schema over the plain value the `yaml` package produces.
 * Field names are the YAML ones (snake_case); playlist.ts turns the result into the Playlist type.
 * Every message says what was expected; playlist.ts adds file, line and field.
 */
import { z } from 'zod';
import { parseStartText, START_TEXT_EXPECTED } from './at-option.js';
import type { StartSpec } from './at-option.js';
import { isValidTimeZone } from './clock-time.js';
import {
  VIEWING_EXPECTED,
  breakLength,
  defaultAudio,
  defaultSubtitles,
  itemAudio,
  itemSubtitles,
  normalizeLoudness,
  overlay,
  showTitles,
  subtitleStyle,
  viewingKeysAt,
} from './playlist-viewing-schema.js';
import { GENERIC, describeValue, fail, parseBitrate, parseLength, parseTimecode } from './playlist-values.js';

export { describeValue, parseBitrate, parseLength, parseTimecode };

export const TOP_KEYS = [
  'stream', 'start', 'timezone', 'loop', 'end_slate', 'transcode', 'output', 'filler',
  'subtitles', 'subtitle_style', 'audio', 'normalize_loudness', 'break', 'overlay', 'show_titles', 'items',
] as const;
export const OUTPUT_KEYS = ['width', 'height', 'fps', 'video_bitrate', 'audio_bitrate', 'sample_rate'] as const;
export const ITEM_KEYS = ['file', 'generate', 'title', 'in', 'out', 'at', 'subtitles', 'audio'] as const;
export const GENERATE_KEYS = ['pattern', 'seconds', 'tone'] as const;
export const TRANSCODE_MODES = ['auto', 'copy', 'normalize'] as const;
/**
 * ffmpeg's lavfi test-card sources that take a size and a rate. Which of them the ffmpeg in use has is checked when
 * the show is prepared (ffmpeg 5.1 lacks zoneplate, for one).
 */
export const GENERATED_PATTERNS = [
  'testsrc',
  'testsrc2',
  'smptebars',
  'smptehdbars',
  'pal75bars',
  'pal100bars',
  'rgbtestsrc',
  'yuvtestsrc',
  'colorspectrum',
  'zoneplate',
] as const;

/** Sample rates AAC encoders accept (ISO/IEC 14496-3 sampling frequency index table, the usual ones). */
export const SAMPLE_RATES = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 88200, 96000] as const;

/** Limits that keep an output profile something ffmpeg and players can handle. */
export const LIMITS = {
  maxDimension: 7680,
  minDimension: 16,
  maxFps: 120,
  minVideoBitrate: 50_000,
  maxVideoBitrate: 200_000_000,
  minAudioBitrate: 8_000,
  maxAudioBitrate: 1_024_000,
  maxGeneratedSeconds: 24 * 3600,
  maxEndSlateSeconds: 24 * 3600,
  minToneHz: 20,
  maxToneHz: 20_000,
} as const;

/** Keys whose expectation reads better in words than zod's type name; used by the error map. */
export const EXPECTED: Record<string, string> = {
  stream: 'a stream key of letters, digits, ., _, ~ or -',
  start: START_TEXT_EXPECTED,
  timezone: 'an IANA time zone like Europe/Berlin',
  loop: 'true or false',
  end_slate: `a length like 10m, 90s, 1h30m or 0:10:00 (0: none), at most ${LIMITS.maxEndSlateSeconds / 3600} h`,
  transcode: 'auto, copy or normalize',
  output: `a mapping with ${OUTPUT_KEYS.join(', ')}`,
  filler: 'a file or folder path',
  items: 'a list of items',
  item: 'a file name or a mapping with file or generate',
  file: 'a file path',
  generate: `a mapping with ${GENERATE_KEYS.join(', ')}`,
  title: 'a text',
  pattern: GENERATED_PATTERNS.join(', '),
  seconds: `a number of seconds above 0 and at most ${LIMITS.maxGeneratedSeconds}`,
  tone: `a frequency in Hz from ${LIMITS.minToneHz} to ${LIMITS.maxToneHz}`,
  width: `an even number of pixels from ${LIMITS.minDimension} to ${LIMITS.maxDimension}`,
  height: `an even number of pixels from ${LIMITS.minDimension} to ${LIMITS.maxDimension}`,
  fps: `frames per second above 0 and at most ${LIMITS.maxFps}`,
  video_bitrate: "a bitrate like '2500k', '2.5M' or bits per second",
  audio_bitrate: "a bitrate like '128k' or bits per second",
  sample_rate: `one of ${SAMPLE_RATES.join(', ')}`,
  in: 'HH:MM:SS(.mmm), MM:SS or seconds',
  out: 'HH:MM:SS(.mmm), MM:SS or seconds',
  at: START_TEXT_EXPECTED,
  ...VIEWING_EXPECTED,
};

const timecode = z.unknown().transform((value, ctx) => parseTimecode(value) ?? fail(ctx, value, EXPECTED['in']!));

const endSlate = z.unknown().transform((value, ctx) => {
  const seconds = parseLength(value);
  if (seconds === undefined || seconds > LIMITS.maxEndSlateSeconds) return fail(ctx, value, EXPECTED['end_slate']!);
  return seconds;
});

const startText = z.unknown().transform((value, ctx): StartSpec => {
  if (typeof value !== 'string') return fail(ctx, value, START_TEXT_EXPECTED);
  const result = parseStartText(value);
  if ('spec' in result) return result.spec;
  ctx.issues.push({ code: 'custom', message: `${result.problem}, got '${value}'`, input: value });
  return z.NEVER;
});

function bitrate(field: 'video_bitrate' | 'audio_bitrate', min: number, max: number) {
  return z.unknown().transform((value, ctx) => {
    const bits = parseBitrate(value);
    if (bits === undefined || bits < min || bits > max) {
      return fail(ctx, value, `${EXPECTED[field]!} from ${min} to ${max} bit/s`);
    }
    return bits;
  });
}

const dimension = z.number().int().min(LIMITS.minDimension).max(LIMITS.maxDimension).refine((n) => n % 2 === 0, GENERIC);

const nonEmptyText = z.string().trim().min(1);

const outputSchema = z.strictObject({
  width: dimension.optional(),
  height: dimension.optional(),
  fps: z.number().positive().max(LIMITS.maxFps).optional(),
  video_bitrate: bitrate('video_bitrate', LIMITS.minVideoBitrate, LIMITS.maxVideoBitrate).optional(),
  audio_bitrate: bitrate('audio_bitrate', LIMITS.minAudioBitrate, LIMITS.maxAudioBitrate).optional(),
  sample_rate: z
    .number()
    .refine((n) => (SAMPLE_RATES as readonly number[]).includes(n), GENERIC)
    .optional(),
});

const generateSchema = z.strictObject({
  pattern: z.enum(GENERATED_PATTERNS),
  seconds: z.number().positive().max(LIMITS.maxGeneratedSeconds),
  tone: z.number().min(LIMITS.minToneHz).max(LIMITS.maxToneHz).optional(),
});

const itemObject = z
  .strictObject({
    file: nonEmptyText.optional(),
    generate: generateSchema.optional(),
    title: nonEmptyText.optional(),
    in: timecode.optional(),
    out: timecode.optional(),
    at: startText.optional(),
    subtitles: itemSubtitles.optional(),
    audio: itemAudio.optional(),
  })
  .superRefine((item, ctx) => {
    if (item.file === undefined && item.generate === undefined) {
      ctx.addIssue({ code: 'custom', message: 'expected a file or a generate mapping, got neither', path: [] });
    }
    if (item.generate !== undefined && item.subtitles !== undefined && item.subtitles.kind !== 'none') {
      ctx.addIssue({ code: 'custom', message: 'expected subtitles only on a file item, got them on a generated one', path: ['subtitles'] });
    }
    if (item.file !== undefined && item.generate !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'expected a file or a generate mapping, got both', path: ['generate'] });
    }
    const inS = item.in ?? 0;
    if (item.out !== undefined && item.out <= inS) {
      ctx.addIssue({
        code: 'custom',
        message: `expected out to be after in (${inS} s), got ${item.out} s`,
        path: ['out'],
      });
    }
    if (item.generate !== undefined && item.out !== undefined && item.out > item.generate.seconds) {
      ctx.addIssue({
        code: 'custom',
        message: `expected out to be at most the generated length (${item.generate.seconds} s), got ${item.out} s`,
        path: ['out'],
      });
    } else if (item.generate !== undefined && item.out === undefined && inS >= item.generate.seconds) {
      ctx.addIssue({
        code: 'custom',
        message: `expected in to be before the end of the generated clip (${item.generate.seconds} s), got ${inS} s`,
        path: ['in'],
      });
    }
  });

/** A bare string item is shorthand for `{ file: <string> }`. */
const itemSchema = z.preprocess((value) => (typeof value === 'string' ? { file: value } : value), itemObject);

export const playlistSchema = z.strictObject({
  stream: z
    .string()
    .regex(/^[A-Za-z0-9._~-]{1,128}$/)
    .refine((key) => key !== '.' && key !== '..', GENERIC)
    .optional(),
  start: startText.optional(),
  timezone: z.string().refine(isValidTimeZone, GENERIC).optional(),
  loop: z.boolean().default(false),
  end_slate: endSlate.optional(),
  transcode: z.enum(TRANSCODE_MODES).default('auto'),
  output: outputSchema.optional(),
  filler: nonEmptyText.optional(),
  subtitles: defaultSubtitles.optional(),
  subtitle_style: subtitleStyle.optional(),
  audio: defaultAudio.optional(),
  normalize_loudness: normalizeLoudness.optional(),
  break: breakLength.optional(),
  overlay: overlay.optional(),
  show_titles: showTitles.optional(),
  items: z.array(itemSchema).min(1),
});

export type PlaylistYaml = z.output<typeof playlistSchema>;

/** Known keys of the mapping at `path` (for "unknown field" messages). */
export function knownKeysAt(path: readonly PropertyKey[]): readonly string[] {
  if (path.length === 0) return TOP_KEYS;
  const viewing = viewingKeysAt(path);
  if (viewing !== undefined) return viewing;
  if (path.length === 1 && path[0] === 'output') return OUTPUT_KEYS;
  if (path.length === 2 && path[0] === 'items') return ITEM_KEYS;
  if (path.length === 3 && path[0] === 'items' && path[2] === 'generate') return GENERATE_KEYS;
  return [];
}

/** The name whose expectation describes the value at `path` ("items[3]" is an item, not "items"). */
export function fieldNameAt(path: readonly PropertyKey[]): string {
  const last = path[path.length - 1];
  if (typeof last === 'number' && path[0] === 'items' && path.length === 2) return 'item';
  return typeof last === 'string' ? last : '';
}

/** zod's default messages are generic; this turns any issue into "expected …, got …". */
export function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'custom' && issue.params?.['generic'] !== true) return issue.message;
  const input = issue.input;
  const path = issue.path;
  const field = fieldNameAt(path);
  const expected = EXPECTED[field];
  if (issue.code === 'too_small' && field === 'items') return `expected at least one item, got an empty list`;
  if (input === undefined && issue.code === 'invalid_type') return `missing; expected ${expected ?? issue.expected}`;
  const fallback = 'expected' in issue ? String(issue.expected) : 'something else';
  return `expected ${expected ?? fallback}, got ${describeValue(input)}`;
}
