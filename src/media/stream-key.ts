/** Longest stream key we accept. */
export const MAX_STREAM_KEY_LENGTH = 128;

/**
 * Checks a stream key from a publish or play request, after any `?query` has been cut off.
 * Returns the reason it is refused, or undefined when it is fine.
 */
export function streamKeyProblem(key: string): string | undefined {
  if (key.length === 0) return 'the stream key is empty';
  if (key.length > MAX_STREAM_KEY_LENGTH) return `the stream key is longer than ${MAX_STREAM_KEY_LENGTH} characters`;
  if (/[/\\]/.test(key)) return 'the stream key contains a path separator';
  if (key === '.' || key === '..') return 'the stream key is a relative path';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) return 'the stream key contains a control character';
  return undefined;
}

/** `key?token=x` → `key`: publishers often carry credentials in the query; the key is what names the stream. */
export function stripQuery(name: string): string {
  const at = name.indexOf('?');
  return at === -1 ? name : name.slice(0, at);
}
