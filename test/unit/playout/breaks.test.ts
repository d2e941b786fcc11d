import { describe, expect, it } from 'vitest';
import { parseAt } from '../../../src/playout/at-option.js';
import { parsePlaylist } from '../../../src/playout/playlist.js';
import type { Show } from '../../../src/playout/show.js';
import { ShowPlan } from '../../../src/playout/show-plan.js';
import { preShowPieces, slotSegment, upNext } from '../../../src/playout/show-segments.js';
import { buildTimetable, planFrom } from '../../../src/playout/timetable.js';

/** `break: 5m` between items for the snacks, and the slates that say what is up next and when (Europe/Berlin). */
const BERLIN = 'Europe/Berlin';
const at = (hh: number, mm: number, ss = 0) => Date.UTC(2026, 10, 27, hh - 1, mm, ss);
const clock = (ms: number) => new Date(ms + 3600_000).toISOString().slice(11, 16);
const times = (slots: { title: string; startMs: number }[]) => slots.map((s) => `${clock(s.startMs)} ${s.title}`);

const withBreak = (extra: string[] = []) =>
  parsePlaylist(
    ['break: 5m', ...extra, 'items:', '  - { file: a.mp4, title: A }', '  - { file: b.mp4, title: Amélie }', '  - { file: c.mp4, title: C, at: "23:00" }'].join('\n'),
    '/shows/night.yaml',
  );
const DURATIONS = [3600, 1800, 600];

function show(playlist = withBreak(), nowMs = at(20, 0)): Show {
  const timetable = buildTimetable({ playlist, durationsS: DURATIONS, start: parseAt('21:00'), nowMs, timeZone: BERLIN });
  const profile = { width: 640, height: 360, fps: 25, videoBitrate: 1e6, audioBitrate: 96e3, sampleRate: 48e3 };
  return { playlist, durationsS: DURATIONS, timeZone: BERLIN, timetable, profile, mode: 'normalize', filler: [], probes: [], tracks: [] } as unknown as Show;
}

describe('break between items', () => {
  it('puts a break before every item but the first; a fixed `at` has its own gap instead', () => {
    expect(times(show().timetable.slots)).toEqual(['21:00 A', '22:00 Break until 22:05', '22:05 Amélie', '22:35 Break until 23:00', '23:00 C']);
  });

  it('between rounds of a looping show too, and not after a skip', () => {
    const looping = parsePlaylist(['break: 10m', 'loop: true', 'items:', '  - { file: a.mp4, title: A }', '  - { file: b.mp4, title: B }'].join('\n'), '/shows/loop.yaml');
    const table = buildTimetable({ playlist: looping, durationsS: [600, 600], start: parseAt('21:00'), nowMs: at(20, 0), timeZone: BERLIN });
    expect(times(table.slots.slice(0, 6))).toEqual(['21:00 A', '21:10 Break until 21:20', '21:20 B', '21:30 Break until 21:40', '21:40 A', '21:50 Break until 22:00']);
    expect(times(planFrom(looping, [600, 600], { itemIndex: 1, loopRound: 0, startMs: at(21, 5) }, BERLIN, at(22, 0)).slice(0, 3))).toEqual(['21:05 B', '21:15 Break until 21:25', '21:25 A']);
    const plan = new ShowPlan({ playlist: looping, durationsS: [600, 600], timeZone: BERLIN, timetable: table } as unknown as Show, at(20, 30));
    const taken = Array.from({ length: 12 }, () => plan.take()?.slot).filter((slot) => slot !== undefined);
    expect(taken.filter((slot) => slot.kind === 'gap')).toHaveLength(6);
  });

  it('is refused when too long, with the field and line', () => {
    expect(() => parsePlaylist('break: 5h\nitems: [a.mp4]\n', '/shows/x.yaml')).toThrow('/shows/x.yaml:1: break: expected a length like 5m, 90s or 0:05:00 (0: none), at most 4 h, got \'5h\'');
  });
});

describe('slates say what is up next and when', () => {
  it('in a break, and in the pre-show', () => {
    const s = show();
    const gap = s.timetable.slots[1];
    if (gap === undefined) throw new Error('no break');
    const segment = slotSegment(s, { slot: gap, offsetS: 0 }, () => undefined, () => undefined);
    expect(segment.command(0).output.join(' ')).toContain("text='Up next at 22\\:05\\: Amélie'");
    const first = s.timetable.slots[0];
    const pieces = preShowPieces(s, at(20, 59), at(21, 0), first);
    expect(pieces[0]?.command(0).output.join(' ')).toContain("text='Up next at 21\\:00\\: A'");
    expect(upNext(at(23, 0), '我的电影', BERLIN)).toBe('Up next at 23:00: 我的电影');
  });
});
