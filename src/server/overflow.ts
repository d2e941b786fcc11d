import { UserError } from '../errors.js';
import type { RefusalReason } from './access/refusals.js';

/** What a viewer asked for, as `{format}` in an overflow template. */
export type OverflowFormat = 'flv' | 'm3u8' | 'rtmp';

const EXAMPLE = 'write it like http://edge.example.net:8080/hls/{key}.m3u8 ({app}, {key} and {format} are replaced)';

/**
 * Checks an `--overflow` template: an http(s) or rtmp(s) URL once `{app}`, `{key}` and `{format}` are replaced. The
 * original design sent viewers a server could not take to another one with an HTTP 302, which HTTP-FLV and HLS players
 * follow; this is where they go.
 */
export function parseOverflowTemplate(value: string): string {
  let url: URL;
  try {
    url = new URL(overflowUrl(value, 'live', 'key', 'flv'));
  } catch {
    throw new UserError(`--overflow ${value}: not a URL`, EXAMPLE);
  }
  if (!['http:', 'https:', 'rtmp:', 'rtmps:'].includes(url.protocol)) throw new UserError(`--overflow ${value}: only http(s) and rtmp(s) URLs can take viewers`, EXAMPLE);
  if (url.hostname === '') throw new UserError(`--overflow ${value}: no host`, EXAMPLE);
  return value;
}

/** The template with `{app}`, `{key}` and `{format}` replaced (percent-encoded). */
export function overflowUrl(template: string, app: string, key: string, format: OverflowFormat): string {
  return template.replaceAll('{app}', encodeURIComponent(app)).replaceAll('{key}', encodeURIComponent(key)).replaceAll('{format}', format);
}

/** Refusals an edge can take off our hands: a full room. A private show's or a banned viewer's refusal stays a refusal. */
export function overflows(reason: RefusalReason): boolean {
  return reason === 'max-viewers' || reason === 'max-bandwidth';
}
