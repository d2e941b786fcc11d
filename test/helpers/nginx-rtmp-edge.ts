import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningNginx, startPrivateNginx } from './nginx.js';
import { NGINX_RTMP_MODULE } from './peers.js';
import { freePort } from './ports.js';
import { REPO_ROOT } from './server.js';

/** The README's nginx-rtmp edge, test/fixtures/nginx-rtmp-edge.conf, run as it is with only its ports and paths changed. */
export const RTMP_EDGE_CONFIG = join(REPO_ROOT, 'test', 'fixtures', 'nginx-rtmp-edge.conf');

export interface NginxRtmpEdge extends RunningNginx {
  readonly httpPort: number;
  /** rtmp://127.0.0.1:<port>/live/<key> */
  rtmpUrl(key: string): string;
  /** http://127.0.0.1:<httpPort>/hls/<key>.m3u8 */
  hlsUrl(key: string): string;
}

export async function startNginxRtmpEdge(): Promise<NginxRtmpEdge> {
  const port = await freePort();
  const httpPort = await freePort();
  const example = readFileSync(RTMP_EDGE_CONFIG, 'utf8');
  const nginx = await startPrivateNginx({
    name: 'nginx-rtmp-edge',
    port,
    head: [`load_module ${NGINX_RTMP_MODULE};`],
    body: (dir) => {
      const hls = join(dir, 'hls');
      mkdirSync(hls, { recursive: true });
      const conf = example
        .replace('listen 1935;', `listen 127.0.0.1:${port};`)
        .replace('listen 8080;', `listen 127.0.0.1:${httpPort};`)
        .replaceAll('/var/lib/nginx/kayak-hls', hls);
      const split = conf.indexOf('\nserver {');
      if (split === -1 || !conf.includes(`127.0.0.1:${port}`) || !conf.includes(`127.0.0.1:${httpPort}`)) {
        throw new Error(`${RTMP_EDGE_CONFIG} no longer has the lines this helper rewrites`);
      }
      return [
        conf.slice(0, split),
        'http {',
        `  access_log ${join(dir, 'access.log')};`,
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${join(dir, `${kind}-temp`)};`),
        conf.slice(split),
        '}',
      ];
    },
  });
  return {
    ...nginx,
    port,
    httpPort,
    rtmpUrl: (key) => `rtmp://127.0.0.1:${port}/live/${key}`,
    hlsUrl: (key) => `http://127.0.0.1:${httpPort}/hls/${key}.m3u8`,
  };
}
