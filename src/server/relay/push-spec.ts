import { UserError } from '../../errors.js';

/**
 * A `--push` value: where to publish every live stream (a template with `{app}` and `{key}`), or one stream
 * (`live/movie=rtmp://...`).
 */
export interface PushSpec {
  /** `app/key` of the one stream this target is for; undefined for every stream. */
  stream?: string;
  /** rtmp:// or rtmps:// URL, `{app}` and `{key}` replaced per stream. */
  template: string;
}

const EXAMPLE = 'write it like rtmp://edge.example.net/live/{key}, or live/movie=rtmp://host/app/key for one stream';

/** Reads one `--push` value; a malformed one is a UserError naming what is wrong. */
export function parsePushSpec(value: string): PushSpec {
  const one = /^([^=/\s]+\/[^=\s]+)=(rtmps?:\/\/.+)$/i.exec(value);
  const spec: PushSpec = one === null ? { template: value } : { stream: one[1] as string, template: one[2] as string };
  // Check the template with sample values: every part must be there once substituted.
  const sample = resolvePushUrl(spec.template, 'app', 'key');
  let url: URL;
  try {
    url = new URL(sample);
  } catch {
    throw new UserError(`--push ${redactPushUrl(value)}: not a URL`, EXAMPLE);
  }
  if (url.protocol !== 'rtmp:' && url.protocol !== 'rtmps:') throw new UserError(`--push ${redactPushUrl(value)}: only rtmp:// and rtmps:// can be pushed to`, EXAMPLE);
  if (url.hostname === '') throw new UserError(`--push ${redactPushUrl(value)}: no host`, EXAMPLE);
  if (url.pathname.split('/').filter(Boolean).length < 2) throw new UserError(`--push ${redactPushUrl(value)}: needs an app and a stream key in the path`, EXAMPLE);
  return spec;
}

/** The template with `{app}` and `{key}` replaced (percent-encoded, so a key cannot add path segments). */
export function resolvePushUrl(template: string, app: string, key: string): string {
  return template.replaceAll('{app}', encodeURIComponent(app)).replaceAll('{key}', encodeURIComponent(key));
}

/** The URLs `app/key` is pushed to, in the order given, without duplicates. */
export function pushUrlsFor(specs: readonly PushSpec[], app: string, key: string): string[] {
  const path = `${app}/${key}`;
  const urls = specs.filter((spec) => spec.stream === undefined || spec.stream === path).map((spec) => resolvePushUrl(spec.template, app, key));
  return [...new Set(urls)];
}

/**
 * A push URL fit to print: the stream key of a CDN or platform ingest is a password, so all but its first three
 * characters go, and so does any query (`?secret=`, `?sign=`).
 */
export function redactPushUrl(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*\/(?:[^?#]*\/)?)([^/?#]*)(.*)$/i.exec(url);
  if (match === null) return url.replace(/\?.*$/, '?…');
  const [, head, key, rest] = match as unknown as [string, string, string, string];
  const shownKey = key.length <= 3 || key === '{key}' ? key : `${key.slice(0, 3)}…`;
  return `${head}${shownKey}${rest.startsWith('?') ? '?…' : rest}`;
}
