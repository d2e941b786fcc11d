import { describe, expect, it } from 'vitest';
import { parsePlaylist, PlaylistError } from '../../../src/playout/playlist.js';
import type { Playlist } from '../../../src/playout/playlist.js';
import { buildTimetable, slotAt, formatSpan } from '../../../src/playout/timetable.js';
import type { TimetableInput } from '../../../src/playout/timetable.js';
import { parseAt } from '../../../src/playout/at-option.js';
import { UserError } from '../../../src/errors.js';

const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';
const MIN = 60_000;
const HOUR = 60 * MIN;

function playlist(lines: string[]): Playlist {
  return parsePlaylist(lines.join('\n'), '/shows/movies.yaml');
}

const twoMovies = playlist(['items:', '  - { file: a.mp4, title: A }', '  - { file: b.mp4, title: B, in: 30 }']);

function build(input: Partial<TimetableInput> & Pick<TimetableInput, 'nowMs'>) {
  return buildTimetable({ playlist: twoMovies, durationsS: [3600, 2400], start: parseAt('21:00'), timeZone: BERLIN, ...input });
}

describe('buildTimetable: start today, join, tomorrow, now (Europe/Berlin, Friday 2026-11-27, UTC+1)', () => {
  it('a future start today', () => {
    const table = build({ nowMs: Date.UTC(2026, 10, 27, 17) });
    expect(table.decision).toBe('future');
    expect(table.startMs).toBe(Date.UTC(2026, 10, 27, 20));
    expect(table.endMs).toBe(Date.UTC(2026, 10, 27, 21, 40));
    expect(table.slots).toEqual([
      { kind: 'item', itemIndex: 0, title: 'A', startMs: Date.UTC(2026, 10, 27, 20), endMs: Date.UTC(2026, 10, 27, 21), inS: 0, loopRound: 0 },
      { kind: 'item', itemIndex: 1, title: 'B', startMs: Date.UTC(2026, 10, 27, 21), endMs: Date.UTC(2026, 10, 27, 21, 40), inS: 30, loopRound: 0 },
    ]);
    expect(table.joinAt).toBeUndefined();
    expect(table.explanation).toBe('The show starts today at 21:00 (in 3h) and runs 1h40m, until 22:40.');
  });

  it('a past start with the show still running joins at the right item and offset', () => {
    const table = build({ nowMs: Date.UTC(2026, 10, 27, 21, 10, 30) });
    expect(table.decision).toBe('join-in-progress');
    expect(table.startMs).toBe(Date.UTC(2026, 10, 27, 20));
    expect(table.joinAt).toEqual({ slotIndex: 1, offsetS: 630 });
    expect(table.explanation).toBe('21:00 has passed and the show (1h40m) is still running: joining "B" (item 2 of 2) 10m30s in.');
  });

  it('a past start with the show over is tomorrow', () => {
    const table = build({ nowMs: Date.UTC(2026, 10, 27, 22) });
    expect(table.decision).toBe('tomorrow');
    expect(table.startMs).toBe(Date.UTC(2026, 10, 28, 20));
    expect(table.explanation).toBe('21:00 has passed and the show (1h40m) is over: it starts tomorrow at 21:00.');
  });

  it('the show ends exactly now: tomorrow', () => {
    expect(build({ nowMs: Date.UTC(2026, 10, 27, 21, 40) }).decision).toBe('tomorrow');
  });

  it('yesterday evening\'s show still running after midnight is joined', () => {
    const table = build({ start: parseAt('23:30'), nowMs: Date.UTC(2026, 10, 27, 23, 45) }); // 00:45 Saturday
    expect(table.decision).toBe('join-in-progress');
    expect(table.startMs).toBe(Date.UTC(2026, 10, 27, 22, 30));
    expect(table.joinAt).toEqual({ slotIndex: 1, offsetS: 15 * 60 });
    expect(table.explanation).toMatch(/^Yesterday's 23:30 show \(1h40m\) is still running: joining "B"/);
  });

  it('now', () => {
    const nowMs = Date.UTC(2026, 10, 27, 12, 0, 0, 250);
    const table = build({ start: { kind: 'now' }, nowMs });
    expect(table.decision).toBe('now');
    expect(table.startMs).toBe(nowMs);
    expect(table.slots[1]!.startMs).toBe(nowMs + HOUR);
    expect(table.explanation).toBe('The show starts now and runs 1h40m, until 14:40.');
  });

  it('the same HH:MM in New York is another instant', () => {
    const table = build({ timeZone: NEW_YORK, nowMs: Date.UTC(2026, 10, 27, 17) });
    expect(table.decision).toBe('future');
    expect(table.startMs).toBe(Date.UTC(2026, 10, 28, 2));
  });

  it('a date-time start: future, joined, or an error once over', () => {
    const start = parseAt('2026-11-28T21:00');
    expect(build({ start, nowMs: Date.UTC(2026, 10, 27, 12) })).toMatchObject({ decision: 'future', startMs: Date.UTC(2026, 10, 28, 20) });
    expect(build({ start, nowMs: Date.UTC(2026, 10, 27, 12) }).explanation).toMatch(/^The show starts tomorrow at 21:00 and runs 1h40m, until 22:40\.$/);
    expect(build({ start, nowMs: Date.UTC(2026, 10, 28, 20, 30) })).toMatchObject({ decision: 'join-in-progress', joinAt: { slotIndex: 0, offsetS: 1800 } });
    expect(() => build({ start, nowMs: Date.UTC(2026, 10, 29, 12) })).toThrow(UserError);
  });

  it('a show past midnight says so', () => {
    expect(build({ start: parseAt('23:00'), nowMs: Date.UTC(2026, 10, 27, 12) }).explanation).toMatch(/until 00:40 the next day\.$/);
  });
});

describe('fixed `at` times (America/New_York)', () => {
  const withAt = playlist([
    'items:',
    '  - { file: a.mp4, title: A }',
    '  - { file: b.mp4, title: B, at: "21:30" }',
    '  - file: c.mp4',
    '    title: C',
    '    at: "00:30"',
  ]);
  const nowMs = Date.UTC(2026, 10, 27, 17); // 12:00 in New York
  const ny = (day: number, hour: number, minute = 0) => Date.UTC(2026, 10, day, hour + 5, minute);

  it('puts gap slots before them; HH:MM after midnight is the next day', () => {
    const table = buildTimetable({ playlist: withAt, durationsS: [3600, 2400, 3600], start: parseAt('20:00'), nowMs, timeZone: NEW_YORK });
    expect(table.slots.map((slot) => [slot.kind, slot.title, slot.startMs, slot.endMs])).toEqual([
      ['item', 'A', ny(27, 20), ny(27, 21)],
      ['gap', 'Break until 21:30', ny(27, 21), ny(27, 21, 30)],
      ['item', 'B', ny(27, 21, 30), ny(27, 22, 10)],
      ['gap', 'Break until 00:30', ny(27, 22, 10), ny(28, 0, 30)],
      ['item', 'C', ny(28, 0, 30), ny(28, 1, 30)],
    ]);
    expect(table.slots[1]!.beforeItemIndex).toBe(1);
    expect(table.endMs).toBe(ny(28, 1, 30));
  });

  it('joining during a gap says what comes next', () => {
    const table = buildTimetable({ playlist: withAt, durationsS: [3600, 2400, 3600], start: parseAt('20:00'), nowMs: ny(27, 21, 10), timeZone: NEW_YORK });
    expect(table.joinAt).toEqual({ slotIndex: 1, offsetS: 600 });
    expect(table.explanation).toMatch(/joining the break before "B", which starts at 21:30\.$/);
  });

  it('an `at` earlier than the previous item\'s end is an error naming the item line', () => {
    const run = () => buildTimetable({ playlist: withAt, durationsS: [3600 * 2, 2400, 3600], start: parseAt('20:00'), nowMs, timeZone: NEW_YORK });
    expect(run).toThrow(PlaylistError);
    expect(run).toThrow('/shows/movies.yaml:3: items[1].at: expected a time after the previous item ends (22:00), got 21:30');
  });

  it('an `at` before the show start is an error too', () => {
    const early = playlist(['items:', '  - { file: a.mp4, at: "2026-11-27T19:00" }']);
    expect(() => buildTimetable({ playlist: early, durationsS: [60], start: parseAt('20:00'), nowMs, timeZone: NEW_YORK })).toThrow(
      '/shows/movies.yaml:2: items[0].at: expected a time after the show starts (20:00), got 2026-11-27T19:00',
    );
  });
});

describe('loop', () => {
  const loop = playlist(['loop: true', 'items:', '  - { generate: { pattern: testsrc2, seconds: 20 } }', '  - { generate: { pattern: smptebars, seconds: 25 } }', '  - { generate: { pattern: smptehdbars, seconds: 15 } }']);
  const durationsS = [20, 25, 15];
  const nowMs = Date.UTC(2026, 10, 27, 12);

  it('covers the horizon with whole rounds', () => {
    const table = buildTimetable({ playlist: loop, durationsS, start: { kind: 'now' }, nowMs, timeZone: BERLIN, horizonMs: 10 * MIN });
    expect(table.endMs).toBe(Infinity);
    expect(table.roundMs).toBe(60_000);
    expect(table.slots.length).toBe(10 * 3);
    expect(table.slots.at(-1)!.endMs).toBeGreaterThanOrEqual(nowMs + 10 * MIN);
    expect(table.slots.at(-1)!.loopRound).toBe(9);
    expect(slotAt(table, nowMs + 65_000)).toMatchObject({ index: 3, offsetS: 5, slot: { itemIndex: 0, loopRound: 1 } });
    expect(table.explanation).toBe('The show starts now and loops every 1m.');
    for (let i = 1; i < table.slots.length; i++) expect(table.slots[i]!.startMs).toBe(table.slots[i - 1]!.endMs);
  });

  it('a start earlier today joins the round playing now', () => {
    const table = buildTimetable({ playlist: loop, durationsS, start: parseAt('09:00'), nowMs: Date.UTC(2026, 10, 27, 8, 10, 25), timeZone: BERLIN, horizonMs: 5 * MIN });
    expect(table.decision).toBe('join-in-progress');
    expect(table.slots[0]).toMatchObject({ loopRound: 10, itemIndex: 0, startMs: Date.UTC(2026, 10, 27, 8, 10) });
    expect(table.joinAt).toEqual({ slotIndex: 1, offsetS: 5 });
    expect(table.explanation).toBe('09:00 has passed and the show (1m, looping) is still running: joining "Test card (smptebars)" (item 2 of 3) 5s in.');
  });

  it('never builds more than MAX_TIMETABLE_SLOTS', () => {
    const table = buildTimetable({ playlist: loop, durationsS: [0.5, 0.5, 0.5], start: { kind: 'now' }, nowMs, timeZone: BERLIN, horizonMs: 30 * 24 * HOUR });
    expect(table.slots.length).toBeLessThanOrEqual(20_000);
  });
});

describe('daylight-saving days (America/New_York)', () => {
  const movie = playlist(['items:', '  - { file: a.mp4, title: Long }']);

  it('spring forward, 2026-03-08: 01:30 + 2h real time ends at 04:30 EDT', () => {
    const table = buildTimetable({ playlist: movie, durationsS: [7200], start: parseAt('01:30'), nowMs: Date.UTC(2026, 2, 8, 5), timeZone: NEW_YORK });
    expect(table).toMatchObject({ decision: 'future', startMs: Date.UTC(2026, 2, 8, 6, 30), endMs: Date.UTC(2026, 2, 8, 8, 30) });
    expect(table.explanation).toBe('The show starts today at 01:30 (in 1h30m) and runs 2h, until 04:30.');
  });

  it('spring forward: joined at 03:15 EDT, 45 real minutes in', () => {
    const table = buildTimetable({ playlist: movie, durationsS: [7200], start: parseAt('01:30'), nowMs: Date.UTC(2026, 2, 8, 7, 15), timeZone: NEW_YORK });
    expect(table.decision).toBe('join-in-progress');
    expect(table.joinAt).toEqual({ slotIndex: 0, offsetS: 45 * 60 });
  });

  it('spring forward: 02:30 does not exist and means 03:00 EDT', () => {
    const table = buildTimetable({ playlist: movie, durationsS: [600], start: parseAt('02:30'), nowMs: Date.UTC(2026, 2, 8, 5), timeZone: NEW_YORK });
    expect(table.startMs).toBe(Date.UTC(2026, 2, 8, 7));
    expect(table.explanation).toMatch(/^The show starts today at 03:00 /);
  });

  it('fall back, 2026-11-01: 01:30 is the first one (EDT); at 01:10 EST the 30-minute show is over, so tomorrow', () => {
    const table = buildTimetable({ playlist: movie, durationsS: [1800], start: parseAt('01:30'), nowMs: Date.UTC(2026, 10, 1, 6, 10), timeZone: NEW_YORK });
    expect(table.decision).toBe('tomorrow');
    expect(table.startMs).toBe(Date.UTC(2026, 10, 2, 6, 30));
  });

  it('fall back: a 2-hour show is joined at 01:10 EST, 40 real minutes in', () => {
    const table = buildTimetable({ playlist: movie, durationsS: [7200], start: parseAt('01:30'), nowMs: Date.UTC(2026, 10, 1, 6, 10), timeZone: NEW_YORK });
    expect(table.decision).toBe('join-in-progress');
    expect(table.joinAt).toEqual({ slotIndex: 0, offsetS: 40 * 60 });
  });

  it('tomorrow across a change keeps the wall time (Berlin, 2026-03-28 → 29)', () => {
    const table = buildTimetable({ playlist: movie, durationsS: [3600], start: parseAt('21:00'), nowMs: Date.UTC(2026, 2, 28, 22, 30), timeZone: BERLIN });
    expect(table.decision).toBe('tomorrow');
    expect(table.startMs).toBe(Date.UTC(2026, 2, 29, 19));
  });
});

describe('slotAt and checks', () => {
  it('is undefined outside the slots', () => {
    const table = build({ nowMs: Date.UTC(2026, 10, 27, 17) });
    expect(slotAt(table, table.startMs - 1)).toBeUndefined();
    expect(slotAt(table, table.endMs)).toBeUndefined();
    expect(slotAt(table, table.startMs)).toMatchObject({ index: 0, offsetS: 0 });
  });

  it('an item with nothing to play is a PlaylistError on its line', () => {
    expect(() => build({ durationsS: [3600, 0], nowMs: 0 })).toThrow('/shows/movies.yaml:3: items[1]: expected something to play after in/out, got 0 seconds');
  });

  it('formats spans', () => {
    expect([formatSpan(130 * MIN), formatSpan(2 * HOUR), formatSpan(90_000), formatSpan(20_000)]).toEqual(['2h10m', '2h', '1m30s', '20s']);
  });
});
