import { describe, expect, it } from 'vitest';
import { EVENT_LOG_CAPACITY, EventLog } from '../../../src/status/event-log.js';
import { HISTORY_SAMPLES, History } from '../../../src/status/history.js';
import { JsonLineLogger } from '../../../src/cli/line-logger.js';
import { summaryLine } from '../../../src/cli/log-summary.js';
import { sparkline } from '../../../src/ui/sparkline.js';
import { progressBar } from '../../../src/ui/progress-bar.js';
import { layoutFor } from '../../../src/ui/layout.js';
import { oneStreamWithViewers, scheduleStatus } from './fixtures.js';

describe('EventLog', () => {
  it('keeps the newest events first and never more than its capacity', () => {
    let t = 0;
    const log = new EventLog(3, () => ++t);
    for (let i = 1; i <= 5; i++) log.add('info', `e${i}`);
    expect(log.size).toBe(3);
    expect(log.recent().map((e) => e.message)).toEqual(['e5', 'e4', 'e3']);
    expect(log.recent(2).map((e) => e.message)).toEqual(['e5', 'e4']);
    expect(new EventLog().capacity).toBe(EVENT_LOG_CAPACITY);
    expect(() => new EventLog(0)).toThrow(RangeError);
  });

  it('tees info, warn and error lines (with their event kind) and passes every line on', () => {
    const log = new EventLog(10);
    const passed: string[] = [];
    const logger = log.tee({ log: (level, message) => passed.push(`${level}:${message}`) });
    logger.log('debug', 'noise');
    logger.log('info', 'publish live/a', { event: 'publish' });
    logger.log('warn', 'slow');
    logger.log('error', 'broke');
    expect(passed).toEqual(['debug:noise', 'info:publish live/a', 'warn:slow', 'error:broke']);
    expect(log.recent().map((e) => [e.level, e.message, e.kind])).toEqual([
      ['error', 'broke', undefined],
      ['warn', 'slow', undefined],
      ['info', 'publish live/a', 'publish'],
    ]);
  });
});

describe('History', () => {
  it('keeps the last 60 samples, oldest first', () => {
    const history = new History();
    for (let i = 0; i < HISTORY_SAMPLES + 5; i++) history.record(i * 1000, i);
    const series = history.series();
    expect(series.bitrateOut).toHaveLength(HISTORY_SAMPLES);
    expect(series.viewers[0]).toBe(5);
    expect(series.viewers.at(-1)).toBe(HISTORY_SAMPLES + 4);
    series.viewers.push(-1);
    expect(history.series().viewers).toHaveLength(HISTORY_SAMPLES);
  });
});

describe('plain and JSON output', () => {
  it('prints one JSON object a line, honouring the minimum level', () => {
    const lines: string[] = [];
    const logger = new JsonLineLogger('info', (line) => lines.push(line));
    logger.log('debug', 'hidden');
    logger.log('warn', 'viewer fell behind', { viewer: 'v1', level: 'spoofed' });
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(parsed).toMatchObject({ level: 'warn', message: 'viewer fell behind', viewer: 'v1' });
    expect(typeof parsed.time).toBe('string');
  });

  it('summarises a snapshot on one line', () => {
    const snapshot = oneStreamWithViewers(2);
    snapshot.schedule = scheduleStatus({ nowPlaying: { title: 'Feature', startedAt: '', positionS: 61.2, durationS: 600, kind: 'item' } });
    const line = summaryLine(snapshot);
    expect(line).toBe('summary: up 5m00s, 1 stream, 2 viewers, out 5.00 Mb/s, RSS 52.0 MiB, CPU 1.5%, playing "Feature" 61/600 s');
    expect(line).not.toContain('\n');
  });
});

describe('drawing helpers', () => {
  it('draws sparklines scaled to their maximum, padded on the left', () => {
    expect(sparkline([0, 0, 0], 3)).toBe('▁▁▁');
    expect(sparkline([1, 2, 4, 8], 4)).toBe('▂▃▅█');
    expect(sparkline([8], 3)).toBe('  █');
    expect(sparkline([1, 2, 3, 4, 5], 2)).toBe('▇█');
  });

  it('draws progress bars clamped to 0..1', () => {
    expect(progressBar(0.5, 10)).toBe('█████░░░░░');
    expect(progressBar(2, 4)).toBe('████');
    expect(progressBar(Number.NaN, 4)).toBe('░░░░');
  });

  it('gives the lists what the fixed sections leave', () => {
    expect(layoutFor(80, 24, 1, false)).toMatchObject({ compact: false, wide: false, viewerRows: 4, eventRows: 3, extraUrls: true });
    // Scheduling on 24 rows: the HLS and browser URL lines make way for the lists.
    expect(layoutFor(80, 24, 1, true)).toMatchObject({ viewerRows: 1, eventRows: 1, extraUrls: false });
    expect(layoutFor(120, 40, 1, true)).toMatchObject({ extraUrls: true });
    expect(layoutFor(60, 24, 1, false).compact).toBe(true);
    expect(layoutFor(160, 40, 1, false).wide).toBe(true);
  });
});
