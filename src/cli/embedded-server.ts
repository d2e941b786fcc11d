import chalk from 'chalk';
import type { HubEvent } from '../media/channel-hub.js';
import { KayakServer } from '../server/kayak-server.js';
import { startGcGovernor } from '../util/gc-governor.js';
import type { Logger } from '../util/logger.js';
import { removeRuntimeFile, writeRuntimeFile } from './runtime-file.js';
import { type ShareUrls, shareHosts, streamUrls } from './share-urls.js';

/** The flags `serve` and `schedule` share. */
export interface ServerFlags {
  rtmpPort: number;
  httpPort: number;
  host: string;
  publicHost?: string;
  app: string;
  grace: number;
  dashboard: boolean;
  verbose: boolean;
  logFormat?: 'plain' | 'json';
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

/** Starts the embedded server, leaves the runtime file for `kayak-cast status`, prints where to publish. */
export async function launchServer(
  flags: ServerFlags,
  logger: Logger,
  options: { announcePublish: boolean; /** The dashboard or JSON lines own stdout: log instead of printing. */ quiet?: boolean },
): Promise<LaunchedServer> {
  const hosts = shareHosts(flags.publicHost, flags.host);
  const printShareUrls = (path: string) => {
    if (options.quiet) {
      const urls = streamUrls(hosts[0] as string, ports, path);
      logger.log('info', `share ${path}: ${urls.rtmp}  ${urls.flv}  ${urls.hls}`, { event: 'share', rtmp: urls.rtmp, flv: urls.flv, hls: urls.hls });
      return;
    }
    console.log(chalk.bold(`Share ${path}:`));
    for (const host of hosts) {
      const urls = streamUrls(host, ports, path);
      console.log(`  RTMP:     ${chalk.cyan(urls.rtmp)}`);
      console.log(`  HTTP-FLV: ${chalk.cyan(urls.flv)}`);
      console.log(`  HLS:      ${chalk.cyan(urls.hls)}`);
      console.log(`  Browser:  ${chalk.cyan(urls.watch)}`);
    }
  };
  const server = new KayakServer({
    host: flags.host,
    rtmpPort: flags.rtmpPort,
    httpPort: flags.httpPort,
    app: flags.app,
    graceMs: flags.grace * 1000,
    logger,
    onStreamEvent: (event: HubEvent) => {
      if (event.type === 'publish' && !event.resumed && event.address !== 'playout') printShareUrls(event.path);
    },
  });
  await server.start();
  const stopGcGovernor = startGcGovernor();
  const ports = { rtmp: server.rtmpPort, http: server.httpPort };
  const runtimeFile = writeRuntimeFile({
    pid: process.pid,
    rtmpPort: ports.rtmp,
    httpPort: ports.http,
    host: flags.host,
    app: flags.app,
    startedAt: new Date().toISOString(),
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
  const share = { publishUrl, streamUrls: (path: string) => streamUrls(first, ports, path) };
  if (options.quiet) {
    logger.log('info', `serving: publish to ${publishUrl}, status at http://${host}:${ports.http}/api/status`, { event: 'serving', rtmpPort: ports.rtmp, httpPort: ports.http });
    return { server, printShareUrls, share, stop: stopServer };
  }
  console.log(chalk.bold('kayak-cast is serving.'));
  if (options.announcePublish) {
    console.log(`  Publish (OBS, ffmpeg):  ${chalk.cyan(publishUrl)}`);
    console.log(`      e.g. ffmpeg -re -i movie.mp4 -c copy -f flv ${publishUrl.replace('<key>', 'movie')}`);
  }
  console.log(`  Status:                 http://${host}:${ports.http}/api/status   (or: kayak-cast status)`);
  console.log('  Press Ctrl-C to stop.');

  return { server, printShareUrls, share, stop: stopServer };
}
