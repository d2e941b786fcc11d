import { displayWidth } from '../util/display-width.js';
import { runTool } from './ffmpeg-locate.js';

/** fc-list answers in milliseconds; a cold font cache on a loaded machine gets this long. */
const FC_LIST_TIMEOUT_MS = 10_000;
/** CJK families that have Latin letters too (a title mixes both), best first; fallback-only fonts come last. */
const PREFERRED = [/^noto sans cjk/i, /^source han sans/i, /^wenquanyi micro hei$/i, /^wenquanyi zen hei$/i, /^pingfang/i, /^hiragino sans/i];

/** True when `text` has characters that take two columns (CJK): drawtext's default font has no glyphs for them. */
export function needsCjkFont(text: string): boolean {
  return displayWidth(text) > [...text].length;
}

/**
 * A fontconfig family with Chinese glyphs (`fc-list :lang=zh family`, e.g. WenQuanYi Micro Hei or Noto Sans CJK SC),
 * for slate lines with CJK titles; undefined when fontconfig has none or is not there (the text then shows as boxes,
 * as it would in any player without such a font).
 */
export async function findCjkFont(options: { signal?: AbortSignal } = {}): Promise<string | undefined> {
  try {
    const r = await runTool('fc-list', [':lang=zh', 'family'], { timeoutMs: FC_LIST_TIMEOUT_MS, ...(options.signal ? { signal: options.signal } : {}) });
    if (r.code !== 0) return undefined;
    const families = r.stdout
      .split('\n')
      .map((line) => line.split(',')[0]?.trim() ?? '')
      .filter((family) => family !== '')
      .sort();
    for (const preferred of PREFERRED) {
      const found = families.find((family) => preferred.test(family));
      if (found !== undefined) return found;
    }
    return families.find((family) => !/mono|fallback/i.test(family)) ?? families[0];
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return undefined;
  }
}
