import type { DashboardState, ShareInfo } from '../../../src/ui/dashboard-state.js';
import { type ScheduleStatus, STATUS_VERSION, type StatusSnapshot, type StreamStatus, type ViewerStatus } from '../../../src/status/status-snapshot.js';

/** Fixed snapshots for the dashboard's render tests: 2026-11-23 21:00:00 UTC, server up 5 minutes. */
export const NOW = Date.parse('2026-11-23T21:00:00.000Z');

export const share: ShareInfo = {
  publishUrl: 'rtmp://192.168.1.20:1935/live/<key>',
  streamUrls: (path) => ({ rtmp: `rtmp://192.168.1.20:1935/${path}`, flv: `http://192.168.1.20:8000/${path}.flv`, hls: `http://192.168.1.20:8000/${path}.m3u8` }),
};

export function emptySnapshot(): StatusSnapshot {
  return {
    version: STATUS_VERSION,
    view: 'full',
    server: {
      version: '0.1.0',
      pid: 4242,
      startedAt: new Date(NOW - 300_000).toISOString(),
      uptimeSeconds: 300,
      memory: { rss: 52 * 1024 * 1024, heapUsed: 11 * 1024 * 1024, heapTotal: 20 * 1024 * 1024 },
      cpuPercent: 1.5,
      rtmpPort: 1935,
      httpPort: 8000,
      app: 'live',
      connections: 0,
      connectionCap: 4096,
      connectionsRefused: 0,
    },
    streams: [],
    viewers: [],
  };
}

export function movieStream(viewers: number): StreamStatus {
  return {
    app: 'live',
    key: 'movie-night',
    path: 'live/movie-night',
    state: 'live',
    publisher: { address: '192.168.1.30:50122', protocol: 'rtmp', since: new Date(NOW - 120_000).toISOString() },
    since: new Date(NOW - 120_000).toISOString(),
    video: { codec: 'H.264', width: 1280, height: 720, fps: 30 },
    audio: { codec: 'AAC', sampleRate: 48000, channels: 2 },
    bitrateIn: 2_500_000,
    bitrateOut: viewers * 2_500_000,
    viewers: { rtmp: 1, 'http-flv': viewers - 2, 'ws-flv': 0, hls: 1, total: viewers },
    relays: [],
  };
}

export function viewer(i: number): ViewerStatus {
  return {
    id: `v${i}`,
    path: 'live/movie-night',
    protocol: i % 2 === 0 ? 'rtmp' : 'http-flv',
    remoteAddress: `192.168.1.${100 + i}:${40000 + i}`,
    since: new Date(NOW - (i + 1) * 61_000).toISOString(),
    bytesSent: (i + 1) * 3_000_000,
    droppedFrames: i === 1 ? 7 : 0,
  };
}

export function state(snapshot: StatusSnapshot, extra: Partial<DashboardState> = {}): DashboardState {
  return {
    snapshot,
    history: { bitrateOut: Array.from({ length: 60 }, (_, i) => (i < 30 ? 2_500_000 : 5_000_000)), viewers: Array.from({ length: 60 }, (_, i) => (i < 30 ? 1 : 2)) },
    events: [
      { at: NOW - 2000, level: 'info', message: 'http-flv 192.168.1.101:40001 playing live/movie-night (viewer v1)' },
      { at: NOW - 5000, level: 'warn', message: 'http-flv 192.168.1.99:40000 fell behind: disconnected' },
      { at: NOW - 9000, level: 'info', message: 'publish live/movie-night from 192.168.1.30', kind: 'publish' },
    ],
    now: NOW,
    ...extra,
  };
}

export function oneStreamWithViewers(count: number): StatusSnapshot {
  const snapshot = emptySnapshot();
  snapshot.streams = [movieStream(count)];
  snapshot.viewers = Array.from({ length: count }, (_, i) => viewer(i));
  snapshot.server.connections = count + 1;
  return snapshot;
}

export function scheduleStatus(overrides: Partial<ScheduleStatus>): ScheduleStatus {
  return {
    state: 'playing',
    playlist: 'playlists/friday.yaml',
    stream: 'friday',
    mode: 're-encode',
    timeZone: 'UTC',
    startsAt: new Date(NOW - 600_000).toISOString(),
    endsAt: null,
    closesAt: null,
    nowPlaying: null,
    next: [
      { title: 'Intermission', startsAt: '2026-11-23T21:45:00.000+00:00' },
      { title: 'The Second Feature', startsAt: '2026-11-23T21:50:00.000+00:00' },
      { title: 'Credits Reel', startsAt: '2026-11-23T23:30:30.000+00:00' },
    ],
    ffmpegRestarts: 0,
    incidents: 0,
    ...overrides,
  };
}
