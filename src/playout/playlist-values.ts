/**
 * Reading the values of a playlist: timecodes, lengths, bitrates; and how a wrong value is shown in a message.
 * Shared by the playlist schema's parts.
 */
import { z } from 'zod';

/** `'1:2x'`, `12`, `a list`, `a mapping`, `nothing`: how a wrong value is shown in a message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return `'${value.length > 60 ? `${value.slice(0, 57)}...` : value}'`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** Refinements whose message is the field's expectation (see issueMessage). */
export const GENERIC = { params: { generic: true } };

export type Ctx = z.core.$RefinementCtx<unknown>;

export function fail(ctx: Ctx, value: unknown, expected: string): typeof z.NEVER {
  ctx.issues.push({ code: 'custom', message: `expected ${expected}, got ${describeValue(value)}`, input: value });
  return z.NEVER;
}

/** `HH:MM:SS(.mmm)`, `MM:SS` or plain seconds (a number or a numeric string) → seconds. */
export function parseTimecode(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const match = /^(?:(\d+):)?(\d{1,2}):(\d{2}(?:\.\d{1,3})?)$/.exec(text);
  if (!match) return undefined;
  const hours = Number(match[1] ?? 0);
  const minutes = Number(match[2]);
  const seconds = Number(match[3]);
  if (minutes > 59 || seconds >= 60) return undefined;
  return hours * 3600 + minutes * 60 + seconds;
}

/** A length: seconds, a timecode (`0:10:00`), or units (`10m`, `90s`, `1h30m`) → seconds. */
export function parseLength(value: unknown): number | undefined {
  const timecode = parseTimecode(value);
  if (timecode !== undefined || typeof value !== 'string') return timecode;
  const match = /^(?:(\d+)h)?\s*(?:(\d+)m(?:in)?)?\s*(?:(\d+(?:\.\d+)?)s)?$/.exec(value.trim());
  if (!match || value.trim() === '') return undefined;
  return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}

/** `'2500k'`, `'2.5M'`, `'128 kbps'`, `2500000` → bits per second. */
export function parseBitrate(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? Math.round(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*([kKmM]?)(?:b(?:it)?(?:ps|\/s)?)?$/.exec(value.trim());
  if (!match) return undefined;
  const scale = match[2] === '' ? 1 : match[2]!.toLowerCase() === 'k' ? 1000 : 1_000_000;
  return Math.round(Number(match[1]) * scale);
}
