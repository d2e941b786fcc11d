/**
 * The timetable: a pure function of (playlist, probed durations, start, clock, time zone) → slots.
 * No I/O and no Date.now(): the caller passes the clock reading and the zone.
 *
 * Rules (documented for users in playlists/movie-night.yaml):
 * - `start` HH:MM is today in the zone. Already past: join in progress when the show would still be
 *   running, otherwise tomorrow at the same wall time. A non-looping show that began yesterday evening
 *   and is still running after midnight is joined too (a TV channel would be showing it), unless an
 *   item has a date-time `at` (that pins the show to one day).
 * - A date-time `start` in the past: join in progress while the show runs; over → UserError.
 * - An item's `at` HH:MM is the occurrence within 12 h either side of the previous item's end (for the
 *   first item of a round: the first occurrence at or after the round's start). Earlier than the
 *   previous item's end → PlaylistError naming the item's line. The time before it is a gap slot.
 * - `loop`: rounds repeat back to back; slots start at the round that is playing at max(now, start)
 *   and reach `horizonMs` beyond it (always at least one full round).
 */
import { UserError } from '../errors.js';
import { instantToEpoch } from './at-option.js';
import {
  addDays,
  daysBetween,
  epochToZonedParts,
  formatWallClock,
  formatWallDate,
  pad2,
  zonedWallTimeToEpoch,
} from './clock-time.js';
import { PlaylistError } from './playlist.js';
import type { Playlist, PlaylistItem, StartSpec } from './playlist.js';

export interface Slot {
  kind: 'item' | 'gap';
  /** Set for item slots. */
  itemIndex?: number;
  /** For gap slots: the item the gap waits for. */
  beforeItemIndex?: number;
  title: string;
  startMs: number;
  endMs: number;
  /** Where to start reading the file, seconds (the item's `in`; 0 for gaps). */
  inS: number;
  loopRound: number;
}

export type TimetableDecision = 'future' | 'join-in-progress' | 'tomorrow' | 'now';

export interface Timetable {
  startMs: number;
  /** Infinity when the playlist loops. */
  endMs: number;
  /** For loop: the rounds from the one playing at max(now, start), covering horizonMs. */
  slots: Slot[];
  decision: TimetableDecision;
  /** One sentence for the user. */
  explanation: string;
  /** Set for join-in-progress: the slot playing at `nowMs` and the offset into it. */
  joinAt?: { slotIndex: number; offsetS: number };
  /** Length of one round (the whole show when it does not loop), ms. */
  roundMs: number;
}

export interface TimetableInput {
  playlist: Playlist;
  durationsS: number[];
  start: StartSpec | { kind: 'now' };
  nowMs: number;
  timeZone: string;
  /** How far beyond max(now, start) a looping timetable's slots reach; default DEFAULT_LOOP_HORIZON_MS. */
  horizonMs?: number;
}

export const DEFAULT_LOOP_HORIZON_MS = 6 * 3600_000;
/** Upper bound on the slots of a looping timetable, whatever the horizon (a 20 s loop over a day is 4,320). */
export const MAX_TIMETABLE_SLOTS = 20_000;
/** How far a clock `at` may reach back or ahead of the previous item's end. */
export const AT_WINDOW_MS = 12 * 3600_000;

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

