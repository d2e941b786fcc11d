import chalk from 'chalk';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LoggedEvent } from '../../../src/status/event-log.js';
import { displayWidth } from '../../../src/util/display-width.js';
import { type DashboardMode, DashboardView } from '../../../src/ui/dashboard-view.js';
import { NOW, oneStreamWithViewers, scheduleStatus, share, state } from './fixtures.js';

/**
 * The dashboard never draws a frame as tall as the terminal (Ink would switch to its full-screen redraw, and switching
 * back left a stale header above the live one at 120x40), and CJK titles take two columns a character.
 */
function lines(element: React.ReactElement): string[] {
  const { lastFrame } = render(element);
  return (lastFrame() ?? '').split('\n');
}

const MANY_EVENTS: LoggedEvent[] = Array.from({ length: 40 }, (_, i) => ({ at: NOW - i * 1000, level: 'info', message: `event ${i}: http-flv 192.168.1.${i}:40000 playing live/movie-night` }));

describe('dashboard size', () => {
  beforeAll(() => {
    chalk.level = 0;
  });
  afterEach(() => cleanup());

  const sizes = [
    [80, 24],
    [100, 30],
    [120, 40],
    [50, 24],
    [160, 40],
    [200, 60],
  ] as const;
  const modes: DashboardMode[] = ['normal', 'confirm-skip', 'help'];

  for (const [columns, rows] of sizes) {
    it(`stays shorter than a ${columns}x${rows} terminal in every mode, with everything on screen at once`, () => {
      const snapshot = oneStreamWithViewers(14);
      snapshot.schedule = scheduleStatus({
        ffmpegRestarts: 3,
        nowPlaying: { title: '千与千寻 (Spirited Away)', startedAt: new Date(NOW - 60_000).toISOString(), positionS: 60, durationS: 7500, kind: 'unavailable' },
      });
      for (const mode of modes) {
        const frame = lines(<DashboardView state={state(snapshot, { events: MANY_EVENTS })} share={share} columns={columns} rows={rows} mode={mode} canSkip />);
        expect(frame.length, `${mode}:\n${frame.join('\n')}`).toBeLessThan(rows);
        for (const line of frame) expect(displayWidth(line), line).toBeLessThanOrEqual(columns);
      }
    });
  }

  it('lines up CJK titles by display width and shows the real next times as HH:MM:SS', () => {
    const snapshot = oneStreamWithViewers(1);
    snapshot.schedule = scheduleStatus({
      next: [
        { title: '我的电影', startsAt: '2026-11-23T22:08:00.000+01:00' },
        { title: 'Amélie', startsAt: '2026-11-23T23:00:05.000+01:00' },
      ],
    });
    const text = lines(<DashboardView state={state(snapshot)} share={share} columns={80} rows={30} />).join('\n');
    expect(text).toContain('Next 22:08:00  我的电影');
    expect(text).toContain('Next 23:00:05  Amélie');
    expect(text).not.toMatch(/Next: nothing more/);
  });
});
