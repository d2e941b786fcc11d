// nginx with libnginx-mod-rtmp (Debian nginx-light), the reference server: its own prefix and config, written at run
// time, on a loopback port; one process (`master_process off`, so the process measured is the one that serves) in
// the foreground (`daemon off`).

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const NGINX_RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';
const NGINX_CANDIDATES = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'];

export function nginxBinary() {
  return NGINX_CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/** null when nginx and the RTMP module are installed, else why not (and the Debian packages that fix it). */
export function nginxMissing() {
  if (!nginxBinary()) return 'nginx is not installed (apt-get install nginx-light libnginx-mod-rtmp)';
  if (!existsSync(NGINX_RTMP_MODULE)) return `${NGINX_RTMP_MODULE} is missing (apt-get install libnginx-mod-rtmp)`;
  return null;
}

/** "nginx 1.22.1, rtmp module 1.2.2-1" (nginx -v prints to stderr; the module's version is its package's). */
export function nginxVersion() {
  const nginx = spawnSync(nginxBinary(), ['-v'], { encoding: 'utf8' }).stderr.trim().replace(/^nginx version: nginx\//, '');
  const pkg = spawnSync('dpkg-query', ['-W', '-f=${Version}', 'libnginx-mod-rtmp'], { encoding: 'utf8' });
  return `${nginx}, rtmp module ${pkg.status === 0 ? pkg.stdout.trim() : 'unknown'}`;
}

/**
 * Writes `<dir>/nginx.conf` for an RTMP server on 127.0.0.1:port (application `app`, live, nginx-rtmp's default
 * chunk size 4096 like kayak-cast's) and returns the nginx command line that runs it.
 */
export function nginxCommand(dir, port, { app = 'live', maxConnections = 4096 } = {}) {
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, [
    `load_module ${NGINX_RTMP_MODULE};`,
    'daemon off;',
    'master_process off;',
    'worker_processes 1;',
    `worker_rlimit_nofile ${maxConnections * 2};`,
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${join(dir, 'error.log')} warn;`,
    `events { worker_connections ${maxConnections}; }`,
    'rtmp {',
    '  server {',
    `    listen 127.0.0.1:${port};`,
    '    chunk_size 4096;',
    `    application ${app} {`,
    '      live on;',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n'));
  return { cmd: nginxBinary(), args: ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')] };
}