export function buildTimetable(input: TimetableInput): Timetable {
  const { playlist, durationsS, start, nowMs, timeZone } = input;
  checkDurations(playlist, durationsS);
  const horizonMs = input.horizonMs ?? DEFAULT_LOOP_HORIZON_MS;
  const layout = (showStartMs: number) => layoutRound(playlist, durationsS, showStartMs, 0, timeZone);

  if (start.kind === 'now') {
    return finish(input, nowMs, 'now', horizonMs, (round) => `The show starts now and ${runsFor(round, playlist, nowMs, timeZone)}.`);
  }

  if (start.kind === 'instant') {
    const startMs = instantToEpoch(start, timeZone);
    const label = describeInstant(startMs, nowMs, timeZone);
    if (startMs >= nowMs) {
      return finish(input, startMs, 'future', horizonMs, (round) => `The show starts ${label} and ${runsFor(round, playlist, startMs, timeZone)}.`);
    }
    const round = layout(startMs);
    if (playlist.loop || round.endMs > nowMs) {
      return finish(input, startMs, 'join-in-progress', horizonMs, (r, join) => `${label} has passed and the show ${lengthPhrase(r, playlist)} is still running: ${joinPhrase(join)}.`);
    }
    throw new UserError(
      `The show that started ${label} (${formatSpan(round.endMs - startMs)}) ended at ${formatWallClock(round.endMs, timeZone)}.`,
      'Give a later --at, an HH:MM time, or --at now.',
    );
  }

  const clockText = `${pad2(start.hour)}:${pad2(start.minute)}`;
  const today = epochToZonedParts(nowMs, timeZone);
  const at = (days: number) => zonedWallTimeToEpoch({ ...addDays(today, days), hour: start.hour, minute: start.minute }, timeZone);
  const todayMs = at(0);
  const hasDatedAt = playlist.items.some((item) => item.at?.kind === 'instant');
  if (!playlist.loop && !hasDatedAt) {
    // Yesterday's show still running after midnight (a 23:00 show at 00:30): join it, as a TV channel would.
    const yesterdayMs = at(-1);
    if (yesterdayMs < nowMs && todayMs > nowMs && layout(yesterdayMs).endMs > nowMs) {
      return finish(input, yesterdayMs, 'join-in-progress', horizonMs, (r, join) => `Yesterday's ${clockText} show ${lengthPhrase(r, playlist)} is still running: ${joinPhrase(join)}.`);
    }
  }
  if (todayMs >= nowMs) {
    const when = todayMs === nowMs ? `today at ${clockText}, now` : `today at ${formatWallClock(todayMs, timeZone)} (in ${formatSpan(todayMs - nowMs)})`;
    return finish(input, todayMs, 'future', horizonMs, (round) => `The show starts ${when} and ${runsFor(round, playlist, todayMs, timeZone)}.`);
  }
  if (playlist.loop || layout(todayMs).endMs > nowMs) {
    return finish(input, todayMs, 'join-in-progress', horizonMs, (r, join) => `${clockText} has passed and the show ${lengthPhrase(r, playlist)} is still running: ${joinPhrase(join)}.`);
  }
  const tomorrowMs = at(1);
  return finish(input, tomorrowMs, 'tomorrow', horizonMs, (round) => `${clockText} has passed and the show (${formatSpan(round.endMs - round.startMs)}) is over: it starts tomorrow at ${formatWallClock(tomorrowMs, timeZone)}.`);
}

/** The slot playing at `atMs` and the offset into it, or undefined outside the timetable's slots. */
export function slotAt(timetable: Timetable, atMs: number): { slot: Slot; index: number; offsetS: number } | undefined {
  const slots = timetable.slots;
  let low = 0;
  let high = slots.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const slot = slots[middle]!;
    if (atMs < slot.startMs) high = middle - 1;
    else if (atMs >= slot.endMs) low = middle + 1;
    else return { slot, index: middle, offsetS: (atMs - slot.startMs) / 1000 };
  }
  return undefined;
}

/** `2h10m`, `45m`, `1m30s`, `20s` */
export function formatSpan(ms: number): string {
  const totalS = Math.round(ms / 1000);
  const hours = Math.floor(totalS / 3600);
  const minutes = Math.floor((totalS % 3600) / 60);
  const seconds = totalS % 60;
  if (hours > 0) return minutes > 0 ? `${hours}h${pad2(minutes)}m` : `${hours}h`;
  if (minutes > 0) return seconds > 0 ? `${minutes}m${pad2(seconds)}s` : `${minutes}m`;
  return `${seconds}s`;
}

interface Round {
  startMs: number;
  endMs: number;
  slots: Slot[];
}

