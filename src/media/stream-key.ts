/** Longest stream key we accept. */
export const MAX_STREAM_KEY_LENGTH = 128;

/** Which rule a refused key broke: logged, counted and shown to the client with the message. */
export type StreamKeyRule =
  | 'empty'
  | 'too-long'
  | 'path-separator'
  | 'relative-path'
  | 'control-character'
  | 'edge-whitespace'
  | 'unusual-space'
  | 'invisible-character';

export interface StreamKeyProblem {
  rule: StreamKeyRule;
  message: string;
}

// Unicode general categories (UAX #44): Cc control, Cf format (zero-width characters, bidi embeddings, overrides and
// isolates, the BOM, soft hyphen), Co private use, Cs lone surrogates, Cn unassigned, Zl/Zp line and paragraph
// separators. Plus the blank letters that render as nothing (Hangul fillers, braille blank, combining grapheme joiner)
// and the variation selectors: a key with any of them looks like another key without.
const CONTROL = /[\p{Cc}]/u;
const INVISIBLE = /[\p{Cf}\p{Co}\p{Cs}\p{Cn}\p{Zl}\p{Zp}\u034f\u115f\u1160\u3164\uffa0\u2800\ufe00-\ufe0f\u{e0100}-\u{e01ef}]/u;
/** Any space but U+0020: a no-break or ideographic space looks like a plain one. */
const UNUSUAL_SPACE = /(?! )\p{Zs}/u;

/**
 * Checks a stream key from a publish or play request, after any `?query` has been cut off, and says which rule it
 * broke. Keys are case-sensitive names; keys that differ only by case or Unicode form are kept apart by the access
 * policy (one of them live makes the other refused), not here.
 */
export function streamKeyRule(key: string): StreamKeyProblem | undefined {
  if (key.length === 0) return { rule: 'empty', message: 'the stream key is empty' };
  if (key.length > MAX_STREAM_KEY_LENGTH) return { rule: 'too-long', message: `the stream key is longer than ${MAX_STREAM_KEY_LENGTH} characters` };
  if (/[/\\]/.test(key)) return { rule: 'path-separator', message: 'the stream key contains a path separator' };
  if (key === '.' || key === '..') return { rule: 'relative-path', message: 'the stream key is a relative path' };
  const control = CONTROL.exec(key);
  if (control !== null) return { rule: 'control-character', message: `the stream key contains a control character (${codePoint(control[0])})` };
  if (/^\s|\s$/u.test(key)) return { rule: 'edge-whitespace', message: 'the stream key starts or ends with a space' };
  const space = UNUSUAL_SPACE.exec(key);
  if (space !== null) return { rule: 'unusual-space', message: `the stream key contains a space other than a plain space (${codePoint(space[0])})` };
  const invisible = INVISIBLE.exec(key);
  if (invisible !== null) {
    return { rule: 'invisible-character', message: `the stream key contains an invisible or formatting character (${codePoint(invisible[0])})` };
  }
  return undefined;
}

/** The reason a key is refused, or undefined when it is fine (see streamKeyRule). */
export function streamKeyProblem(key: string): string | undefined {
  return streamKeyRule(key)?.message;
}

/**
 * What a viewer reads: the key in compatibility form (NFKC: `ｇｏｏｄ` and `good`, `é` in one or two code points) and in
 * lower case. Two keys with the same look-alike form are the same stream to a person reading a URL.
 */
export function lookAlikeForm(key: string): string {
  return key.normalize('NFKC').toLowerCase();
}

/** `key?token=x` → `key`: publishers often carry credentials in the query; the key is what names the stream. */
export function stripQuery(name: string): string {
  const at = name.indexOf('?');
  return at === -1 ? name : name.slice(0, at);
}

/** `key?secret=x&a=b` → `secret=x&a=b`; '' when there is no query. */
export function queryOf(name: string): string {
  const at = name.indexOf('?');
  return at === -1 ? '' : name.slice(at + 1);
}

function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}
