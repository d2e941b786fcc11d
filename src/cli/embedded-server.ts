import chalk from 'chalk';
import type { HubEvent } from '../media/channel-hub.js';
import { KayakServer } from '../server/kayak-server.js';
import type { NetworkList } from '../server/access/networks.js';
import { startGcGovernor } from '../util/gc-governor.js';
import type { Logger } from '../util/logger.js';
import type { EventLog } from '../status/event-log.js';
import { printLine } from './line-logger.js';
import { removeRuntimeFile, writeRuntimeFile } from './runtime-file.js';
import { type SharePorts, type ShareUrls, shareHosts, streamUrls } from './share-urls.js';
import { serverOptions, tlsFromFlags } from './server-options.js';
import { signPath } from '../server/access/signed-token.js';

/** The flags `serve` and `schedule` share; the config file (`--config`) holds the same settings. */
export interface ServerFlags {
  rtmpPort: number;
  httpPort: number;
  host: string;
  publicHost?: string;
  app: string;
  grace: number;
  maxConnections?: number;
  /** `--push` values, checked here (a malformed one stops the start with its reason). */
  push?: string[];
  /** `--overflow`: the edge a full room sends viewers to. */
  overflow?: string;
  dashboard: boolean;
  verbose: boolean;
  logFormat?: 'plain' | 'json';
  config?: string;
  publishSecret?: string;
  playSecret?: string;
  /** Config file or KAYAK_ADMIN_TOKEN only: a flag would show in `ps`. */
  adminToken?: string;
  publishAllow?: NetworkList;
  trustProxy?: NetworkList;
  maxViewers?: number;
  /** Bits per second. */
  maxBandwidth?: number;
  maxConnectionsPerIp?: number;
  tlsCert?: string;
  tlsKey?: string;
  rtmpsPort?: number;
}

export interface LaunchedServer {
  server: KayakServer;
  /** Prints the RTMP and HTTP-FLV URLs to share for `app/key`. */
  printShareUrls(path: string): void;
  /** Where to publish (`<key>` for the stream key) and the URLs to share for `app/key`, for the dashboard. */
  share: { publishUrl: string; streamUrls(path: string): ShareUrls };
  /** Ends every stream cleanly, stops listening, removes the runtime file. */
  stop(): Promise<void>;
}

/** How long the share links printed for a private show stay valid. */
export const SHARE_LINK_HOURS = 24;

/** Starts the embedded server, leaves the runtime file for `kayak-cast status`, prints where to publish. */
export async function launchServer(
  flags: ServerFlags,
  logger: Logger,
  options: {
    announcePublish: boolean;
    /** The dashboard or JSON lines own stdout: log instead of printing. */
    quiet?: boolean;
    /** The event log `logger` feeds (the console output's), for the dashboard and /api/events. */
    events?: EventLog;
  },
): Promise<LaunchedServer> {
  const hosts = shareHosts(flags.publicHost, flags.host);
  const tls = tlsFromFlags(flags);
  // A private show's URLs carry a signed play link; the log and the dashboard see them redacted.
  const linkQuery = (path: string) =>
    flags.playSecret === undefined ? '' : `sign=${signPath(flags.playSecret, 'play', path, Date.now() / 1000 + SHARE_LINK_HOURS * 3600)}`;
  const printShareUrls = (path: string) => {
    if (options.quiet) {
      const urls = streamUrls(hosts[0] as string, ports, path, linkQuery(path));
      logger.log('info', `share ${path}: ${urls.rtmp}  ${urls.flv}  ${urls.hls}`, { event: 'share', rtmp: urls.rtmp, flv: urls.flv, hls: urls.hls });
      return;
    }
    printLine(chalk.bold(`Share ${path}:`));
    const query = linkQuery(path);
    for (const host of hosts) {
      const urls = streamUrls(host, ports, path, query);
      printLine(`  RTMP:     ${chalk.cyan(urls.rtmp)}`);
      printLine(`  HTTP-FLV: ${chalk.cyan(urls.flv)}`);
      printLine(`  HLS:      ${chalk.cyan(urls.hls)}`);
      printLine(`  Browser:  ${chalk.cyan(urls.watch)}`);
    }
    if (query !== '') printLine(chalk.dim(`  (a private show: these links work for ${SHARE_LINK_HOURS} h; kayak-cast token play ${path} makes more)`));
  };
  const server = new KayakServer({
    ...serverOptions(flags, tls),
    logger,
    ...(options.events !== undefined ? { events: options.events } : {}),
    onStreamEvent: (event: HubEvent) => {
      if (event.type === 'publish' && !event.resumed && event.address !== 'playout') printShareUrls(event.path);
    },
  });
  await server.start();
  const stopGcGovernor = startGcGovernor();
  const ports: SharePorts = { rtmp: server.rtmpPort, http: server.httpPort, ...(tls !== undefined ? { rtmps: server.rtmpsPort, tls: true } : {}) };
  const runtimeFile = writeRuntimeFile({
    pid: process.pid,
    rtmpPort: ports.rtmp,
    httpPort: ports.http,
    host: flags.host,
    app: flags.app,
    startedAt: new Date().toISOString(),
    adminToken: server.adminToken,
    ...(tls !== undefined ? { tls: true, certificateSha256: tls.fingerprint } : {}),
  });
  const cleanUp = () => removeRuntimeFile(runtimeFile);
  process.once('exit', cleanUp);
  const stopServer = async () => {
    await server.stop();
    stopGcGovernor();
    cleanUp();
  };

  const first = hosts[0] as string;
  const host = first.includes(':') ? `[${first}]` : first;
  const publishUrl = `rtmp://${host}:${ports.rtmp}/${flags.app}/<key>`;
  const statusUrl = `${tls !== undefined ? 'https' : 'http'}://${host}:${ports.http}/api/status`;
  // The dashboard shows the URLs without a private show's link (it is not a place for secrets).
  const share = { publishUrl, streamUrls: (path: string) => streamUrls(first, ports, path, flags.playSecret === undefined ? '' : 'sign=<redacted>') };
  if (options.quiet) {
    logger.log('info', `serving: publish to ${publishUrl}, status at ${statusUrl}`, { event: 'serving', rtmpPort: ports.rtmp, httpPort: ports.http });
    return { server, printShareUrls, share, stop: stopServer };
  }
  printLine(chalk.bold('kayak-cast is serving.'));
  if (options.announcePublish) {
    printLine(`  Publish (OBS, ffmpeg):  ${chalk.cyan(publishUrl)}`);
    printLine(`      e.g. ffmpeg -re -i movie.mp4 -c copy -f flv ${publishUrl.replace('<key>', 'movie')}`);
    if (flags.publishSecret !== undefined) printLine(chalk.dim(`      from elsewhere: add ?secret=<your publish secret> to the key, or use kayak-cast token publish ${flags.app}/movie`));
    if (tls !== undefined) printLine(`      or over TLS: ${chalk.cyan(`rtmps://${host}:${ports.rtmps}/${flags.app}/<key>`)}`);
  }
  printLine(`  Status:                 ${statusUrl}   (or: kayak-cast status)`);
  printLine('  Press Ctrl-C to stop.');

  return { server, printShareUrls, share, stop: stopServer };
}
