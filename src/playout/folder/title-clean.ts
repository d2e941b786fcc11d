/**
 * A title from a movie's file name: `The.Big.Lebowski.1998.1080p.BluRay.x264-GROUP.mkv` → `The Big Lebowski (1998)`.
 * Release names put the year after the title and technical tags after the year; people's own names use spaces and
 * put the year in parentheses. Pure.
 */
import { extname } from 'node:path';

/**
 * Tags that start the technical tail of a release name (compared in lower case, without a trailing `-GROUP`).
 * Strong ones are never words of a title; weak ones (`Web`, `Extended`) count only after the year.
 */
const STRONG_TAGS = new Set([
  '480p', '576p', '720p', '1080p', '1080i', '2160p', '4k', 'uhd',
  'bluray', 'blu-ray', 'bdrip', 'brrip', 'bdremux', 'remux', 'webrip', 'web-dl', 'webdl', 'hdtv', 'dvdrip', 'dvdscr', 'hdrip', 'hdcam',
  'x264', 'x265', 'h264', 'h.264', 'h265', 'h.265', 'hevc', 'xvid', 'divx', 'av1', '10bit', '8bit', 'hdr10',
  'aac', 'aac2.0', 'ac3', 'eac3', 'dd5.1', 'ddp5.1', 'dts', 'dts-hd', 'truehd', 'atmos',
]);
const WEAK_TAGS = new Set(['web', 'hd', 'dvd', 'hdr', 'sdr', 'dv', 'flac', 'mp3', 'cam', 'ts', 'proper', 'repack', 'limited', 'internal', 'unrated', 'extended', 'remastered', 'multi', 'dubbed', 'subbed', 'nf', 'amzn', 'dsnp', 'hmax', 'atvp', 'avc', 'vp9', '5.1', '7.1', '2.0']);

const YEAR = /^[([]?((?:18|19|20)\d{2})[)\]]?$/;

/** `The.Big.Lebowski.1998.1080p.mkv` → `The Big Lebowski (1998)`; a name with nothing to clean comes back as it is. */
export function titleFromFileName(fileName: string): string {
  const extension = extname(fileName);
  // Only a real extension is cut: `Dr. Strangelove` has none.
  const stem = /^\.[A-Za-z0-9]{2,5}$/.test(extension) ? fileName.slice(0, fileName.length - extension.length) : fileName;
  return cleanTitle(stem);
}

/** A title from a name without its extension (a file's stem, or a container's title tag that is a release name). */
export function cleanTitle(name: string): string {
  let stem = name;
  // A fansub or site tag in front: `[Group] Title`, `【字幕组】片名`, `www.site.com - Title`.
  stem = stem.replace(/^(?:\s*[[【(][^\]】)]*[\]】)]\s*)+/, '').replace(/^www\.\S+\s+-\s+/i, '');
  const dotted = !/\s/.test(stem) && /[._]/.test(stem);
  const words = stem.replace(dotted ? /[._]+/g : /_+/g, ' ').split(/\s+/).filter((word) => word !== '' && word !== '-');
  const tagAt = words.findIndex((word, i) => i > 0 && (tagKind(word) === 'strong' || (tagKind(word) === 'weak' && words.slice(1, i).some((w) => YEAR.test(w)))));
  const kept = tagAt > 0 ? words.slice(0, tagAt) : words;
  const cut = tagAt > 0;
  // The year: the last year-like word after the title's first word, when the name is a release name (dots, or
  // something was cut after it) or the year is in parentheses; `Blade Runner 2049` keeps its number.
  let yearAt = -1;
  for (let i = kept.length - 1; i > 0; i--) {
    const word = kept[i] as string;
    if (!YEAR.test(word)) continue;
    const bracketed = /^[([]/.test(word);
    if (bracketed || dotted || (cut && i === kept.length - 1)) yearAt = i;
    break;
  }
  if (yearAt < 0) return tidy(kept.join(' ')) || stem.trim() || name;
  const year = YEAR.exec(kept[yearAt] as string)?.[1] as string;
  const title = tidy(kept.slice(0, yearAt).join(' '));
  return title === '' ? name : `${title} (${year})`;
}

function tagKind(word: string): 'strong' | 'weak' | undefined {
  const lower = word.toLowerCase().replace(/^[([]|[)\]]$/g, '');
  const bare = lower.split('-')[0] ?? '';
  if (STRONG_TAGS.has(lower) || STRONG_TAGS.has(bare)) return 'strong';
  return WEAK_TAGS.has(lower) || WEAK_TAGS.has(bare) ? 'weak' : undefined;
}

/** Trailing separators and brackets left over from the cut, and doubled spaces. */
function tidy(text: string): string {
  return text.replace(/[\s\-–—:,([]+$/, '').replace(/\s{2,}/g, ' ').trim();
}
