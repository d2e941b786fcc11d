import type { ChannelHub } from '../media/channel-hub.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { AccessGate } from './access/access-gate.js';
import type { BufferBudget } from './buffer-budget.js';
import type { JoinRests } from './join-rests.js';
import type { RtmpReplies } from './rtmp-replies.js';
import type { ViewerBacklog } from './viewer-backlog.js';
import type { ServerLimits } from './limits.js';
import type { HlsStreams } from './hls-streams.js';

export { DEFAULT_HANDSHAKE_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, type ServerLimits } from './limits.js';

/** What every session of one server shares. One per KayakServer: nothing here is module-level. */
export interface ServerContext {
  readonly app: string;
  readonly hub: ChannelHub;
  readonly clock: Clock;
  /** Lines with a `peer` field are rate-limited, every line is cut to a bounded length (see log-limiter.ts). */
  readonly logger: Logger;
  readonly limits: ServerLimits;
  /** Unfinished incoming messages of non-publishing connections, server-wide. */
  readonly buffered: BufferBudget;
  /** Bytes waiting in viewers' own queues, server-wide. */
  readonly backlog: ViewerBacklog;
  /** Joiners' GOPs wait here while others join (see join-rests.ts). */
  readonly joinRests: JoinRests;
  /** The connect and play replies every RTMP player gets, chunked once and shared. */
  readonly rtmpReplies: RtmpReplies;
  /** Who may publish and watch, and admission: every session asks it before it attaches. */
  readonly access: AccessGate;
  /** The admin API's bearer token. */
  readonly adminToken: string;
  /** Each channel's HLS segmenter, started on demand. */
  readonly hls: HlsStreams;
  /** `--overflow`: where viewers a full room cannot take are sent (a template: see overflow.ts). */
  readonly overflow?: string;
  nextId(prefix: string): string;
}
