/**
 * The playlist fields of how a show looks and sounds: subtitles, audio tracks, loudness, breaks, a logo or channel
 * name, titles on screen. Zod schemas over the YAML value; playlist.ts resolves paths and fills defaults.
 */
import { z } from 'zod';
import { DEFAULT_LOUDNESS_LUFS } from './filters/loudness.js';
import { FONT_NAME_PATTERN, STYLE_LIMITS, SUBTITLE_POSITIONS } from './subtitles/subtitle-style.js';
import { encodingName } from './subtitles/text-encoding.js';
import { LANGUAGE_PATTERN } from './tracks/language.js';
import type { TrackSpec } from './tracks/track-choice.js';
import { fail, parseLength } from './playlist-values.js';

export const ITEM_SUBTITLE_KEYS = ['file', 'track', 'encoding'] as const;
export const SUBTITLE_DEFAULT_KEYS = ['languages'] as const;
export const ITEM_AUDIO_KEYS = ['track'] as const;
export const AUDIO_DEFAULT_KEYS = ['languages'] as const;
export const STYLE_KEYS = ['font', 'size', 'outline', 'position', 'margin', 'color'] as const;
export const OVERLAY_KEYS = ['image', 'text', 'position'] as const;
export const OVERLAY_POSITIONS = ['top-left', 'top-right', 'bottom-left', 'bottom-right'] as const;

export const VIEWING_LIMITS = {
  maxBreakS: 4 * 3600,
  maxShowTitlesS: 600,
  /** Loudness targets in LUFS: EBU R128 broadcast is -23, streaming services -14 to -16. */
  minLoudness: -40,
  maxLoudness: -5,
  maxLanguages: 20,
  maxOverlayTextChars: 60,
  /** Tracks a file may have of one kind, as far as a playlist can name them. */
  maxTrackNumber: 99,
} as const;

/** What `show_titles: true` means. */
export const DEFAULT_SHOW_TITLES_S = 5;

/** Expectations in words, by field name (playlist-schema.ts merges them into its EXPECTED). */
export const VIEWING_EXPECTED: Record<string, string> = {
  subtitles: "auto, none, a subtitle file (.srt, .ass, .ssa, .vtt), or a mapping with file (and encoding) or track",
  track: `a language code like jpn, chi or en, or a track number from 1 to ${VIEWING_LIMITS.maxTrackNumber}`,
  encoding: 'a text encoding like utf-8, gbk, gb18030 or big5',
  languages: `a list of language codes like [chi, zho, eng] (at most ${VIEWING_LIMITS.maxLanguages})`,
  audio: 'a mapping with track (a language code or a track number)',
  subtitle_style: `a mapping with ${STYLE_KEYS.join(', ')}`,
  normalize_loudness: `true, false, or a target in LUFS from ${VIEWING_LIMITS.minLoudness} to ${VIEWING_LIMITS.maxLoudness}`,
  break: `a length like 5m, 90s or 0:05:00 (0: none), at most ${VIEWING_LIMITS.maxBreakS / 3600} h`,
  overlay: `a mapping with image (a picture file) or text, and position (${OVERLAY_POSITIONS.join(', ')})`,
  show_titles: `true, false, or a length like 5s, at most ${VIEWING_LIMITS.maxShowTitlesS} s`,
  font: 'a font family name without commas',
  size: `a percentage of the picture height above 0 and at most ${STYLE_LIMITS.maxSize}`,
  outline: `a percentage of the picture height from 0 to ${STYLE_LIMITS.maxOutline}`,
  margin: `a percentage of the picture height from 0 to ${STYLE_LIMITS.maxMargin}`,
  color: 'a colour like "#ffffff"',
  image: 'a picture file path (.png, .jpg)',
  text: `a text of at most ${VIEWING_LIMITS.maxOverlayTextChars} characters`,
};

const trackSpec = z.unknown().transform((value, ctx): TrackSpec => {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= VIEWING_LIMITS.maxTrackNumber) return { number: value };
  if (typeof value === 'string' && /^\d{1,2}$/.test(value.trim()) && Number(value) >= 1) return { number: Number(value) };
  if (typeof value === 'string' && LANGUAGE_PATTERN.test(value.trim())) return { language: value.trim() };
  return fail(ctx, value, VIEWING_EXPECTED['track']!);
});

