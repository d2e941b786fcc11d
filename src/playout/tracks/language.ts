/**
 * Language codes as files and playlists write them: ISO 639-2/B (`chi`, `ger`) in Matroska and MP4 tags, 639-2/T
 * (`zho`, `deu`), 639-1 (`zh`, `de`) and the tags people put in subtitle file names (`Movie.chs.srt`, `zh-CN`).
 * Everything is reduced to one key, the 639-2/T code, so `chi` in a playlist matches `zho` in a file.
 */

/** [639-1, 639-2/T, 639-2/B when it differs]: the languages movie collections carry tracks in. */
const CODES: readonly (readonly [string, string, string?])[] = [
  ['ar', 'ara'],
  ['bg', 'bul'],
  ['ca', 'cat'],
  ['cs', 'ces', 'cze'],
  ['da', 'dan'],
  ['de', 'deu', 'ger'],
  ['el', 'ell', 'gre'],
  ['en', 'eng'],
  ['es', 'spa'],
  ['et', 'est'],
  ['fa', 'fas', 'per'],
  ['fi', 'fin'],
  ['fr', 'fra', 'fre'],
  ['he', 'heb'],
  ['hi', 'hin'],
  ['hr', 'hrv'],
  ['hu', 'hun'],
  ['id', 'ind'],
  ['is', 'isl', 'ice'],
  ['it', 'ita'],
  ['ja', 'jpn'],
  ['ko', 'kor'],
  ['lt', 'lit'],
  ['lv', 'lav'],
  ['ms', 'msa', 'may'],
  ['nl', 'nld', 'dut'],
  ['no', 'nor'],
  ['pl', 'pol'],
  ['pt', 'por'],
  ['ro', 'ron', 'rum'],
  ['ru', 'rus'],
  ['sk', 'slk', 'slo'],
  ['sl', 'slv'],
  ['sr', 'srp'],
  ['sv', 'swe'],
  ['th', 'tha'],
  ['tr', 'tur'],
  ['uk', 'ukr'],
  ['vi', 'vie'],
  ['zh', 'zho', 'chi'],
];

/** Names for Chinese that subtitle files carry instead of a code (simplified, traditional, Cantonese, Mandarin). */
const CHINESE_TAGS = ['chs', 'cht', 'sc', 'tc', 'gb', 'big5', 'cmn', 'yue', 'hans', 'hant', 'zh-cn', 'zh-tw', 'zh-hk', 'zh-sg', 'zh-hans', 'zh-hant', '简体', '繁体', '繁體', '中文', '简中', '繁中', '双语', '雙語'];

const KEY_BY_TAG: ReadonlyMap<string, string> = new Map([
  ...CODES.flatMap(([one, terminology, bibliographic]) => [
    [one, terminology] as const,
    [terminology, terminology] as const,
    ...(bibliographic !== undefined ? [[bibliographic, terminology] as const] : []),
  ]),
  ...CHINESE_TAGS.map((tag) => [tag, 'zho'] as const),
]);

/** Codes that say "no language": a track tagged with one matches no preference. */
const UNDETERMINED = new Set(['und', 'mul', 'zxx', 'mis', '']);

/** What a playlist may write as a language: a 2-3 letter code, optionally with a region or script (`zh-TW`). */
export const LANGUAGE_PATTERN = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$/;

/**
 * The comparison key of a language tag (`chi`, `zh`, `zh-Hant`, `chs` → `zho`), or undefined for none (`und`).
 * An unknown code is its own key (lower case, region dropped), so two files using it still match each other.
 */
export function languageKey(tag: string | undefined): string | undefined {
  if (tag === undefined) return undefined;
  const text = tag.trim().toLowerCase().replace(/_/g, '-');
  if (UNDETERMINED.has(text)) return undefined;
  const known = KEY_BY_TAG.get(text) ?? KEY_BY_TAG.get(text.split('-')[0] ?? '');
  if (known !== undefined) return known;
  return LANGUAGE_PATTERN.test(text) ? text.split('-')[0] : undefined;
}

/** Whether a file name tag (`zh`, `chs`, `eng`, `forced`) names a language at all. */
export function isLanguageTag(tag: string): boolean {
  return KEY_BY_TAG.has(tag.trim().toLowerCase().replace(/_/g, '-'));
}

/** The position of `tag` in `preferences` (0 is best), or -1 when it is none of them. */
export function preferenceRank(tag: string | undefined, preferences: readonly string[]): number {
  const key = languageKey(tag);
  if (key === undefined) return -1;
  return preferences.findIndex((preference) => languageKey(preference) === key);
}

/** The first of `candidates` in the most preferred language (`languageOf` reads its tag), or undefined for none. */
export function mostPreferred<T>(candidates: readonly T[], languageOf: (candidate: T) => string | undefined, preferences: readonly string[]): T | undefined {
  let best: T | undefined;
  let bestRank = Infinity;
  for (const candidate of candidates) {
    const rank = preferenceRank(languageOf(candidate), preferences);
    if (rank >= 0 && rank < bestRank) {
      best = candidate;
      bestRank = rank;
    }
  }
  return best;
}
