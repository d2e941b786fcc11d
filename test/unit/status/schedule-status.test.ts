import { describe, expect, it } from 'vitest';
import { isoWithOffset } from '../../../src/playout/clock-time.js';
import type { PlayoutReport } from '../../../src/playout/playout.js';
import { scheduleStatus } from '../../../src/status/schedule-report.js';
import { wallClockOf } from '../../../src/status/schedule-status.js';
import { columns, displayWidth, truncateDisplay } from '../../../src/util/display-width.js';

describe('times in the status JSON', () => {
  it('are ISO 8601 with the playlist zone\'s offset and milliseconds', () => {
    const t = Date.UTC(2026, 10, 27, 21, 7, 30, 250);
    expect(isoWithOffset(t, 'Europe/Berlin')).toBe('2026-11-27T22:07:30.250+01:00');
    expect(isoWithOffset(t, 'America/New_York')).toBe('2026-11-27T16:07:30.250-05:00');
    expect(isoWithOffset(t, 'Asia/Kolkata')).toBe('2026-11-28T02:37:30.250+05:30');
    expect(isoWithOffset(t, 'UTC')).toBe('2026-11-27T21:07:30.250+00:00');
    expect(Date.parse(isoWithOffset(t, 'Asia/Shanghai'))).toBe(t);
    // Summer time in Berlin.
    expect(isoWithOffset(Date.UTC(2026, 6, 1, 20), 'Europe/Berlin')).toBe('2026-07-01T22:00:00.000+02:00');
  });

  it('map a playout report to the snapshot, next items with dates, and read back as the printed wall time', () => {
    const at = (h: number, m: number) => Date.UTC(2026, 10, 27, h - 1, m);
    const report: PlayoutReport = {
      state: 'playing',
      playlist: 'night.yaml',
      stream: 'night',
      mode: 're-encode',
      timeZone: 'Europe/Berlin',
      startsAtMs: at(21, 0),
      endsAtMs: at(24, 52),
      closesAtMs: at(25, 2),
      nowPlaying: { title: 'Lebowski', kind: 'unavailable', startedAtMs: at(21, 0), positionS: 12.5, durationS: 7080 },
      next: [{ title: 'Amélie', startsAtMs: at(23, 0) }],
      ffmpegRestarts: 3,
      incidents: 1,
    };
    const status = scheduleStatus(report);
    expect(status).toEqual({
      state: 'playing',
      playlist: 'night.yaml',
      stream: 'night',
      mode: 're-encode',
      timeZone: 'Europe/Berlin',
      startsAt: '2026-11-27T21:00:00.000+01:00',
      endsAt: '2026-11-28T00:52:00.000+01:00',
      closesAt: '2026-11-28T01:02:00.000+01:00',
      nowPlaying: { title: 'Lebowski', kind: 'unavailable', startedAt: '2026-11-27T21:00:00.000+01:00', positionS: 12.5, durationS: 7080 },
      next: [{ title: 'Amélie', startsAt: '2026-11-27T23:00:00.000+01:00' }],
      ffmpegRestarts: 3,
      incidents: 1,
    });
    expect(wallClockOf(status.next[0]!.startsAt)).toBe('23:00:00');
    expect(scheduleStatus({ ...report, endsAtMs: null, closesAtMs: null, nowPlaying: null })).toMatchObject({ endsAt: null, closesAt: null, nowPlaying: null });
  });
});

describe('display width', () => {
  it('counts CJK and fullwidth characters as two columns, combining marks as none', () => {
    expect(displayWidth('Amélie')).toBe(6);
    expect(displayWidth('Ame\u0301lie')).toBe(6);
    expect(displayWidth('千与千寻')).toBe(8);
    expect(displayWidth('ＡＢ')).toBe(4);
    expect(displayWidth('한국')).toBe(4);
    expect(truncateDisplay('千与千寻的电影', 7)).toBe('千与千…');
    expect(displayWidth(truncateDisplay('千与千寻的电影', 7))).toBeLessThanOrEqual(7);
  });

  it('lines up columns under CJK titles', () => {
    const table = columns([
      ['21:00:00', '我的电影', 're-encode'],
      ['22:30:00', 'Amélie', 're-encode'],
    ]).split('\n');
    expect(displayWidth(table[0]!.slice(0, table[0]!.indexOf('re-encode')))).toBe(displayWidth(table[1]!.slice(0, table[1]!.indexOf('re-encode'))));
  });
});