const languages = z.unknown().transform((value, ctx): string[] => {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.length > VIEWING_LIMITS.maxLanguages || !list.every((code) => typeof code === 'string' && LANGUAGE_PATTERN.test(code.trim()))) {
    return fail(ctx, value, VIEWING_EXPECTED['languages']!);
  }
  return list.map((code: string) => code.trim());
});

const encoding = z.unknown().transform((value, ctx): string => {
  const name = typeof value === 'string' ? encodingName(value) : undefined;
  return name ?? fail(ctx, value, VIEWING_EXPECTED['encoding']!);
});

/** An item's subtitles before its path is resolved. */
export type ItemSubtitlesYaml = { kind: 'none' } | { kind: 'auto' } | { kind: 'file'; file: string; encoding?: string } | { kind: 'track'; track: TrackSpec };

const subtitleMapping = z
  .strictObject({ file: z.string().trim().min(1).optional(), track: trackSpec.optional(), encoding: encoding.optional() })
  .superRefine((value, ctx) => {
    if ((value.file === undefined) === (value.track === undefined)) {
      ctx.addIssue({ code: 'custom', message: `expected file or track, got ${value.file === undefined ? 'neither' : 'both'}`, path: [] });
    } else if (value.encoding !== undefined && value.file === undefined) {
      ctx.addIssue({ code: 'custom', message: 'expected encoding only with a file (embedded tracks are read by ffmpeg)', path: ['encoding'] });
    }
  });

/**
 * A value that is a keyword (`auto`, `none`, `false`), a plain string, or a mapping checked by `mapping` (whose
 * issues keep their paths, so a wrong `track` is reported as `subtitles.track`).
 */
function keywordOrMapping<M extends z.ZodType, T>(
  field: string,
  keywords: ReadonlyMap<unknown, T>,
  mapping: M,
  fromMapping: (value: z.output<M>) => T,
  fromString?: (text: string) => T,
) {
  return z.unknown().transform((value, ctx): T => {
    const keyword = keywords.get(typeof value === 'string' ? value.trim() : value);
    if (keyword !== undefined) return keyword;
    if (typeof value === 'string' && value.trim() !== '' && fromString !== undefined) return fromString(value.trim());
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const parsed = mapping.safeParse(value, { reportInput: true });
      if (parsed.success) return fromMapping(parsed.data);
      for (const issue of parsed.error.issues) ctx.issues.push(issue as never);
      return z.NEVER;
    }
    return fail(ctx, value, VIEWING_EXPECTED[field]!);
  });
}

const NONE: ItemSubtitlesYaml = { kind: 'none' };
const AUTO: ItemSubtitlesYaml = { kind: 'auto' };

export const itemSubtitles = keywordOrMapping(
  'subtitles',
  new Map<unknown, ItemSubtitlesYaml>([['auto', AUTO], ['none', NONE], ['off', NONE], [false, NONE]]),
  subtitleMapping,
  (value): ItemSubtitlesYaml =>
    value.track !== undefined ? { kind: 'track', track: value.track } : { kind: 'file', file: value.file ?? '', ...(value.encoding !== undefined ? { encoding: value.encoding } : {}) },
  (file): ItemSubtitlesYaml => ({ kind: 'file', file }),
);

/** The playlist-wide subtitles: `auto`, `none`, or `{ languages: [...] }` (auto, in those languages first). */
export const defaultSubtitles = keywordOrMapping(
  'subtitles',
  new Map<unknown, { auto: boolean; languages: string[] }>([
    ['auto', { auto: true, languages: [] }],
    ['none', { auto: false, languages: [] }],
    ['off', { auto: false, languages: [] }],
    [false, { auto: false, languages: [] }],
  ]),
  z.strictObject({ languages }),
  (value) => ({ auto: true, languages: value.languages }),
);

export const itemAudio = z.preprocess((value) => (typeof value === 'string' || typeof value === 'number' ? { track: value } : value), z.strictObject({ track: trackSpec }));

