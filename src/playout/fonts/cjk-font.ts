/**
 * CJK text needs a font that has the glyphs: libass falls back through fontconfig to any installed font that has
 * them, drawtext draws with the one font it is given (Sans has no CJK glyphs, so CJK lines name a CJK family). With
 * no such font, both draw empty boxes (the .notdef glyph), so `doctor` and `--check` look first.
 */
import { displayWidth } from '../../util/display-width.js';
import { runTool } from '../ffmpeg-locate.js';

/** How to get a CJK font, on the systems kayak-cast runs on. */
export const CJK_FONT_HINT =
  'install a CJK font: `sudo apt-get install fonts-noto-cjk` (Debian/Ubuntu; fonts-wqy-microhei is a smaller one) or `brew install --cask font-noto-sans-cjk` (macOS)';

/** fc-list answers from its cache in milliseconds; a cold cache on a loaded machine gets this long. */
export const FC_LIST_TIMEOUT_MS = 20_000;

export type CjkFontCheck =
  /** `families`: the CJK font families fontconfig has (empty: none). */
  | { checked: true; families: string[] }
  /** fontconfig's fc-list is not there to ask (macOS without fontconfig, Windows). */
  | { checked: false; reason: string };

/** Asks fontconfig (`fc-list :lang=zh family`) which installed fonts cover Chinese, which covers Han in general. */
export async function findCjkFonts(options: { signal?: AbortSignal; fcList?: string } = {}): Promise<CjkFontCheck> {
  const fcList = options.fcList ?? 'fc-list';
  try {
    const r = await runTool(fcList, [':lang=zh', 'family'], { timeoutMs: FC_LIST_TIMEOUT_MS, ...(options.signal ? { signal: options.signal } : {}) });
    if (r.code !== 0) return { checked: false, reason: `${fcList} exited with ${r.code ?? r.signal}` };
    const families = [...new Set(r.stdout.split('\n').map((line) => line.split(',')[0]?.trim() ?? '').filter((name) => name !== ''))].sort();
    return { checked: true, families };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { checked: false, reason: `${fcList} (fontconfig) is not installed` };
    throw error;
  }
}

/** One line for `doctor` and `--check`. */
export function describeCjkFonts(check: CjkFontCheck): string {
  if (!check.checked) return `cannot tell: ${check.reason}`;
  if (check.families.length === 0) return `none: Chinese, Japanese and Korean text would show as empty boxes; ${CJK_FONT_HINT}`;
  const shown = check.families.slice(0, 3).join(', ');
  return check.families.length > 3 ? `${shown} and ${check.families.length - 3} more` : shown;
}

/** CJK families that have Latin letters too (a title mixes both), best first; fallback-only fonts come last. */
const PREFERRED = [/^noto sans cjk/i, /^source han sans/i, /^wenquanyi micro hei$/i, /^wenquanyi zen hei$/i, /^pingfang/i, /^hiragino sans/i];

/** True when `text` has characters that take two columns (CJK): drawtext's default font has no glyphs for them. */
export function needsCjkFont(text: string): boolean {
  return displayWidth(text) > [...text].length;
}

/** The family drawtext writes CJK lines in: a preferred one, else any that is not a monospace or fallback font. */
export function pickCjkFamily(families: readonly string[]): string | undefined {
  for (const preferred of PREFERRED) {
    const found = families.find((family) => preferred.test(family));
    if (found !== undefined) return found;
  }
  return families.find((family) => !/mono|fallback/i.test(family)) ?? families[0];
}
