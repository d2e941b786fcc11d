import chalk from 'chalk';
import { UserError } from '../../errors.js';
import { streamKeyProblem } from '../../media/stream-key.js';
import { type TokenAction, signPath } from '../../server/access/signed-token.js';
import { DEFAULT_HTTP_PORT, DEFAULT_RTMP_PORT, DEFAULT_RTMPS_PORT } from '../../server/kayak-server.js';
import { secretValue } from '../option-values.js';
import { findRunningServer } from '../runtime-file.js';
import { type SharePorts, shareHosts, streamUrls } from '../share-urls.js';

export interface TokenOptions {
  expires: number;
  secret?: string;
  config?: string;
  publicHost?: string;
  rtmpPort?: number;
  httpPort?: number;
  rtmpsPort?: number;
}

/**
 * `kayak-cast token publish|play app/key --expires 6h`: prints signed links (`?sign=<expiry>-<hmac>`) that let their
 * holder publish or watch that one stream until they expire. The secret comes from --secret, the environment
 * (KAYAK_PUBLISH_SECRET / KAYAK_PLAY_SECRET) or --config; nothing is asked of a server, so links can be made offline.
 */
export async function token(action: TokenAction, path: string, options: TokenOptions, now = Date.now()): Promise<number> {
  const match = /^([^/]+)\/([^/]+)$/.exec(path);
  if (match === null) throw new UserError(`'${path}' is not a stream: write it as app/key, e.g. live/movie`);
  const problem = streamKeyProblem(match[2] as string);
  if (problem !== undefined) throw new UserError(problem);
  const settings = options.config === undefined ? {} : (await import('../config-file.js')).loadConfigFile(options.config).values;
  // The same environment variable `serve` reads, so one EnvironmentFile serves both.
  const env = action === 'publish' ? 'KAYAK_PUBLISH_SECRET' : 'KAYAK_PLAY_SECRET';
  const fromEnv = process.env[env] !== undefined && process.env[env] !== '' ? secretValue(process.env[env]) : undefined;
  const secret = options.secret ?? fromEnv ?? (action === 'publish' ? settings.publishSecret : settings.playSecret);
  if (typeof secret !== 'string') {
    throw new UserError(`a ${action} link needs the ${action} secret`, `pass --config kayak.yaml (with ${action}-secret), --secret, or set ${env}`);
  }
  const running = findRunningServer();
  const tls = settings.tlsCert !== undefined || running?.tls === true;
  const ports: SharePorts = {
    rtmp: options.rtmpPort ?? (settings.rtmpPort as number | undefined) ?? running?.rtmpPort ?? DEFAULT_RTMP_PORT,
    http: options.httpPort ?? (settings.httpPort as number | undefined) ?? running?.httpPort ?? DEFAULT_HTTP_PORT,
    ...(tls ? { tls, rtmps: options.rtmpsPort ?? (settings.rtmpsPort as number | undefined) ?? DEFAULT_RTMPS_PORT } : {}),
  };
  const host = shareHosts(options.publicHost ?? (settings.publicHost as string | undefined), (settings.host as string | undefined) ?? '0.0.0.0')[0] as string;
  const expiresAt = now / 1000 + options.expires;
  const sign = signPath(secret, action, path, expiresAt);
  const urls = streamUrls(host, ports, path, `sign=${sign}`);
  const until = new Date(Math.floor(expiresAt) * 1000).toLocaleString();
  if (action === 'publish') {
    const server = urls.rtmp.slice(0, urls.rtmp.lastIndexOf('/'));
    console.log(chalk.bold(`Publish ${path} until ${until}:`));
    console.log(`  URL:     ${chalk.cyan(urls.rtmp)}`);
    console.log(`  OBS:     Server ${chalk.cyan(server)}  Stream Key ${chalk.cyan(`${match[2]}?sign=${sign}`)}`);
    console.log(`  ffmpeg:  ffmpeg -re -i movie.mp4 -c copy -f flv '${urls.rtmp}'`);
  } else {
    console.log(chalk.bold(`Watch ${path} until ${until}:`));
    console.log(`  Browser:  ${chalk.cyan(urls.watch)}`);
    console.log(`  HTTP-FLV: ${chalk.cyan(urls.flv)}`);
    console.log(`  RTMP:     ${chalk.cyan(urls.rtmp)}`);
  }
  return 0;
}