export const defaultAudio = z.strictObject({ languages });

const percent = (field: 'size' | 'outline' | 'margin', max: number, above = false) =>
  z.unknown().transform((value, ctx) => {
    const n = typeof value === 'string' ? Number(value.trim().replace(/%$/, '')) : value;
    if (typeof n !== 'number' || !Number.isFinite(n) || n > max || n < 0 || (above && n === 0)) return fail(ctx, value, VIEWING_EXPECTED[field]!);
    return n;
  });

export const subtitleStyle = z.strictObject({
  font: z.string().trim().min(1).max(STYLE_LIMITS.maxFontChars).regex(FONT_NAME_PATTERN).optional(),
  size: percent('size', STYLE_LIMITS.maxSize, true).optional(),
  outline: percent('outline', STYLE_LIMITS.maxOutline).optional(),
  position: z.unknown().transform((value, ctx) => ((SUBTITLE_POSITIONS as readonly unknown[]).includes(value) ? (value as 'bottom' | 'top') : fail(ctx, value, 'bottom or top'))).optional(),
  margin: percent('margin', STYLE_LIMITS.maxMargin).optional(),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/).optional(),
});

/** `true` → the default target; `false` → undefined (no normalisation); a number → that target in LUFS. */
export const normalizeLoudness = z.unknown().transform((value, ctx): number | undefined => {
  if (value === false) return undefined;
  if (value === true) return DEFAULT_LOUDNESS_LUFS;
  if (typeof value === 'number' && value >= VIEWING_LIMITS.minLoudness && value <= VIEWING_LIMITS.maxLoudness) return value;
  return fail(ctx, value, VIEWING_EXPECTED['normalize_loudness']!);
});

export const breakLength = z.unknown().transform((value, ctx) => {
  const seconds = parseLength(value);
  return seconds === undefined || seconds > VIEWING_LIMITS.maxBreakS ? fail(ctx, value, VIEWING_EXPECTED['break']!) : seconds;
});

export const showTitles = z.unknown().transform((value, ctx) => {
  if (value === true) return DEFAULT_SHOW_TITLES_S;
  if (value === false) return 0;
  const seconds = parseLength(value);
  return seconds === undefined || seconds > VIEWING_LIMITS.maxShowTitlesS ? fail(ctx, value, VIEWING_EXPECTED['show_titles']!) : seconds;
});

export const overlay = z
  .strictObject({
    image: z.string().trim().min(1).optional(),
    text: z.string().trim().min(1).max(VIEWING_LIMITS.maxOverlayTextChars).optional(),
    position: z
      .unknown()
      .transform((value, ctx) => ((OVERLAY_POSITIONS as readonly unknown[]).includes(value) ? (value as (typeof OVERLAY_POSITIONS)[number]) : fail(ctx, value, OVERLAY_POSITIONS.join(', '))))
      .optional(),
  })
  .superRefine((value, ctx) => {
    if ((value.image === undefined) === (value.text === undefined)) {
      ctx.addIssue({ code: 'custom', message: `expected image or text, got ${value.image === undefined ? 'neither' : 'both'}`, path: [] });
    }
  });

/** Known keys of the new mappings at `path`, for "unknown field" messages (undefined: not one of ours). */
export function viewingKeysAt(path: readonly PropertyKey[]): readonly string[] | undefined {
  const [first, second, third] = path;
  if (path.length === 1 && first === 'subtitles') return SUBTITLE_DEFAULT_KEYS;
  if (path.length === 1 && first === 'audio') return AUDIO_DEFAULT_KEYS;
  if (path.length === 1 && first === 'subtitle_style') return STYLE_KEYS;
  if (path.length === 1 && first === 'overlay') return OVERLAY_KEYS;
  if (path.length === 3 && first === 'items' && typeof second === 'number' && third === 'subtitles') return ITEM_SUBTITLE_KEYS;
  if (path.length === 3 && first === 'items' && typeof second === 'number' && third === 'audio') return ITEM_AUDIO_KEYS;
  return undefined;
}
