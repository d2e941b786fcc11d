import { UserError } from '../errors.js';
import { checkSecret } from '../server/access/access-config.js';
import { NetworkList } from '../server/access/networks.js';
import { UNLIMITED, parseRate } from '../server/access/rate.js';

/**
 * The values of the server's options, read the same way from a flag (a string) and from the config file (a YAML
 * scalar or list). Each throws a UserError whose message says what was expected; the caller adds the flag or the
 * file, line and field.
 */

export function portValue(value: unknown): number {
  const text = String(value);
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new UserError('expected a port number from 0 to 65535');
  return port;
}

export function secondsValue(value: unknown): number {
  const seconds = typeof value === 'number' ? value : Number(String(value));
  if (String(value).trim() === '' || !Number.isFinite(seconds) || seconds < 0) throw new UserError('expected a number of seconds (0 or more)');
  return seconds;
}

/** A limit: a whole number above 0, or `unlimited` (also 0) for none. */
export function limitValue(value: unknown): number {
  const text = String(value).trim();
  if (/^(0|unlimited|off|none)$/i.test(text)) return UNLIMITED;
  const count = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(count)) throw new UserError(`expected a whole number, or unlimited; got '${text}'`);
  return count;
}

export function rateValue(value: unknown): number {
  return typeof value === 'number' ? parseRate(String(value)) : parseRate(textValue(value));
}

/** `none`, `loopback,192.168.1.0/24`, or in YAML a list of those. */
export function networksValue(value: unknown): NetworkList {
  if (Array.isArray(value)) return NetworkList.parse(value.map((item) => textValue(item)));
  return NetworkList.parse(textValue(value));
}

export function secretValue(value: unknown): string {
  return checkSecret(textValue(value));
}

export function textValue(value: unknown): string {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number') return String(value);
  throw new UserError('expected a text');
}

export function booleanValue(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  throw new UserError('expected true or false');
}

export function logFormatValue(value: unknown): 'plain' | 'json' {
  if (value === 'plain' || value === 'json') return value;
  throw new UserError('expected plain or json');
}

/** Longest a signed link may live: a year is already more than any show. */
export const MAX_LINK_SECONDS = 366 * 24 * 3600;
const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `90s`, `30m`, `6h`, `2d`, `1h30m` → seconds. */
export function durationValue(value: unknown): number {
  const text = String(value).trim().toLowerCase();
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)([smhd])/g)];
  const seconds = parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * (DURATION_UNITS[unit as string] ?? 0), 0);
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text || seconds <= 0) {
    throw new UserError(`'${String(value)}' is not a duration: write it like 6h, 30m, 2d or 1h30m`);
  }
  if (seconds > MAX_LINK_SECONDS) throw new UserError(`'${String(value)}' is longer than a year: links that live that long are as good as the secret`);
  return seconds;
}

/** A count of 1 or more. */
export function countValue(value: unknown): number {
  const text = String(value).trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || !Number.isSafeInteger(n)) throw new UserError('expected a whole number, 1 or more');
  return n;
}
