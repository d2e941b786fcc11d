/**
 * The segments of a show: pre-show slate pieces with a countdown, the items and the breaks between them (filler or
 * a slate), the end slate; each with the slate that stands in for it when it cannot play.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { formatWallClock } from './clock-time.js';
import type { FfmpegCommand } from './ffmpeg-commands.js';
import { type PlannedSegment, SegmentUnavailable } from './paced-playout.js';
import { fillerCommand, itemCommand, slateCommand } from './segment-commands.js';
import type { Show } from './show.js';
import type { PlannedSlot } from './show-plan.js';
import type { Slot } from './timetable.js';

/** Pre-show and end slates are cut into pieces this long, each with its own countdown text. */
export const SLATE_PIECE_S = 10;
/** A piece shorter than this is not worth an ffmpeg run. */
const MIN_PIECE_S = 0.04;

export type SegmentKind = 'pre-show' | 'item' | 'gap' | 'end';

export interface ShowSegment extends PlannedSegment {
  kind: SegmentKind;
  startsAtMs: number;
  /** The timetable slot it plays (items and breaks), and how far into it it starts. */
  slot?: Slot;
  offsetS: number;
  file?: string;
}

/** Who to name on a slate that stands in for a slot: the item that comes next, if any. */
export type NextItem = (slot: Slot) => Slot | undefined;

/** The segment that plays `planned`: an item from its file or generator, or a break with filler or a slate. */
export function slotSegment(show: Show, planned: PlannedSlot, nextItem: NextItem, fillerFor: () => Show['filler'][number] | undefined): ShowSegment {
  const { slot, offsetS } = planned;
  const { playlist, timeZone } = show;
  const seconds = (slot.endMs - slot.startMs) / 1000 - offsetS;
  const startsAtMs = slot.startMs + offsetS * 1000;
  const base = { slot, offsetS, seconds, startsAtMs, standIn: (s: number, why: 'retry' | 'unavailable') => slateCommand(show, standInLines(show, slot, why, nextItem), s) };
  if (slot.kind === 'gap') {
    const before = slot.beforeItemIndex === undefined ? undefined : playlist.items[slot.beforeItemIndex]?.title;
    const lines = [playlist.stream, before === undefined ? 'Back soon' : upNext(slot.endMs, before, timeZone)];
    const filler = fillerFor();
    if (filler === undefined) return { ...base, kind: 'gap', title: slot.title, command: (at) => slateCommand(show, lines, seconds - at) };
    return { ...base, kind: 'gap', title: slot.title, file: filler.path, command: (at) => fillerCommand(show, filler, at, seconds - at) };
  }
  const item = playlist.items[slot.itemIndex ?? -1];
  if (item === undefined) throw new TypeError(`slotSegment: slot "${slot.title}" names no item`);
  const source = item.source;
  const command = (at: number): FfmpegCommand => {
    if (source.kind === 'file') checkReadable(source.path);
    return itemCommand(show, item, show.probes[item.index], slot.inS + offsetS + at, seconds - at);
  };
  return { ...base, kind: 'item', title: item.title, ...(source.kind === 'file' ? { file: source.path } : {}), command };
}

/** "Up next at 23:00: Amélie" */
export function upNext(atMs: number, title: string, timeZone: string): string {
  return `Up next at ${formatWallClock(atMs, timeZone)}: ${title}`;
}

/** The pre-show slate from `fromMs` to the show's start, in pieces counting down; `first` is the first item. */
export function preShowPieces(show: Show, fromMs: number, startsMs: number, first?: Slot): ShowSegment[] {
  const next = first !== undefined ? upNext(first.startMs, first.title, show.timeZone) : `Starts at ${formatWallClock(startsMs, show.timeZone)}`;
  return pieces(fromMs, startsMs, (leftS) => [show.playlist.stream, next, `in ${countdown(leftS)}`]).map((piece) =>
    slate(show, 'pre-show', 'Pre-show', piece.lines, piece.seconds, piece.startsAtMs),
  );
}

/** The end slate from `fromMs` for the playlist's `end_slate`, in pieces counting down to the end of the stream. */
export function endPieces(show: Show, fromMs: number): ShowSegment[] {
  const { playlist } = show;
  const untilMs = fromMs + playlist.endSlateS * 1000;
  return pieces(fromMs, untilMs, (leftS) => [playlist.stream, 'That was the show. Thanks for watching!', `The stream ends in ${countdown(leftS)}`]).map(
    (piece) => slate(show, 'end', 'End', piece.lines, piece.seconds, piece.startsAtMs),
  );
}

function slate(show: Show, kind: SegmentKind, title: string, lines: string[], seconds: number, startsAtMs: number): ShowSegment {
  return { kind, title, seconds, startsAtMs, offsetS: 0, command: (at) => slateCommand(show, lines, seconds - at) };
}

function pieces(fromMs: number, untilMs: number, text: (leftS: number) => string[]): { startsAtMs: number; seconds: number; lines: string[] }[] {
  const out: { startsAtMs: number; seconds: number; lines: string[] }[] = [];
  for (let at = fromMs; (untilMs - at) / 1000 > MIN_PIECE_S; at += SLATE_PIECE_S * 1000) {
    const leftS = (untilMs - at) / 1000;
    out.push({ startsAtMs: at, seconds: Math.min(SLATE_PIECE_S, leftS), lines: text(leftS) });
  }
  return out;
}

/** What the stand-in slate says: back in a moment (a retry is coming), or unavailable and what comes next when. */
function standInLines(show: Show, slot: Slot, why: 'retry' | 'unavailable', nextItem: NextItem): string[] {
  const title = slot.kind === 'gap' ? show.playlist.stream : slot.title;
  if (why === 'retry') return [title, 'is interrupted', 'back in a moment'];
  const next = nextItem(slot);
  const after = next === undefined ? 'That was the last item.' : upNext(next.startMs, next.title, show.timeZone);
  return [slot.kind === 'gap' ? title : `${title} is unavailable`, after];
}

/** A file gone or unreadable at air time: the segment cannot start (its slot gets the stand-in slate). */
function checkReadable(path: string): void {
  if (!existsSync(path)) throw new SegmentUnavailable(`${path} is missing`);
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw new SegmentUnavailable(`${path} is not readable`);
  }
}

export function countdown(seconds: number): string {
  const s = Math.ceil(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${rest} s` : `${rest} s`;
}
