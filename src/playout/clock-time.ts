/**
 * Wall-clock time in IANA time zones, with Intl only (no date library).
 *
 * Daylight-saving rules we apply (documented in playlists/movie-night.yaml):
 * - A wall time that happens twice (the fall-back hour) means its first occurrence, as Temporal's
 *   "compatible" disambiguation does: 01:30 on the US fall-back day is 01:30 EDT.
 * - A wall time that never happens (the spring-forward gap) means the next valid instant, the moment
 *   the clocks jump: 02:30 on the US spring-forward day is 03:00 EDT.
 */

export interface WallDate {
  year: number;
  /** 1–12 */
  month: number;
  /** 1–31 */
  day: number;
}

export interface WallTime extends WallDate {
  hour: number;
  minute: number;
  second?: number;
}

export interface ZonedParts extends WallDate {
  hour: number;
  minute: number;
  second: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** True when Intl knows the zone (`Europe/Berlin`, `UTC`); false for anything else. */
export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone.length === 0) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The machine's zone, e.g. `Europe/Berlin` (falls back to `UTC` when the runtime does not know). */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
}

function partsWith(format: Intl.DateTimeFormat, epochMs: number): ZonedParts {
  const out: ZonedParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of format.formatToParts(epochMs)) {
    if (part.type === 'year' || part.type === 'month' || part.type === 'day' || part.type === 'hour' || part.type === 'minute' || part.type === 'second') {
      out[part.type] = Number(part.value);
    }
  }
  // Some ICU versions print midnight as 24 even with h23.
  if (out.hour === 24) out.hour = 0;
  return out;
}

/** The wall-clock reading in `timeZone` at `epochMs` (whole seconds, truncated). */
export function epochToZonedParts(epochMs: number, timeZone: string): ZonedParts {
  return partsWith(formatterFor(timeZone), epochMs);
}

/** A wall time read as if it were UTC: the common scale on which offsets are differences. */
export function wallAsUtc(wall: WallTime): number {
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, 0, 0) + (wall.second ?? 0) * 1000;
}

/** Offset of `timeZone` from UTC at `epochMs`, in ms (New York in winter: -18_000_000). */
function offsetWith(format: Intl.DateTimeFormat, epochMs: number): number {
  const whole = Math.floor(epochMs / 1000) * 1000;
  return wallAsUtc(partsWith(format, whole)) - whole;
}

export function timeZoneOffsetMs(epochMs: number, timeZone: string): number {
  return offsetWith(formatterFor(timeZone), epochMs);
}

/**
 * The instant at which the wall clock in `timeZone` shows `wall`. Ambiguous times take the first
 * occurrence, nonexistent times the next valid instant (see the file comment).
 */
export function zonedWallTimeToEpoch(wall: WallTime, timeZone: string): number {
  const format = formatterFor(timeZone);
  const target = wallAsUtc(wall);
  // Zones change their offset at most once within a day around any instant we care about, so the
  // offsets a day either side are the only two candidates.
  const before = offsetWith(format, target - DAY_MS);
  const after = offsetWith(format, target + DAY_MS);
  const fits = [target - before, target - after].filter((epoch) => epoch + offsetWith(format, epoch) === target);
  if (fits.length > 0) return Math.min(...fits);
  // In the gap: find the transition, the first instant whose offset is the later one.
  let low = target - before - DAY_MS; // surely still on the earlier offset
  let high = target - before; // this reading already shows a later wall time, so the change is behind it
  if (offsetWith(format, low) === offsetWith(format, high)) low = target - after - DAY_MS;
  while (high - low > 1000) {
    const middle = Math.floor((low + high) / 2 / 1000) * 1000;
    if (middle <= low) break;
    if (offsetWith(format, middle) === offsetWith(format, high)) high = middle;
    else low = middle;
  }
  return high;
}

/** The calendar date `days` after `date` (negative: before); plain Gregorian arithmetic. */
export function addDays(date: WallDate, days: number): WallDate {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day) + days * DAY_MS);
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

/** True when the fields name a real calendar date (no 30 February). */
export function isRealDate(date: WallDate): boolean {
  if (!Number.isInteger(date.year) || !Number.isInteger(date.month) || !Number.isInteger(date.day)) return false;
  if (date.month < 1 || date.month > 12 || date.day < 1) return false;
  const check = new Date(Date.UTC(date.year, date.month - 1, date.day));
  return check.getUTCMonth() === date.month - 1 && check.getUTCDate() === date.day;
}

/** `21:00` (or `21:00:05` when the seconds are not zero) on the wall clock of `timeZone`. */
export function formatWallClock(epochMs: number, timeZone: string): string {
  const parts = epochToZonedParts(epochMs, timeZone);
  const hhmm = `${pad2(parts.hour)}:${pad2(parts.minute)}`;
  return parts.second === 0 ? hhmm : `${hhmm}:${pad2(parts.second)}`;
}

/** `21:00:05`: always with seconds, for tables and lists where times line up. */
export function formatClock(epochMs: number, timeZone: string): string {
  const parts = epochToZonedParts(epochMs, timeZone);
  return `${pad2(parts.hour)}:${pad2(parts.minute)}:${pad2(parts.second)}`;
}

/**
 * ISO 8601 with the zone's offset and milliseconds, `2026-11-27T21:00:00.000+01:00`: the instant, and the wall time
 * a person in `timeZone` reads (the JSON of /api/status).
 */
export function isoWithOffset(epochMs: number, timeZone: string): string {
  const whole = Math.floor(epochMs / 1000) * 1000;
  const p = epochToZonedParts(whole, timeZone);
  const offsetMin = Math.round(timeZoneOffsetMs(whole, timeZone) / MINUTE_MS);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const ms = String(epochMs - whole).padStart(3, '0');
  return `${p.year}-${pad2(p.month)}-${pad2(p.day)}T${pad2(p.hour)}:${pad2(p.minute)}:${pad2(p.second)}.${ms}${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/** `2026-11-27` on the wall clock of `timeZone`. */
export function formatWallDate(epochMs: number, timeZone: string): string {
  const parts = epochToZonedParts(epochMs, timeZone);
  return `${parts.year}-${pad2(parts.month)}-${pad2(parts.day)}`;
}

/** Whole days between two calendar dates (b − a). */
export function daysBetween(a: WallDate, b: WallDate): number {
  return Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / DAY_MS);
}

export function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

export { MINUTE_MS, DAY_MS };
