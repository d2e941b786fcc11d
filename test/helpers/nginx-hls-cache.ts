import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPrivateNginx } from './nginx.js';
import type { PrivateNginx } from './nginx.js';
import { freePort } from './ports.js';
import { REPO_ROOT } from './server.js';

/** The README's nginx HLS cache, test/fixtures/nginx-hls-cache.conf, run as it is with only its address, port and paths changed. */
export const HLS_CACHE_CONFIG = join(REPO_ROOT, 'test', 'fixtures', 'nginx-hls-cache.conf');

export interface NginxHlsCache extends PrivateNginx {
  readonly port: number;
  url(path: string): string;
}

export async function startNginxHlsCache(kayakHttpPort: number): Promise<NginxHlsCache> {
  const port = await freePort();
  const example = readFileSync(HLS_CACHE_CONFIG, 'utf8');
  const nginx = await startPrivateNginx({
    name: 'nginx-hls-cache',
    port,
    body: (dir) => {
      const server = example
        .replace('/var/cache/nginx/kayak-cast', join(dir, 'cache'))
        .replace('listen 8080;', `listen 127.0.0.1:${port};`)
        .replace('proxy_pass http://127.0.0.1:8000;', `proxy_pass http://127.0.0.1:${kayakHttpPort};`);
      if (!server.includes(`127.0.0.1:${kayakHttpPort}`) || !server.includes(`127.0.0.1:${port}`)) {
        throw new Error(`${HLS_CACHE_CONFIG} no longer has the lines this helper rewrites`);
      }
      return [
        'http {',
        `  access_log ${join(dir, 'access.log')};`,
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${join(dir, `${kind}-temp`)};`),
        server,
        '}',
      ];
    },
  });
  return { ...nginx, port, url: (path) => `http://127.0.0.1:${port}${path}` };
}
