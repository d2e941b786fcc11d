/**
 * Text drawn into the picture with ffmpeg's drawtext (slates, titles, a channel name): its escaping, its font, and a
 * size that fits the frame.
 */
import { displayWidth } from '../../util/display-width.js';
import { needsCjkFont } from '../fonts/cjk-font.js';

/** A terminal column of text is about this wide in font sizes (a Latin glyph of a sans font; CJK glyphs take two). */
const COLUMN_EM = 0.6;
/** Share of the frame's width a line may take. */
const MAX_LINE_SHARE = 0.9;

/** Text for drawtext's `text='...'` inside a filter graph: the filter-argument and graph levels of escaping. */
export function escapeDrawtext(text: string): string {
  return text
    .replace(/\\/g, '\\\\\\\\')
    .replace(/'/g, '\u2019')
    .replace(/:/g, '\\:')
    .replace(/%/g, '\\%')
    .replace(/,/g, '\\,');
}

/** `font=...` for `text`: Sans, or the CJK family found for a line with CJK characters (Sans has no glyphs for them). */
export function fontOption(text: string, cjkFont: string | undefined): string {
  return cjkFont !== undefined && needsCjkFont(text) ? `font='${escapeDrawtext(cjkFont)}'` : 'font=Sans';
}

/** `size`, made smaller when `text` would not fit in `frameWidth` at that size. */
export function fittedSize(text: string, size: number, frameWidth: number): number {
  const width = displayWidth(text) * COLUMN_EM * size;
  const limit = frameWidth * MAX_LINE_SHARE;
  return width <= limit ? size : Math.max(8, Math.floor(size * (limit / width)));
}
