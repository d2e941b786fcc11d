import { type QueueLimits, DEFAULT_QUEUE_LIMITS } from '../media/viewer-queue.js';

/**
 * Every resource a stranger can make the server hold, and its limit, in one place. Each has a test that crosses it
 * (test/integration/kayak-limits.test.ts and the unit tests beside the code that enforces it).
 */

/** A connection that has not finished the RTMP handshake by then is closed, however it trickles bytes. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/** A connection with no traffic either way for this long is closed. */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
/**
 * A message that has been arriving for this long without completing closes its connection: a peer trickling a
 * large message, kept alive by small complete messages in between, must not hold its bytes forever.
 */
export const DEFAULT_MESSAGE_DEADLINE_MS = 10_000;
/** A connection that has neither published nor started playing this long after its handshake is closed. */
export const DEFAULT_ROLE_DEADLINE_MS = 30_000;
/**
 * Largest message a connection may send before it is a publisher: commands are a few hundred bytes (connect,
 * createStream, publish, play). Only a publisher may send media messages up to MAX_MESSAGE_LENGTH.
 */
export const COMMAND_MAX_MESSAGE_LENGTH = 64 * 1024;
/**
 * Bytes of unfinished incoming messages all non-publishing connections may hold together; the connection whose
 * bytes would pass it is closed. Publishers (loopback or authenticated) are bounded by their own per-connection limit.
 */
export const DEFAULT_SERVER_BUFFERED_BYTES = 32 * 1024 * 1024;
/**
 * Replies (command results, status, pings) waiting to be sent to a connection that is not playing: a peer that sends
 * commands and never reads what comes back is closed past this.
 */
export const MAX_PENDING_REPLY_BYTES = 64 * 1024;
/**
 * Distinct replies kept (a connect's by transaction id and object encoding, a play's by stream id and path); past it
 * the kept ones are dropped and the count starts again. Ordinary clients ask in one or two ways, and a channel's
 * players share its play reply: a few dozen entries of a few hundred bytes. A client that asks in a new way each time
 * costs an encoding, as every reply did before they were kept (see rtmp-replies.ts).
 */
export const RTMP_REPLY_CACHE_MAX_ENTRIES = 256;
/**
 * Bytes all viewers together may hold in their own queues (what waits beyond each socket's buffer). Past it, a viewer
 * with more than VIEWER_QUEUE_RESUME_BYTES waiting skips to the next keyframe instead of queueing (see viewer-backlog.ts).
 */
export const DEFAULT_VIEWER_BACKLOG_BYTES = 32 * 1024 * 1024;
/** Total connections (RTMP and HTTP together) by default; lowered at start to fit the file-descriptor limit. */
export const DEFAULT_MAX_CONNECTIONS = 4096;
/**
 * File descriptors kept free of connections: the listening sockets, stdio, the runtime file, ffmpeg children's pipes,
 * the watch page's files. With `ulimit -n 256` that leaves 192 for connections.
 */
export const RESERVED_FILE_DESCRIPTORS = 64;
/** How often every RTMP connection's deadlines are checked (one timer for all of them). */
export const DEADLINE_SWEEP_MS = 1_000;
/** HTTP: the whole request head must arrive within this, however slowly it trickles (slow-loris). */
export const HTTP_HEADERS_TIMEOUT_MS = 10_000;
/** HTTP: the whole request (head and body) within this; answers (an endless FLV body) are not limited by it. */
export const HTTP_REQUEST_TIMEOUT_MS = 15_000;
/** HTTP: an idle keep-alive connection is closed after this. */
export const HTTP_KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** HTTP: a request head larger than this gets 431 (Node's default is 16 KiB; nothing we serve needs more). */
export const HTTP_MAX_HEADER_BYTES = 8 * 1024;
/** HTTP: requests answered on one keep-alive connection before it is closed. */
export const HTTP_MAX_REQUESTS_PER_SOCKET = 100;

export interface ServerLimits {
  handshakeTimeoutMs: number;
  idleTimeoutMs: number;
  messageDeadlineMs: number;
  roleDeadlineMs: number;
  /** Server-wide budget of unfinished incoming message bytes of non-publishing connections. */
  serverBufferedBytes: number;
  /** Server-wide budget of bytes waiting in viewers' own queues. */
  viewerBacklogBytes: number;
  /** Total connections, after fitting the file-descriptor limit. */
  maxConnections: number;
  queue: QueueLimits;
}

export const DEFAULT_LIMITS: Omit<ServerLimits, 'maxConnections'> = {
  handshakeTimeoutMs: DEFAULT_HANDSHAKE_TIMEOUT_MS,
  idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS,
  messageDeadlineMs: DEFAULT_MESSAGE_DEADLINE_MS,
  roleDeadlineMs: DEFAULT_ROLE_DEADLINE_MS,
  serverBufferedBytes: DEFAULT_SERVER_BUFFERED_BYTES,
  viewerBacklogBytes: DEFAULT_VIEWER_BACKLOG_BYTES,
  queue: DEFAULT_QUEUE_LIMITS,
};

/**
 * The connection cap that fits the process's file-descriptor limit: the requested cap, or less when `ulimit -n`
 * minus RESERVED_FILE_DESCRIPTORS is lower. `limitedBy` says which, for the start-up line.
 */
export function fitConnectionCap(requested: number, fileLimit: number | undefined): { cap: number; limitedBy?: number } {
  if (fileLimit === undefined || !Number.isFinite(fileLimit)) return { cap: requested };
  const room = Math.max(1, fileLimit - RESERVED_FILE_DESCRIPTORS);
  return room < requested ? { cap: room, limitedBy: fileLimit } : { cap: requested };
}
