import type { ChannelHub } from '../media/channel-hub.js';
import type { QueueLimits } from '../media/viewer-queue.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { HlsStreams } from './hls-streams.js';
import type { WriteBatcher } from './write-batcher.js';

/** A connection that has not finished the RTMP handshake by then is closed. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/** A connection with no traffic either way for this long is closed. */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

export interface ServerLimits {
  handshakeTimeoutMs: number;
  idleTimeoutMs: number;
  queue: QueueLimits;
}

/** What every session of one server shares. One per KayakServer: nothing here is module-level. */
export interface ServerContext {
  readonly app: string;
  readonly hub: ChannelHub;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly limits: ServerLimits;
  /** Batches viewers' writes (see write-batcher.ts). */
  readonly writeBatcher: WriteBatcher;
  /** Each channel's HLS segmenter, started on demand. */
  readonly hls: HlsStreams;
  nextId(prefix: string): string;
}
