import { join } from 'node:path';
import { type RunningNginx, startPrivateNginx } from './nginx.js';
import { freePort } from './ports.js';

/**
 * nginx as a TLS reverse proxy in front of kayak-cast's HTTP port: the configuration the README shows (HTTPS, HTTP-FLV
 * unbuffered, WebSocket upgrades, X-Forwarded-For), in a private prefix on a free port.
 */
export async function startNginxTlsProxy(upstreamPort: number, certPath: string, keyPath: string): Promise<RunningNginx & { url(path: string): string }> {
  const port = await freePort();
  const nginx = await startPrivateNginx({
    name: 'nginx-tls-proxy',
    port,
    body: (dir) => [
      'http {',
      `  access_log ${join(dir, 'access.log')};`,
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((name) => `  ${name}_temp_path ${join(dir, `${name}-temp`)};`),
      '  map $http_upgrade $connection_upgrade { default upgrade; "" close; }',
      '  server {',
      `    listen 127.0.0.1:${port} ssl;`,
      `    ssl_certificate ${certPath};`,
      `    ssl_certificate_key ${keyPath};`,
      '    location / {',
      `      proxy_pass http://127.0.0.1:${upstreamPort};`,
      '      proxy_http_version 1.1;',
      '      proxy_set_header Host $host;',
      '      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
      '      proxy_set_header X-Forwarded-Proto $scheme;',
      '      proxy_set_header Upgrade $http_upgrade;',
      '      proxy_set_header Connection $connection_upgrade;',
      '      proxy_buffering off;',
      '      proxy_read_timeout 1h;',
      '    }',
      '  }',
      '}',
    ],
  });
  return { ...nginx, port, url: (path) => `https://127.0.0.1:${port}${path}` };
}
