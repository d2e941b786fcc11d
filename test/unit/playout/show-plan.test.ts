import { describe, expect, it } from 'vitest';
import { parseAt } from '../../../src/playout/at-option.js';
import { parsePlaylist } from '../../../src/playout/playlist.js';
import type { Show } from '../../../src/playout/show.js';
import { ShowPlan } from '../../../src/playout/show-plan.js';
import { buildTimetable, planFrom } from '../../../src/playout/timetable.js';

/**
 * The timetable as a promise, re-planned only when the host skips: pure, with fixed clocks (Europe/Berlin, Friday
 * 2026-11-27, UTC+1).
 */
const BERLIN = 'Europe/Berlin';
const at = (hh: number, mm: number, ss = 0) => Date.UTC(2026, 10, 27, hh - 1, mm, ss);

const night = parsePlaylist(
  ['items:', '  - { file: a.mp4, title: A }', '  - { file: b.mp4, title: B }', '  - { file: c.mp4, title: Amélie, at: "23:00" }', '  - { file: d.mp4, title: D }'].join('\n'),
  '/shows/night.yaml',
);
const DURATIONS = [60 * 60, 30 * 60, 90 * 60, 20 * 60];

function show(playlist = night, durationsS = DURATIONS, start = '21:00', nowMs = at(20, 0)): Show {
  const timetable = buildTimetable({ playlist, durationsS, start: parseAt(start), nowMs, timeZone: BERLIN });
  return { playlist, durationsS, timeZone: BERLIN, timetable } as unknown as Show;
}

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);
const times = (slots: { title: string; startMs: number }[]) => slots.map((s) => `${clock(s.startMs)} ${s.title}`);

describe('planFrom: the show laid out again from an item (after a skip)', () => {
  it('moves the items after a skip up, and keeps a fixed `at` time', () => {
    // B skipped at 22:05 (planned 22:00-22:30): nothing moves past Amélie's 23:00.
    const slots = planFrom(night, DURATIONS, { itemIndex: 2, loopRound: 0, startMs: at(22, 5) }, BERLIN, at(22, 5));
    expect(times(slots)).toEqual(['21:05:00 Break until 23:00', '22:00:00 Amélie', '23:30:00 D']);
  });

  it('skipping a break starts the item it waited for at once', () => {
    const slots = planFrom(night, DURATIONS, { itemIndex: 2, loopRound: 0, startMs: at(22, 40), ignoreAt: true }, BERLIN, at(22, 40));
    expect(times(slots)).toEqual(['21:40:00 Amélie', '23:10:00 D']);
  });

  it('moves everything up when no `at` stands in the way', () => {
    const slots = planFrom(night, DURATIONS, { itemIndex: 1, loopRound: 0, startMs: at(21, 20) }, BERLIN, at(21, 20));
    expect(times(slots).slice(0, 2)).toEqual(['20:20:00 B', '20:50:00 Break until 23:00']);
  });
});

