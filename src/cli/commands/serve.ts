import chalk from 'chalk';
import { KayakServer } from '../../server/kayak-server.js';
import type { HubEvent } from '../../media/channel-hub.js';
import { LineLogger } from '../line-logger.js';
import { removeRuntimeFile, writeRuntimeFile } from '../runtime-file.js';
import { shareHosts, streamUrls } from '../share-urls.js';
import { waitForShutdownSignal } from '../shutdown.js';
import { startGcGovernor } from '../../util/gc-governor.js';

export interface ServeOptions {
  rtmpPort: number;
  httpPort: number;
  host: string;
  publicHost?: string;
  app: string;
  grace: number;
  dashboard: boolean;
  verbose: boolean;
}

/** `kayak-cast serve`: run the embedded server until Ctrl-C, printing where to publish and what to share. */
export async function serve(options: ServeOptions): Promise<number> {
  const logger = new LineLogger(options.verbose ? 'debug' : 'info');
  const hosts = shareHosts(options.publicHost, options.host);
  const server: KayakServer = new KayakServer({
    host: options.host,
    rtmpPort: options.rtmpPort,
    httpPort: options.httpPort,
    app: options.app,
    graceMs: options.grace * 1000,
    logger,
    onStreamEvent: (event: HubEvent) => {
      if (event.type === 'publish' && !event.resumed) printShareUrls(event.path);
    },
  });
  await server.start();
  const stopGcGovernor = startGcGovernor();
  const ports = { rtmp: server.rtmpPort, http: server.httpPort };
  const runtimeFile = writeRuntimeFile({
    pid: process.pid,
    rtmpPort: ports.rtmp,
    httpPort: ports.http,
    host: options.host,
    app: options.app,
    startedAt: new Date().toISOString(),
  });
  const cleanUp = () => removeRuntimeFile(runtimeFile);
  process.once('exit', cleanUp);

  const first = hosts[0] as string;
  const publishUrl = `rtmp://${first.includes(':') ? `[${first}]` : first}:${ports.rtmp}/${options.app}/<key>`;
  console.log(chalk.bold('kayak-cast is serving.'));
  console.log(`  Publish (OBS, ffmpeg):  ${chalk.cyan(publishUrl)}`);
  console.log(`      e.g. ffmpeg -re -i movie.mp4 -c copy -f flv ${publishUrl.replace('<key>', 'movie')}`);
  console.log(`  Status:                 http://${hostForUrl(first)}:${ports.http}/api/status   (or: kayak-cast status)`);
  console.log('  Press Ctrl-C to stop.');

  function printShareUrls(path: string): void {
    console.log(chalk.bold(`Share ${path}:`));
    for (const host of hosts) {
      const urls = streamUrls(host, ports, path);
      console.log(`  RTMP:     ${chalk.cyan(urls.rtmp)}`);
      console.log(`  HTTP-FLV: ${chalk.cyan(urls.flv)}`);
    }
  }

  const signal = await waitForShutdownSignal();
  logger.log('info', `${signal}: stopping, closing viewers and publishers`);
  await server.stop();
  stopGcGovernor();
  cleanUp();
  logger.log('info', 'stopped');
  return 0;
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
