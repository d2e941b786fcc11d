import type { Show } from './show.js';
import { DEFAULT_LOOP_HORIZON_MS, type PlanStart, type Slot, planFrom } from './timetable.js';

/** A slot of the plan and how far into it playing starts (joining in progress). */
export interface PlannedSlot {
  slot: Slot;
  offsetS: number;
}

/** Slots kept ahead of the one on air when looping, so "next" can always name three items. */
const LOOKAHEAD_SLOTS = 8;
/** A slot shorter than this is not worth starting an ffmpeg for (a join a moment before a slot ends). */
const MIN_SLOT_S = 0.04;

/**
 * The slots still to come, from the timetable, as the playout works through them: taken one at a time, extended
 * round after round when looping, and re-planned when the host skips ahead (the rest of the show moves up, fixed
 * `at` times stay). What is "next" comes from here, so it always shows real times.
 */
export class ShowPlan {
  private slots: Slot[];
  /** Index in `slots` of the next slot to take. */
  private position = 0;
  /** How far into the first slot playing starts (joining in progress). */
  private firstOffsetS = 0;

  constructor(
    private readonly show: Show,
    /** When the first frame goes out. */
    startAtMs: number,
  ) {
    const { timetable, playlist } = show;
    if (timetable.decision === 'now') {
      // "Now" means when the channel is ready, which is after the checks that built the timetable.
      this.slots = this.layout({ itemIndex: 0, loopRound: 0, startMs: startAtMs });
      return;
    }
    this.slots = timetable.slots.filter((slot) => slot.endMs - startAtMs > MIN_SLOT_S * 1000);
    const first = this.slots[0];
    if (first !== undefined && first.startMs < startAtMs) this.firstOffsetS = (startAtMs - first.startMs) / 1000;
    if (this.slots.length === 0 && playlist.loop) {
      const last = timetable.slots.at(-1);
      if (last !== undefined) this.slots = this.layout({ itemIndex: 0, loopRound: last.loopRound + 1, startMs: last.endMs, leadingBreak: true });
    }
  }

  /** When the show's items start (the first slot's start), and when the last item ends (Infinity when looping). */
  get startMs(): number {
    return this.slots[0]?.startMs ?? this.show.timetable.startMs;
  }

  get endMs(): number {
    return this.show.playlist.loop ? Infinity : (this.slots.at(-1)?.endMs ?? this.show.timetable.endMs);
  }

  /** The next slot, or undefined when the show is over. */
  take(): PlannedSlot | undefined {
    this.extend();
    const slot = this.slots[this.position];
    if (slot === undefined) return undefined;
    const offsetS = this.position === 0 ? this.firstOffsetS : 0;
    this.position++;
    return { slot, offsetS };
  }

  /** The first `count` item slots after `after` (or from the start when nothing is on air yet). */
  nextItems(after: Slot | undefined, count: number): Slot[] {
    this.extend();
    const from = after === undefined ? 0 : this.slots.indexOf(after) + 1;
    if (after !== undefined && from === 0) return [];
    return this.slots.slice(from).filter((slot) => slot.kind === 'item').slice(0, count);
  }

  /** The item slot after `slot`, for the slate that stands in for `slot`. */
  nextItem(slot: Slot): Slot | undefined {
    return this.nextItems(slot, 1)[0];
  }

  /**
   * The host skipped `slot` at `nowMs`: what follows it is laid out again from now. Skipping an item moves the next
   * item up (its `at`, if any, still holds); skipping a break starts the item it waited for.
   */
  replanAfter(slot: Slot, nowMs: number): void {
    const { playlist } = this.show;
    let from: { itemIndex: number; loopRound: number; ignoreAt?: boolean };
    if (slot.kind === 'gap') from = { itemIndex: slot.beforeItemIndex ?? 0, loopRound: slot.loopRound, ignoreAt: true };
    else if ((slot.itemIndex ?? 0) + 1 < playlist.items.length) from = { itemIndex: (slot.itemIndex ?? 0) + 1, loopRound: slot.loopRound };
    else if (playlist.loop) from = { itemIndex: 0, loopRound: slot.loopRound + 1 };
    else {
      this.slots = this.slots.slice(0, this.slots.indexOf(slot) + 1);
      this.position = this.slots.length;
      return;
    }
    const kept = this.slots.slice(0, this.slots.indexOf(slot) + 1);
    this.slots = [...kept, ...this.layout({ ...from, startMs: nowMs })];
    this.position = kept.length;
  }

  private layout(from: PlanStart): Slot[] {
    const { playlist, durationsS, timeZone } = this.show;
    return planFrom(playlist, durationsS, from, timeZone, from.startMs + DEFAULT_LOOP_HORIZON_MS);
  }

  /** Looping: keeps LOOKAHEAD_SLOTS laid out beyond the next slot; slots long played are dropped. */
  private extend(): void {
    const { playlist } = this.show;
    if (!playlist.loop) return;
    while (this.slots.length - this.position < LOOKAHEAD_SLOTS) {
      const last = this.slots.at(-1);
      if (last === undefined) return;
      const isLastItem = last.kind === 'item' && last.itemIndex === playlist.items.length - 1;
      const from = isLastItem
        ? { itemIndex: 0, loopRound: last.loopRound + 1 }
        : { itemIndex: last.kind === 'item' ? (last.itemIndex ?? 0) + 1 : (last.beforeItemIndex ?? 0), loopRound: last.loopRound };
      // The show goes on after the last item laid out: its `break` comes first.
      this.slots.push(...planFrom(playlist, this.show.durationsS, { ...from, startMs: last.endMs, leadingBreak: last.kind === 'item' }, this.show.timeZone, last.endMs));
    }
    if (this.position > 2 * LOOKAHEAD_SLOTS) {
      const drop = this.position - LOOKAHEAD_SLOTS;
      this.slots.splice(0, drop);
      this.position -= drop;
    }
  }
}
