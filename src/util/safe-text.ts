/** The most characters of a peer's string (an app name, a command, a path) that reach a log line or an event. */
export const PEER_STRING_MAX_CHARS = 64;
/** A log line or event is cut here, whatever it holds: the last guard against a line that carries a megabyte. */
export const LOG_LINE_MAX_CHARS = 400;

/**
 * A string from the network, made safe to print: control, format (zero-width, bidi) and other invisible characters
 * become \u escapes, quotes and backslashes are escaped, and it is cut to `max` characters with the length noted.
 * Returned in single quotes, so an empty or blank string is still visible.
 */
export function quotePeer(text: string, max = PEER_STRING_MAX_CHARS): string {
  const cut = text.length > max;
  // Slicing by code units could split a surrogate pair; Array.from walks code points.
  const shown = cut ? Array.from(text.slice(0, max * 2)).slice(0, max).join('') : text;
  const escaped = shown.replace(/[\\']|[^\p{L}\p{M}\p{N}\p{P}\p{S}\u0020]/gu, escapeChar);
  return cut ? `'${escaped}'… (${text.length} characters)` : `'${escaped}'`;
}

/** Cuts a whole line to LOG_LINE_MAX_CHARS. */
export function clampLine(line: string, max = LOG_LINE_MAX_CHARS): string {
  return line.length <= max ? line : `${line.slice(0, max)}… (${line.length - max} more characters)`;
}

function escapeChar(char: string): string {
  if (char === '\\' || char === "'") return `\\${char}`;
  const code = char.codePointAt(0) ?? 0;
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
}
