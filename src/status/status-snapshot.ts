/**
 * The one shape of "what the server is doing": served as JSON by /api/status, printed by `kayak-cast status`,
 * rendered by the dashboard. Times are ISO-8601 strings, rates are bits per second, sizes are bytes.
 */
import type { AudioInfo, VideoInfo } from '../media/stream-info.js';
import type { ViewerProtocol } from '../media/viewer.js';
import type { ScheduleStatus } from './schedule-status.js';

export type { ViewerProtocol };

export interface ServerStatus {
  version: string;
  pid: number;
  startedAt: string;
  uptimeSeconds: number;
  memory: { rss: number; heapUsed: number; heapTotal: number };
  /** Process CPU over the last sampling interval, in percent of one core. */
  cpuPercent: number;
  rtmpPort: number;
  httpPort: number;
  app: string;
  connections: number;
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
  publisher: { address: string; protocol: 'rtmp' | 'playout'; since: string } | null;
  since: string;
  video: VideoStatus | null;
  audio: AudioStatus | null;
  /** Incoming media bitrate averaged over the last 5 s. */
  bitrateIn: number;
  /** Outgoing bitrate to all viewers, averaged over the last 5 s. */
  bitrateOut: number;
  viewers: Record<ViewerProtocol, number> & { total: number };
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

export type { ScheduleStatus };

export interface StatusSnapshot {
  server: ServerStatus;
  streams: StreamStatus[];
  viewers: ViewerStatus[];
  /** Present while `kayak-cast schedule` plays a playlist. */
  schedule?: ScheduleStatus;
}
