/**
 * The one shape of "what the server is doing": served as JSON by /api/status, printed by `kayak-cast status`,
 * rendered by the dashboard (in the same process or attached to a server elsewhere). This file is the contract between
 * the server and whatever shows it: change a field's meaning, or remove one, and STATUS_VERSION goes up; adding a
 * field does not. Times are ISO-8601 strings, rates are bits per second, sizes are bytes.
 */
import type { AudioInfo, VideoInfo } from '../media/stream-info.js';
import type { ViewerProtocol } from '../media/viewer.js';
import type { ScheduleState, ScheduleStatus } from './schedule-status.js';

export type { ViewerProtocol };

/**
 * The version of this shape; a reader that knows another version says so instead of showing nonsense. 2: the schedule's
 * times are ISO 8601 with the playlist's offset (`next[].startsAt` was `22:08`), with timeZone, endsAt, closesAt and
 * incidents added.
 */
export const STATUS_VERSION = 2;

export interface ServerStatus {
  version: string;
  pid: number;
  startedAt: string;
  uptimeSeconds: number;
  /** `arrayBuffers`: bytes of Buffers outside the JS heap (media packets, socket reads), part of `rss`. */
  memory: { rss: number; heapUsed: number; heapTotal: number; arrayBuffers?: number };
  /** Process CPU over the last sampling interval, in percent of one core. */
  cpuPercent: number;
  rtmpPort: number;
  httpPort: number;
  /** RTMPS port; absent without TLS. */
  rtmpsPort?: number;
  /** True when the HTTP port speaks HTTPS. */
  tls?: boolean;
  app: string;
  /** Open connections, RTMP and HTTP together. */
  connections: number;
  /** The most connections the server keeps open (--max-connections, fitted to the file-descriptor limit). */
  connectionCap: number;
  /** Connections closed at once because the cap was reached, since the server started. */
  connectionsRefused: number;
  /** Bytes waiting in viewers' own queues (beyond their sockets), counted once per viewer, and the server's budget. */
  viewerBacklog?: { bytes: number; limit: number };
}

export type VideoStatus = VideoInfo;
export type AudioStatus = AudioInfo;

export interface StreamStatus {
  app: string;
  key: string;
  /** `app/key`, the stream's name in URLs. */
  path: string;
  /** `live`: a publisher is sending; `grace`: the publisher left and viewers wait for it to come back. */
  state: 'live' | 'grace';
  /** `address` is null in the public view (callers that are neither local nor hold the admin token). */
  publisher: { address: string | null; protocol: 'rtmp' | 'playout'; since: string } | null;
  since: string;
  video: VideoStatus | null;
  audio: AudioStatus | null;
  /** Incoming media bitrate averaged over the last 5 s. */
  bitrateIn: number;
  /** Outgoing bitrate to all viewers, averaged over the last 5 s. */
  bitrateOut: number;
  /** Connected viewers by protocol, plus `hls`: distinct HLS clients seen in the last 10 s (a caching proxy counts once). */
  viewers: Record<ViewerProtocol, number> & { hls: number; total: number };
  /** Push targets of this stream (`--push`); empty in the public view. */
  relays: RelayStatus[];
}

/** One push target of a stream (`--push`): another RTMP server the stream is published to. */
export interface RelayStatus {
  /** The target with its stream key and query redacted. */
  url: string;
  state: 'connecting' | 'live' | 'retrying' | 'closed';
  /** When the next attempt is due, while retrying. */
  retryAt: string | null;
  retries: number;
  lastError: string | null;
  bytesSent: number;
  /** Bits per second sent over the last 5 s. */
  bitrate: number;
  /** Video frames skipped because the target could not keep up. */
  droppedFrames: number;
  /** When the current state began. */
  since: string;
}

export interface ViewerStatus {
  id: string;
  path: string;
  protocol: ViewerProtocol;
  remoteAddress: string;
  since: string;
  bytesSent: number;
  droppedFrames: number;
}

/** What a scheduled playout is doing: owned by ./schedule-status.ts (times there are ISO 8601 with the playlist's offset). */
export type { ScheduleState, ScheduleStatus };

/** Who may publish and watch, the admission limits (null: no limit), and how often the server said no, by reason. */
export interface AccessStatus {
  /** A play secret is set: every play path needs it or a signed link. */
  privateShow: boolean;
  /** A publish secret is set (publishers outside publishAllow may present it). */
  publishSecret: boolean;
  /** Networks that may publish without the secret; empty for none. */
  publishAllow: string[];
  limits: { maxViewers: number | null; maxBandwidth: number | null; maxConnectionsPerIp: number | null; maxConnections: number | null };
  /** Refusals since the start, by reason (publish-not-allowed, wrong-secret, max-viewers, ...). */
  refusals: Record<string, number>;
  /** Viewers a full room sent to the overflow edge (`--overflow`) instead of refusing them (counted in refusals too). */
  overflowed: number;
  /** What the admission budget counts as sent now (bits per second). */
  committedBandwidth: number;
}

export interface StatusSnapshot {
  /** STATUS_VERSION of the server that made it. */
  version: number;
  /** `full`: addresses included (a local caller or the admin token); `public`: counts only, no addresses. */
  view: 'full' | 'public';
  server: ServerStatus;
  streams: StreamStatus[];
  /** Empty in the public view: `streams[].viewers` has the counts. */
  viewers: ViewerStatus[];
  /** Present while `kayak-cast schedule` plays a playlist. */
  schedule?: ScheduleStatus;
  access?: AccessStatus;
}

/** What anyone may see: the same snapshot without a single address (viewers, publishers, networks). */
export function publicView(snapshot: StatusSnapshot): StatusSnapshot {
  const { access, ...rest } = snapshot;
  return {
    ...rest,
    view: 'public',
    streams: snapshot.streams.map((s) => ({ ...s, publisher: s.publisher === null ? null : { ...s.publisher, address: null }, relays: [] })),
    viewers: [],
    ...(access !== undefined ? { access: { ...access, publishAllow: [] } } : {}),
    // The file being played is a path on the host's disk: its title is enough for anyone else.
    ...(snapshot.schedule !== undefined ? { schedule: withoutFile(snapshot.schedule) } : {}),
  };
}

function withoutFile(schedule: ScheduleStatus): ScheduleStatus {
  if (schedule.nowPlaying === null || schedule.nowPlaying.file === undefined) return schedule;
  const { file: _file, ...nowPlaying } = schedule.nowPlaying;
  return { ...schedule, nowPlaying };
}