function finish(
  input: TimetableInput,
  startMs: number,
  decision: TimetableDecision,
  horizonMs: number,
  explain: (firstRound: Round, join: JoinInfo | undefined) => string,
): Timetable {
  const { playlist, durationsS, nowMs, timeZone } = input;
  const first = layoutRound(playlist, durationsS, startMs, 0, timeZone);
  const roundMs = first.endMs - first.startMs;
  let slots: Slot[];
  if (!playlist.loop) {
    slots = first.slots;
  } else {
    // Skip whole rounds before the one playing at max(now, start); then cover the horizon.
    const from = Math.max(nowMs, startMs);
    let round = first;
    let number = 0;
    while (round.endMs <= from) {
      number++;
      round = layoutRound(playlist, durationsS, round.endMs, number, timeZone);
    }
    slots = [...round.slots];
    const until = from + horizonMs;
    while (round.endMs < until && slots.length + playlist.items.length * 2 <= MAX_TIMETABLE_SLOTS) {
      number++;
      round = layoutRound(playlist, durationsS, round.endMs, number, timeZone);
      slots.push(...round.slots);
    }
  }
  const timetable: Timetable = {
    startMs,
    endMs: playlist.loop ? Infinity : first.endMs,
    slots,
    decision,
    explanation: '',
    roundMs,
  };
  let join: JoinInfo | undefined;
  if (decision === 'join-in-progress') {
    const found = slotAt(timetable, nowMs);
    if (found) {
      timetable.joinAt = { slotIndex: found.index, offsetS: found.offsetS };
      join = { slot: found.slot, offsetS: found.offsetS, playlist, timeZone };
    }
  }
  timetable.explanation = explain(first, join);
  return timetable;
}

interface JoinInfo {
  slot: Slot;
  offsetS: number;
  playlist: Playlist;
  timeZone: string;
}

function joinPhrase(join: JoinInfo | undefined): string {
  if (!join) return 'joining in progress';
  const { slot, offsetS, playlist, timeZone } = join;
  if (slot.kind === 'gap') {
    const next = slot.beforeItemIndex === undefined ? undefined : playlist.items[slot.beforeItemIndex];
    return `joining the break before "${next?.title ?? 'the next item'}", which starts at ${formatWallClock(slot.endMs, timeZone)}`;
  }
  const position = `item ${(slot.itemIndex ?? 0) + 1} of ${playlist.items.length}`;
  return `joining "${slot.title}" (${position}) ${formatSpan(offsetS * 1000)} in`;
}

function lengthPhrase(round: Round, playlist: Playlist): string {
  const span = formatSpan(round.endMs - round.startMs);
  return playlist.loop ? `(${span}, looping)` : `(${span})`;
}

function runsFor(round: Round, playlist: Playlist, startMs: number, timeZone: string): string {
  const span = formatSpan(round.endMs - round.startMs);
  if (playlist.loop) return `loops every ${span}`;
  const endDay = daysBetween(epochToZonedParts(startMs, timeZone), epochToZonedParts(round.endMs, timeZone));
  const until = formatWallClock(round.endMs, timeZone);
  return `runs ${span}, until ${until}${endDay === 1 ? ' the next day' : endDay > 1 ? ` on ${formatWallDate(round.endMs, timeZone)}` : ''}`;
}

function describeInstant(epochMs: number, nowMs: number, timeZone: string): string {
  const days = daysBetween(epochToZonedParts(nowMs, timeZone), epochToZonedParts(epochMs, timeZone));
  const clock = formatWallClock(epochMs, timeZone);
  if (days === 0) return `today at ${clock}`;
  if (days === 1) return `tomorrow at ${clock}`;
  if (days === -1) return `yesterday at ${clock}`;
  return `on ${formatWallDate(epochMs, timeZone)} at ${clock}`;
}

function checkDurations(playlist: Playlist, durationsS: number[]): void {
  if (durationsS.length !== playlist.items.length) {
    throw new TypeError(`buildTimetable: ${durationsS.length} durations for ${playlist.items.length} items`);
  }
  const bad = playlist.items.filter((item) => !(Number.isFinite(durationsS[item.index]) && durationsS[item.index]! > 0));
  if (bad.length > 0) {
    throw new PlaylistError(
      playlist.displayFile ?? playlist.file,
      bad.map((item) => ({
        line: item.line,
        field: `items[${item.index}]`,
        message: `expected something to play after in/out, got ${String(durationsS[item.index])} seconds`,
      })),
    );
  }
}

/**
 * One pass over the items from `roundStartMs`, with gap slots before `at` items. From `fromIndex` on (a re-plan after
 * a skip): the first item's `at` is honoured when still ahead, and an `at` already passed starts the item at once.
 */