describe('ShowPlan', () => {
  it('takes the slots in order and names the next three items with their times; a failure changes nothing', () => {
    const plan = new ShowPlan(show(), at(20, 30));
    expect(plan.startMs).toBe(at(21, 0));
    expect(times(plan.nextItems(undefined, 3))).toEqual(['20:00:00 A', '21:00:00 B', '22:00:00 Amélie']);
    const first = plan.take();
    expect(first?.offsetS).toBe(0);
    const second = plan.take();
    expect(times(plan.nextItems(first?.slot, 3))).toEqual(['21:00:00 B', '22:00:00 Amélie', '23:30:00 D']);
    // An item that fails keeps its slot (a slate fills it): the plan is not touched, "next" still shows 23:00.
    expect(times(plan.nextItems(second?.slot, 3))).toEqual(['22:00:00 Amélie', '23:30:00 D']);
    expect(plan.nextItem(second!.slot)?.title).toBe('Amélie');
  });

  it('re-plans after a skip: "next" shows the real times, and the next take is the moved-up item', () => {
    const plan = new ShowPlan(show(), at(20, 30));
    const a = plan.take()!;
    plan.take(); // B, taken ahead by the pacer while A plays
    plan.replanAfter(a.slot, at(21, 10)); // A skipped 10 minutes in
    expect(times(plan.nextItems(a.slot, 3))).toEqual(['20:10:00 B', '22:00:00 Amélie', '23:30:00 D']);
    expect(times([plan.take()!.slot])).toEqual(['20:10:00 B']);
    expect(plan.take()?.slot.title).toBe('Break until 23:00');
    expect(plan.endMs).toBe(at(24, 50)); // Amélie 23:00-00:30, D until 00:50, as printed
  });

  it('skipping the last item of a show that does not loop leaves nothing to come', () => {
    const plan = new ShowPlan(show(), at(20, 30));
    let last;
    for (let next = plan.take(); next !== undefined; next = plan.take()) last = next;
    plan.replanAfter(last!.slot, at(23, 40));
    expect(plan.take()).toBeUndefined();
    expect(plan.nextItems(last!.slot, 3)).toEqual([]);
  });

  it('joins in progress: the first slot starts part-way', () => {
    const plan = new ShowPlan(show(night, DURATIONS, '21:00', at(21, 20)), at(21, 20, 30));
    const first = plan.take();
    expect(first?.slot.title).toBe('A');
    expect(first?.offsetS).toBe(20 * 60 + 30);
  });

  it('"now" is when the channel is ready, not when the timetable was printed', () => {
    const plan = new ShowPlan(show(night, DURATIONS, '21:00', at(20, 0)), at(20, 0));
    const now = { ...show(night, DURATIONS, '21:00', at(20, 0)) };
    now.timetable = buildTimetable({ playlist: night, durationsS: DURATIONS, start: { kind: 'now' }, nowMs: at(20, 0), timeZone: BERLIN });
    const ready = new ShowPlan(now, at(20, 0, 4));
    expect(ready.take()?.slot.startMs).toBe(at(20, 0, 4));
    expect(plan.take()?.slot.startMs).toBe(at(21, 0));
  });

  it('a loop always has a next item, round after round, with the times the rounds will really have', () => {
    const loop = parsePlaylist(['loop: true', 'items:', '  - { generate: { pattern: testsrc2, seconds: 20 }, title: X }', '  - { generate: { pattern: smptebars, seconds: 25 }, title: Y }'].join('\n'), '/shows/demo.yaml');
    const plan = new ShowPlan(show(loop, [20, 25], '21:00', at(21, 0)), at(21, 0));
    for (let i = 0; i < 50; i++) {
      const taken = plan.take()!;
      const next = plan.nextItems(taken.slot, 3);
      expect(next).toHaveLength(3);
      expect(next[0]!.startMs).toBe(taken.slot.endMs);
    }
    const taken = plan.take()!;
    expect(taken.slot.loopRound).toBe(25);
    expect(taken.slot.startMs).toBe(at(21, 0) + 25 * 45_000);
  });

  it('after a skip in a loop, the next round follows the re-planned one', () => {
    const loop = parsePlaylist(['loop: true', 'items:', '  - { generate: { pattern: testsrc2, seconds: 20 }, title: X }', '  - { generate: { pattern: smptebars, seconds: 25 }, title: Y }'].join('\n'), '/shows/demo.yaml');
    const plan = new ShowPlan(show(loop, [20, 25], '21:00', at(21, 0)), at(21, 0));
    plan.take();
    const y = plan.take()!;
    plan.replanAfter(y.slot, at(21, 0, 25)); // Y skipped 5 s in
    expect(times(plan.nextItems(y.slot, 3))).toEqual(['20:00:25 X', '20:00:45 Y', '20:01:10 X']);
    expect(plan.take()?.slot.loopRound).toBe(1);
  });
});
