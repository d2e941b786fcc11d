import { UserError } from '../../errors.js';
import type { StatusSnapshot } from '../../status/status-snapshot.js';
import { findRunningServer } from '../runtime-file.js';
import { renderStatus } from '../status-table.js';

/** Exit code when no server can be reached: scripts can tell "not running" from other failures. */
export const EXIT_NO_SERVER = 3;

export interface StatusOptions {
  url?: string;
  json: boolean;
}

/** `kayak-cast status`: asks a running server what it is doing. */
export async function status(options: StatusOptions): Promise<number> {
  const base = options.url ?? localServerUrl();
  const snapshot = await fetchSnapshot(base);
  console.log(options.json ? JSON.stringify(snapshot, null, 2) : renderStatus(snapshot));
  return 0;
}

function localServerUrl(): string {
  const running = findRunningServer();
  if (running === undefined) {
    throw new UserError('no kayak-cast server is running on this machine', 'start one with `kayak-cast serve`, or pass --url http://host:8000', EXIT_NO_SERVER);
  }
  const host = running.host === '0.0.0.0' || running.host === '::' ? '127.0.0.1' : running.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${running.httpPort}`;
}

async function fetchSnapshot(base: string): Promise<StatusSnapshot> {
  let url: URL;
  try {
    url = new URL('/api/status', base);
  } catch {
    throw new UserError(`'${base}' is not a URL`, 'pass it like --url http://192.168.1.10:8000');
  }
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  } catch {
    throw new UserError(`no kayak-cast server answers at ${base}`, 'check the address and port, or start one with `kayak-cast serve`', EXIT_NO_SERVER);
  }
  if (!response.ok) {
    throw new UserError(`${url.href} answered ${response.status}: is this a kayak-cast server?`, undefined, EXIT_NO_SERVER);
  }
  return (await response.json()) as StatusSnapshot;
}
