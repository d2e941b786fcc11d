import { columns } from '../util/display-width.js';

/** Human units for the status table, the dashboard and log lines: below both the CLI and the UI. */
export function formatBitrate(bitsPerSecond: number): string {
  if (bitsPerSecond >= 1_000_000) return `${(bitsPerSecond / 1_000_000).toFixed(2)} Mb/s`;
  if (bitsPerSecond >= 1_000) return `${(bitsPerSecond / 1_000).toFixed(0)} kb/s`;
  return `${bitsPerSecond} b/s`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(rest).padStart(2, '0')}s`;
  return `${rest}s`;
}

/** Left-aligned text columns, padded to the widest cell by display width (CJK titles take two columns a character). */
export const table = columns;

/** `max-viewers 3, publish-not-allowed 1`, most first; '' when nothing was refused. */
export function formatRefusals(refusals: Record<string, number> | undefined): string {
  return Object.entries(refusals ?? {})
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
}

/** A push target's state in a few words: `live 2.50 Mb/s`, `retrying in 4 s (ECONNREFUSED)`, `connecting`. */
export function formatRelayState(relay: { state: string; bitrate: number; retryAt: string | null; lastError: string | null }, now = Date.now()): string {
  if (relay.state === 'live') return `live ${formatBitrate(relay.bitrate)}`;
  if (relay.state === 'retrying') {
    const inS = relay.retryAt === null ? 0 : Math.max(0, Math.ceil((Date.parse(relay.retryAt) - now) / 1000));
    return `retrying in ${inS} s${relay.lastError !== null ? ` (${relay.lastError})` : ''}`;
  }
  return relay.state;
}
