import { render } from 'ink-testing-library';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import chalk from 'chalk';
import { cleanup } from 'ink-testing-library';
import { DashboardView } from '../../../src/ui/dashboard-view.js';
import { NOW, emptySnapshot, oneStreamWithViewers, scheduleStatus, share, state } from './fixtures.js';

function frame(element: React.ReactElement): string[] {
  const { lastFrame } = render(element);
  return (lastFrame() ?? '').split('\n');
}

describe('DashboardView', () => {
  beforeAll(() => {
    chalk.level = 0;
  });
  afterEach(() => cleanup());

  it('shows an empty server: version, uptime, where to publish, no streams, the process', () => {
    const lines = frame(<DashboardView state={state(emptySnapshot(), { events: [] })} share={share} columns={80} rows={24} />);
    const text = lines.join('\n');
    expect(text).toContain('kayak-cast 0.1.0');
    expect(text).toContain('up 5m00s');
    expect(text).toContain('rtmp://192.168.1.20:1935/live/<key>');
    expect(text).toContain('no streams yet');
    expect(text).toContain('Viewers 0');
    expect(text).toContain('RSS 52.0 MiB');
    expect(text).toContain('heap 11.0 MiB');
    expect(text).toContain('CPU 1.5%');
    expect(text).toContain('nothing yet');
    expect(lines.length).toBeLessThan(24);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('lists each stream\'s push targets under it, live or retrying, and still fits the terminal', () => {
    const snapshot = oneStreamWithViewers(12);
    const stream = snapshot.streams[0]!;
    const since = new Date(NOW).toISOString();
    stream.relays = [
      { url: 'rtmp://edge.example.net/live/mov…', state: 'live', retryAt: null, retries: 0, lastError: null, bytesSent: 9e6, bitrate: 2_500_000, droppedFrames: 0, since },
      { url: 'rtmps://a.rtmp.youtube.com/live2/abc…', state: 'retrying', retryAt: new Date(NOW + 4_000).toISOString(), retries: 3, lastError: 'ECONNREFUSED', bytesSent: 0, bitrate: 0, droppedFrames: 0, since },
    ];
    const lines = frame(<DashboardView state={state(snapshot)} share={share} columns={100} rows={30} />);
    const text = lines.join('\n');
    expect(text).toContain('↳ push rtmp://edge.example.net/live/mov…  live 2.50 Mb/s');
    expect(text).toMatch(/↳ push rtmps:\/\/a\.rtmp\.youtube\.com\/live2\/abc… {2}retrying in \d s \(ECONNREFUSED\)/);
    expect(lines.length).toBeLessThan(30);
  });

  it('shows the refusals: by reason beside the process when wide, their total when not', () => {
    const snapshot = emptySnapshot();
    snapshot.access = {
      privateShow: false,
      publishSecret: true,
      publishAllow: ['127.0.0.0/8'],
      limits: { maxViewers: 2, maxBandwidth: null, maxConnectionsPerIp: 20, maxConnections: null },
      refusals: { 'publish-not-allowed': 1, 'max-viewers': 3 },
      overflowed: 0,
      committedBandwidth: 0,
    };
    const wide = frame(<DashboardView state={state(snapshot)} share={share} columns={140} rows={30} />).join('\n');
    expect(wide).toMatch(/Refused\s+max-viewers 3, publish-not-allowed 1/);
    const narrow = frame(<DashboardView state={state(snapshot)} share={share} columns={80} rows={24} />);
    expect(narrow.join('\n')).toContain('refused 4');
    expect(narrow.length).toBeLessThan(24);
  });

  it('shows one stream with viewers newest first, trimmed to fit 80x24, with the sparklines', () => {
    const lines = frame(<DashboardView state={state(oneStreamWithViewers(12))} share={share} columns={80} rows={24} />);
    const text = lines.join('\n');
    expect(text).toContain('rtmp://192.168.1.20:1935/live/movie-night');
    expect(text).toContain('http://192.168.1.20:8000/live/movie-night.flv');
    expect(text).toMatch(/movie-night\s+192\.168\.1\.30:50122\s+H\.264 1280x720 30\s+2\.50 Mb\/s\s+1\/10\/0\/1\s+30\.00 Mb\/s/);
    expect(text).toContain('http://192.168.1.20:8000/live/movie-night.m3u8');
    expect(text).toContain('Viewers 12');
    // Newest first: v0 joined last.
    expect(text.indexOf('192.168.1.100:40000')).toBeLessThan(text.indexOf('192.168.1.101:40001'));
    expect(text).toMatch(/\+\d+ more/);
    expect(text).not.toContain('192.168.1.111:40011');
    expect(text).toMatch(/out 60s\s+▅+█+ 5\.00 Mb\/s/);
    expect(text).toMatch(/viewers\s+▅+█+ 2/);
    expect(text).toContain('fell behind');
    expect(lines.length).toBeLessThan(24);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('counts down to the show before it starts', () => {
    const snapshot = oneStreamWithViewers(1);
    snapshot.schedule = scheduleStatus({
      state: 'pre-show',
      startsAt: new Date(NOW + 754_000).toISOString(),
      nowPlaying: { title: 'Pre-show', startedAt: new Date(NOW - 5000).toISOString(), positionS: 5, durationS: 10, kind: 'pre-show' },
    });
    const text = frame(<DashboardView state={state(snapshot)} share={share} columns={80} rows={24} />).join('\n');
    expect(text).toContain('Schedule pre-show');
    expect(text).toContain('Starts in 12:34');
    expect(text).toContain('Next 21:45:00  Intermission');
    expect(text).toContain('Next 23:30:30  Credits Reel');
    expect(text).not.toContain('Now ');
  });

  it('shows what plays now with a progress bar, elapsed and remaining, the mode and ffmpeg restarts', () => {
    const snapshot = oneStreamWithViewers(2);
    snapshot.schedule = scheduleStatus({
      mode: 'copy',
      ffmpegRestarts: 2,
      nowPlaying: { title: 'The Feature', file: '/movies/feature.mp4', startedAt: new Date(NOW - 1800_000).toISOString(), positionS: 1800, durationS: 5400, kind: 'item' },
    });
    const lines = frame(<DashboardView state={state(snapshot)} share={share} columns={80} rows={24} />);
    const text = lines.join('\n');
    expect(text).toContain('Schedule playing  copy  ffmpeg restarts 2');
    expect(text).toContain('Now The Feature');
    expect(text).toMatch(/(█+)(░+) 30:00 \/ -1:00:00/);
    const bar = /(█+)(░+) 30:00/.exec(text);
    const filled = bar?.[1]?.length ?? 0;
    const total = filled + (bar?.[2]?.length ?? 0);
    expect(Math.abs(filled / total - 1 / 3)).toBeLessThan(0.05);
    expect(text).toContain('Next 21:50:00  The Second Feature');
    expect(lines.length).toBeLessThan(24);
  });

  it('uses a compact layout on a narrow terminal', () => {
    const snapshot = oneStreamWithViewers(3);
    snapshot.schedule = scheduleStatus({
      nowPlaying: { title: 'The Feature', startedAt: new Date(NOW).toISOString(), positionS: 60, durationS: 600, kind: 'item' },
    });
    const lines = frame(<DashboardView state={state(snapshot)} share={share} columns={50} rows={24} />);
    const text = lines.join('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(50);
    expect(lines.length).toBeLessThan(24);
    expect(text).toContain('movie-night');
    expect(text).toContain('conn 4');
    expect(text).not.toContain('SOURCE');
    expect(text).toContain('Next 21:45:00  Intermission');
    expect(text).not.toContain('Credits Reel');
  });

  it('puts viewers and events side by side on a wide terminal', () => {
    const lines = frame(<DashboardView state={state(oneStreamWithViewers(4))} share={share} columns={160} rows={40} />);
    const row = lines.find((line) => line.includes('Viewers 4'));
    expect(row).toContain('Events');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(160);
  });

  it('shows the keys in help mode and asks before skipping', () => {
    const snapshot = oneStreamWithViewers(1);
    snapshot.schedule = scheduleStatus({});
    const help = frame(<DashboardView state={state(snapshot)} share={share} columns={80} rows={24} mode="help" canSkip />).join('\n');
    expect(help).toContain('skip to the next item (asks first)');
    const confirm = frame(<DashboardView state={state(snapshot)} share={share} columns={80} rows={24} mode="confirm-skip" canSkip />).join('\n');
    expect(confirm).toContain('Skip to the next item now? (y/n)');
  });
});