function layoutRound(
  playlist: Playlist,
  durationsS: number[],
  roundStartMs: number,
  loopRound: number,
  timeZone: string,
  fromIndex = 0,
  leadingBreak = loopRound > 0 && fromIndex === 0,
): Round {
  const slots: Slot[] = [];
  let cursor = roundStartMs;
  for (const item of playlist.items.slice(fromIndex)) {
    // `break` between items (and between rounds); an item with a fixed `at` has its own gap instead.
    if (playlist.breakS > 0 && !item.at && (slots.length > 0 || leadingBreak)) {
      const endMs = cursor + playlist.breakS * 1000;
      slots.push({ kind: 'gap', beforeItemIndex: item.index, title: `Break until ${formatWallClock(endMs, timeZone)}`, startMs: cursor, endMs, inS: 0, loopRound });
      cursor = endMs;
    }
    if (item.at) {
      const atMs = resolveAt(item, cursor, slots.length === 0, timeZone);
      if (atMs < cursor && fromIndex === 0) throw overlapError(playlist, item, atMs, cursor, slots.length === 0, timeZone);
      if (atMs > cursor) {
        slots.push({ kind: 'gap', beforeItemIndex: item.index, title: `Break until ${formatWallClock(atMs, timeZone)}`, startMs: cursor, endMs: atMs, inS: 0, loopRound });
        cursor = atMs;
      }
    }
    const endMs = Math.round(cursor + durationsS[item.index]! * 1000);
    slots.push({ kind: 'item', itemIndex: item.index, title: item.title, startMs: cursor, endMs, inS: item.inS ?? 0, loopRound });
    cursor = endMs;
  }
  return { startMs: roundStartMs, endMs: cursor, slots };
}

/** Where a re-plan starts: item `itemIndex` of round `loopRound`, at `startMs`. */
export interface PlanStart {
  itemIndex: number;
  loopRound: number;
  startMs: number;
  /** The item starts at `startMs` even if it has an `at` (skipping the break before it). */
  ignoreAt?: boolean;
  /** A `break` comes before the item (the show goes on after an item), not a start right away (after a skip). */
  leadingBreak?: boolean;
}

/**
 * The show from `from` on, as a TV channel re-plans after the host skipped ahead: that item at `startMs` (or at its
 * `at`, when later), the rest of its round after it, and with `loop` further rounds until at least `untilMs` (at most
 * MAX_TIMETABLE_SLOTS slots). Pure: the times the dashboard, `status` and the API then show as "next".
 */
export function planFrom(playlist: Playlist, durationsS: number[], from: PlanStart, timeZone: string, untilMs: number): Slot[] {
  checkDurations(playlist, durationsS);
  const first = from.ignoreAt
    ? { ...playlist, items: playlist.items.map((item) => (item.index === from.itemIndex ? { ...item, at: undefined } : item)) }
    : playlist;
  let round = layoutRound(first, durationsS, from.startMs, from.loopRound, timeZone, from.itemIndex, from.leadingBreak === true);
  const slots = [...round.slots];
  let number = from.loopRound;
  while (playlist.loop && round.endMs < untilMs && slots.length + playlist.items.length * 2 <= MAX_TIMETABLE_SLOTS) {
    number++;
    round = layoutRound(playlist, durationsS, round.endMs, number, timeZone);
    slots.push(...round.slots);
  }
  return slots;
}

function resolveAt(item: PlaylistItem, previousEndMs: number, firstOfRound: boolean, timeZone: string): number {
  const at = item.at!;
  if (at.kind === 'instant') return instantToEpoch(at, timeZone);
  const from = firstOfRound ? previousEndMs : previousEndMs - AT_WINDOW_MS;
  const day = epochToZonedParts(from, timeZone);
  for (let days = 0; days <= 2; days++) {
    const candidate = zonedWallTimeToEpoch({ ...addDays(day, days), hour: at.hour, minute: at.minute }, timeZone);
    if (candidate >= from) return candidate;
  }
  return previousEndMs + DAY_MS; // unreachable: some day within three holds the time
}

function overlapError(playlist: Playlist, item: PlaylistItem, atMs: number, previousEndMs: number, first: boolean, timeZone: string): PlaylistError {
  const atText = item.at?.kind === 'instant' ? item.at.text : formatWallClock(atMs, timeZone);
  const what = first ? 'the show starts' : 'the previous item ends';
  return new PlaylistError(playlist.displayFile ?? playlist.file, [
    {
      line: item.line,
      field: `items[${item.index}].at`,
      message: `expected a time after ${what} (${formatWallClock(previousEndMs, timeZone)}), got ${atText}`,
    },
  ]);
}
