import { UserError } from '../../errors.js';

/** A rate limit that is off. */
export const UNLIMITED = Number.POSITIVE_INFINITY;
/** Below this a budget cannot carry any video: `8` almost certainly meant 8mbit. */
const MIN_RATE_BPS = 1000;

const PREFIX: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, ki: 1024, mi: 1024 ** 2, gi: 1024 ** 3 };
const RATE = /^(\d+(?:\.\d+)?)\s*([kKmMgG]i?)?([a-zA-Z/]*)$/;
const BIT_UNITS = new Set(['', 'b', 'b/s', 'bps', 'bit', 'bits', 'bit/s', 'bits/s']);
const BYTE_UNITS = new Set(['B', 'B/s', 'Bps', 'byte', 'bytes', 'byte/s', 'bytes/s']);

/**
 * An upload budget in bits per second: `8mbit`, `8Mb/s`, `8Mbps`, `8M`, `2500k` and `8000000` are bits; `1.5MB/s`,
 * `1.5MB`, `800KiB/s` are bytes (a capital B). `0`, `off` and `unlimited` mean no limit.
 */
export function parseRate(text: string): number {
  const trimmed = text.trim();
  if (/^(0|off|none|unlimited)$/i.test(trimmed)) return UNLIMITED;
  const match = RATE.exec(trimmed);
  const unit = match?.[3] ?? '';
  const lowerUnit = unit.toLowerCase();
  const bytes = BYTE_UNITS.has(unit) || (lowerUnit.startsWith('byte') && BYTE_UNITS.has(lowerUnit));
  const bits = !bytes && (BIT_UNITS.has(unit) || (lowerUnit.startsWith('bit') && BIT_UNITS.has(lowerUnit)));
  const value = Number(match?.[1]) * (PREFIX[(match?.[2] ?? '').toLowerCase()] ?? Number.NaN) * (bytes ? 8 : 1);
  if (match === null || (!bytes && !bits) || !Number.isFinite(value)) {
    throw new UserError(`'${text}' is not a rate: write it like 8mbit, 2500k (bits per second) or 1.5MB/s (bytes)`);
  }
  if (value < MIN_RATE_BPS) throw new UserError(`'${text}' is ${value} bits per second, too little for any stream: did you mean ${trimmed}mbit?`);
  return Math.round(value);
}
