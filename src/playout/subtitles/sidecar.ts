/**
 * Subtitle files beside a movie (`subtitles: auto`): `Movie.srt`, `Movie.zh.srt`, `Movie.chs.ass`, `Movie.en.forced.srt`
 * next to `Movie.mkv`. Pure: the movie's name and the folder's file names in, the choice out.
 */
import { extname } from 'node:path';
import { isLanguageTag, mostPreferred } from '../tracks/language.js';

/** Text subtitle formats libass renders through ffmpeg, as file extensions. */
export const SUBTITLE_EXTENSIONS: ReadonlySet<string> = new Set(['.srt', '.ass', '.ssa', '.vtt']);

export interface Sidecar {
  /** The file name (in the movie's folder). */
  name: string;
  /** The language tag in its name (`zh` of `Movie.zh.srt`), if any. */
  language?: string;
  forced: boolean;
}

/** The subtitle files named after `movie` (a file name) among `names`, with the tags their names carry. */
export function findSidecars(movie: string, names: readonly string[]): Sidecar[] {
  const stem = movie.slice(0, movie.length - extname(movie).length).toLowerCase();
  const found: Sidecar[] = [];
  for (const name of names) {
    const extension = extname(name).toLowerCase();
    if (!SUBTITLE_EXTENSIONS.has(extension)) continue;
    const base = name.slice(0, name.length - extension.length);
    if (base.toLowerCase() !== stem && !base.toLowerCase().startsWith(`${stem}.`)) continue;
    const tags = base.slice(stem.length).split('.').filter((tag) => tag !== '');
    const language = tags.find(isLanguageTag);
    found.push({ name, ...(language !== undefined ? { language } : {}), forced: tags.some((tag) => tag.toLowerCase() === 'forced') });
  }
  return found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The sidecar to burn in: with language preferences, the best-ranked one in a preferred language, else one whose
 * name says no language; without preferences, the one without a language tag, else the first. Forced-only files
 * come after full ones of the same rank.
 */
export function chooseSidecar(sidecars: readonly Sidecar[], languages: readonly string[]): Sidecar | undefined {
  const ordered = [...sidecars].sort((a, b) => Number(a.forced) - Number(b.forced));
  if (languages.length > 0) {
    return mostPreferred(ordered, (sidecar) => sidecar.language, languages) ?? ordered.find((sidecar) => sidecar.language === undefined);
  }
  return ordered.find((sidecar) => sidecar.language === undefined) ?? ordered[0];
}
