/**
 * `subtitle_style:` as libass's `force_style`: ASS style fields that override those of SubRip, WebVTT and embedded
 * text subtitles. ffmpeg converts those to ASS with a script height (PlayResY) of 288 lines, and libass scales the
 * script to the picture, so lengths given as a share of the picture's height stay the same share at any output size.
 * ASS/SSA files keep their own styling.
 */

export interface SubtitleStyle {
  /** A font family fontconfig knows (`Noto Sans CJK SC`); glyphs it lacks come from another font. */
  font?: string;
  /** Text height, percent of the picture height. */
  size?: number;
  /** Outline width, percent of the picture height. */
  outline?: number;
  position?: 'bottom' | 'top';
  /** Distance from the bottom (or top) edge, percent of the picture height. */
  margin?: number;
  /** `#rrggbb` */
  color?: string;
}

export const SUBTITLE_POSITIONS = ['bottom', 'top'] as const;

/** The script height ffmpeg gives the ASS it makes of SubRip and other text subtitles (libavcodec/ass.c). */
export const CONVERTED_SCRIPT_HEIGHT = 288;

/** Limits that keep a style readable and a `force_style` list parseable. */
export const STYLE_LIMITS = { maxSize: 20, maxOutline: 5, maxMargin: 45, maxFontChars: 100 } as const;

/** A font name goes into a comma-separated `force_style` list and an ASS style line: no commas or control characters. */
export const FONT_NAME_PATTERN = /^[^,\p{Cc}]+$/u;

/** `FontName=Noto Sans,FontSize=17.28,...`, or undefined when the style sets nothing. */
export function forceStyle(style: SubtitleStyle | undefined): string | undefined {
  if (style === undefined) return undefined;
  const scale = (percent: number) => String(Math.round((percent / 100) * CONVERTED_SCRIPT_HEIGHT * 100) / 100);
  const fields: string[] = [];
  if (style.font !== undefined) fields.push(`FontName=${style.font}`);
  if (style.size !== undefined) fields.push(`FontSize=${scale(style.size)}`);
  if (style.outline !== undefined) fields.push(`Outline=${scale(style.outline)}`, 'BorderStyle=1');
  // ASS alignment is a numpad position: 2 bottom centre, 8 top centre.
  if (style.position !== undefined) fields.push(`Alignment=${style.position === 'top' ? 8 : 2}`);
  if (style.margin !== undefined) fields.push(`MarginV=${scale(style.margin)}`);
  if (style.color !== undefined) fields.push(`PrimaryColour=${assColour(style.color)}`);
  return fields.length === 0 ? undefined : fields.join(',');
}

/** `#ffd700` → `&H0000D7FF` (ASS colours are &HAABBGGRR, alpha 0 opaque). */
export function assColour(hex: string): string {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim());
  if (m === null) throw new RangeError(`not a #rrggbb colour: ${hex}`);
  return `&H00${`${m[3]}${m[2]}${m[1]}`.toUpperCase()}`;
}
