/**
 * Start-time text, shared by `--at` and the playlist's `start` and items' `at`:
 * `HH:MM` (a wall-clock time), an ISO date-time (`2026-11-27T21:00`, optionally with seconds and an
 * offset `Z` / `+01:00`), and for `--at` only, `now`.
 */
import { UserError } from '../errors.js';
import { isRealDate, zonedWallTimeToEpoch } from './clock-time.js';
import type { WallTime } from './clock-time.js';

/** A start written as text: a wall-clock time of day, or a date-time. */
export type StartSpec =
  | { kind: 'clock'; hour: number; minute: number }
  /** `epochMs` is set when the text had an offset; otherwise the text is a wall time in the playlist's zone. */
  | { kind: 'instant'; text: string; epochMs?: number };

export const START_TEXT_EXPECTED = 'HH:MM or an ISO date-time like 2026-11-27T21:00';

const CLOCK = /^(\d{1,2}):(\d{2})$/;
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;

export type StartTextResult = { spec: StartSpec } | { problem: string };

/** Parses `HH:MM` or an ISO date-time; on failure says what is wrong, in words. */
export function parseStartText(raw: string): StartTextResult {
  const text = raw.trim();
  const clock = CLOCK.exec(text);
  if (clock) {
    const hour = Number(clock[1]);
    const minute = Number(clock[2]);
    if (hour > 23) return { problem: `hour ${hour} is out of range (00-23)` };
    if (minute > 59) return { problem: `minute ${minute} is out of range (00-59)` };
    return { spec: { kind: 'clock', hour, minute } };
  }
  const iso = ISO.exec(text);
  if (!iso) return { problem: `expected ${START_TEXT_EXPECTED}` };
  const wall = isoWall(iso);
  if (!isRealDate(wall)) return { problem: `${iso[1]}-${iso[2]}-${iso[3]} is not a calendar date` };
  if (wall.hour > 23 || wall.minute > 59 || (wall.second ?? 0) >= 60) return { problem: 'the time of day is out of range' };
  const zone = iso[8];
  if (zone === undefined) return { spec: { kind: 'instant', text } };
  const epochMs = Date.parse(normaliseOffset(text));
  if (Number.isNaN(epochMs)) return { problem: `the offset ${zone} is not valid` };
  return { spec: { kind: 'instant', text, epochMs } };
}

/** `--at HH:MM` | ISO date-time (no offset: wall time in the playlist's zone) | `now`. */
export function parseAt(text: string): StartSpec | { kind: 'now' } {
  if (text.trim().toLowerCase() === 'now') return { kind: 'now' };
  const result = parseStartText(text);
  if ('spec' in result) return result.spec;
  throw new UserError(
    `--at '${text}': ${result.problem}`,
    `Use --at 21:00, --at 2026-11-27T21:00 (wall time in the playlist's time zone) or --at now.`,
  );
}

/** The instant an `instant` start means: its offset if it had one, else its wall time in `timeZone`. */
export function instantToEpoch(spec: Extract<StartSpec, { kind: 'instant' }>, timeZone: string): number {
  if (spec.epochMs !== undefined) return spec.epochMs;
  const iso = ISO.exec(spec.text.trim());
  if (!iso) throw new UserError(`'${spec.text}' is not an ISO date-time`, `Write it like 2026-11-27T21:00.`);
  if (iso[8] !== undefined) return Date.parse(normaliseOffset(spec.text.trim()));
  return zonedWallTimeToEpoch(isoWall(iso), timeZone);
}

function isoWall(iso: RegExpExecArray): WallTime {
  const fraction = iso[7] === undefined ? 0 : Number(iso[7].padEnd(3, '0')) / 1000;
  return {
    year: Number(iso[1]),
    month: Number(iso[2]),
    day: Number(iso[3]),
    hour: Number(iso[4]),
    minute: Number(iso[5]),
    second: Number(iso[6] ?? 0) + fraction,
  };
}

/** Date.parse wants `T`, an upper-case `Z` and `+HH:MM`; we also accept a space and `+HHMM`. */
function normaliseOffset(text: string): string {
  return text
    .replace(' ', 'T')
    .replace(/z$/, 'Z')
    .replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
}
