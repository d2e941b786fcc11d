import { formatBitrate, formatBytes, formatDuration } from '../status/format.js';
import type { StatusSnapshot } from '../status/status-snapshot.js';
import type { Logger } from '../util/logger.js';
import { safeInterval } from '../util/safe-timer.js';

/** Without the dashboard, one summary line this often. */
export const SUMMARY_INTERVAL_MS = 30_000;

/** The one-line summary printed every 30 s without the dashboard. */
export function summaryLine(snapshot: StatusSnapshot): string {
  const out = snapshot.streams.reduce((sum, s) => sum + s.bitrateOut, 0);
  const parts = [
    `up ${formatDuration(snapshot.server.uptimeSeconds)}`,
    `${snapshot.streams.length} stream${snapshot.streams.length === 1 ? '' : 's'}`,
    `${snapshot.viewers.length} viewer${snapshot.viewers.length === 1 ? '' : 's'}`,
    `out ${formatBitrate(out)}`,
    `RSS ${formatBytes(snapshot.server.memory.rss)}`,
    `CPU ${snapshot.server.cpuPercent.toFixed(1)}%`,
  ];
  const playing = snapshot.schedule?.nowPlaying;
  if (playing) parts.push(`playing "${playing.title}" ${Math.round(playing.positionS)}/${Math.round(playing.durationS)} s`);
  return `summary: ${parts.join(', ')}`;
}

/** Logs the summary every SUMMARY_INTERVAL_MS until the returned function is called. */
export function startSummary(read: () => StatusSnapshot, logger: Logger, intervalMs = SUMMARY_INTERVAL_MS): () => void {
  return safeInterval('the summary line', intervalMs, () => {
    const snapshot = read();
    logger.log('info', summaryLine(snapshot), {
      event: 'summary',
      streams: snapshot.streams.length,
      viewers: snapshot.viewers.length,
      rss: snapshot.server.memory.rss,
      cpuPercent: snapshot.server.cpuPercent,
    });
  }, logger);
}
