import { clampLine } from './safe-text.js';
import type { LogFields, LogLevel, Logger } from './logger.js';

/** Lines about one peer's connection (the `peer` field set) allowed per second on average, and in one burst. */
export const PEER_LOG_LINES_PER_SECOND = 20;
export const PEER_LOG_BURST = 200;
/** How often a line says how many peer lines were left out. */
const SUPPRESSED_REPORT_MS = 10_000;

/**
 * Bounds what strangers can make the server log. Every line is cut to LOG_LINE_MAX_CHARS; lines caused by a peer
 * (those with a `peer` field: a connection opened, refused, closed for bad input) pass a token bucket, so a flood of
 * connections costs a few lines a second and a count, not a log file that grows without bound. Lines about the
 * server itself (publish, playout, errors of ours) always pass.
 */
export function limitPeerLines(inner: Logger, now: () => number = () => performance.now()): Logger {
  let tokens = PEER_LOG_BURST;
  let refilledAt = now();
  let suppressed = 0;
  let reportedAt = refilledAt;
  return {
    log(level: LogLevel, message: string, fields?: LogFields): void {
      if (fields?.peer !== undefined && level !== 'error') {
        const t = now();
        tokens = Math.min(PEER_LOG_BURST, tokens + ((t - refilledAt) / 1000) * PEER_LOG_LINES_PER_SECOND);
        refilledAt = t;
        if (suppressed > 0 && t - reportedAt >= SUPPRESSED_REPORT_MS) {
          inner.log('warn', `${suppressed} log lines about connections were left out in the last ${Math.round((t - reportedAt) / 1000)} s (more than ${PEER_LOG_LINES_PER_SECOND} a second)`, {
            event: 'log-suppressed',
            suppressed,
          });
          suppressed = 0;
          reportedAt = t;
        }
        if (tokens < 1) {
          if (level === 'debug') return;
          if (suppressed === 0) reportedAt = t;
          suppressed++;
          return;
        }
        // Debug lines (printed only with --verbose) pass while there is room, without spending it.
        if (level !== 'debug') tokens--;
      }
      inner.log(level, clampLine(message), fields);
    },
  };
}
