import { type ServerEndpoint, resolveEndpoint } from '../admin-client.js';
import { startDashboard } from '../dashboard.js';
import { RemoteStatus } from '../remote-status.js';
import { type SharePorts, streamUrls } from '../share-urls.js';
import { type ShutdownSignals, whenStopped } from '../shutdown.js';
import { UserError } from '../../errors.js';
import { honourNoColor } from '../console-output.js';

export interface DashboardOptions {
  url?: string;
  token?: string;
}

/**
 * `kayak-cast dashboard [--url http://host:8000] [--token T]`: the live dashboard of a server running elsewhere (a
 * service on a VPS, reached over an SSH tunnel or with the admin token). q leaves it; the server keeps running.
 */
export async function dashboard(options: DashboardOptions, shutdown: ShutdownSignals): Promise<number> {
  const stop = shutdown.claim();
  if (process.stdout.isTTY !== true) throw new UserError('the dashboard needs a terminal', 'use `kayak-cast status` (or --json) in scripts');
  honourNoColor();
  const endpoint = resolveEndpoint(options);
  const remote = await RemoteStatus.attach(endpoint);
  const handle = await startDashboard(remote.read, shareOf(endpoint, remote), {
    skip: () => remote.act('skip', '/api/skip'),
    kick: (id) => remote.act(`kick ${id}`, `/api/viewers/${encodeURIComponent(id)}/kick`),
    stopServer: () => remote.act('stop the server', '/api/shutdown'),
  });
  await Promise.race([handle.quit, whenStopped(stop)]);
  handle.stop();
  remote.stop();
  return 0;
}

/** The URLs the header shows: the server's ports, under the host the dashboard reached it by. */
function shareOf(endpoint: ServerEndpoint, remote: RemoteStatus) {
  const host = endpoint.base.hostname.replace(/^\[(.*)\]$/, '$1');
  const ports = (): SharePorts => {
    const { server } = remote.read().snapshot;
    return { rtmp: server.rtmpPort, http: server.httpPort, ...(server.tls ? { tls: true, rtmps: server.rtmpsPort ?? 0 } : {}) };
  };
  return {
    get publishUrl() {
      const { server } = remote.read().snapshot;
      return `rtmp://${host.includes(':') ? `[${host}]` : host}:${server.rtmpPort}/${server.app}/<key>`;
    },
    streamUrls: (path: string) => streamUrls(host, ports(), path, remote.read().snapshot.access?.privateShow ? 'sign=<redacted>' : ''),
  };
}
