import { startPrivateNginx } from './nginx.js';
import { NGINX_RTMP_MODULE, peer } from './peers.js';
import { freePort } from './ports.js';
import type { ManagedProcess } from './processes.js';

/**
 * A private nginx with the RTMP module: a known-good server to validate the peer helpers against (and, later, a relay
 * target). Its prefix, config, logs and pid file live in a scratch directory; it runs in the foreground with one
 * process (master_process off) and is stopped by that pid.
 */
export interface NginxRtmp {
  readonly port: number;
  readonly dir: string;
  readonly process: ManagedProcess;
  /** rtmp://127.0.0.1:<port>/<app>/<key> */
  url(key: string, app?: string): string;
  errorLog(): string;
  stop(): Promise<void>;
}

export interface NginxRtmpOptions {
  /** Application name (default live). */
  app?: string;
  /** `wait_key on`: players start at a keyframe (nginx-rtmp has no GOP cache, so they wait for the next one). */
  waitKey?: boolean;
  /** Listen on this port (a restarted nginx takes its old port back); default a free one. */
  port?: number;
}

export async function startNginxRtmp(opts: NginxRtmpOptions = {}): Promise<NginxRtmp> {
  peer('nginx-rtmp');
  const app = opts.app ?? 'live';
  const port = opts.port ?? (await freePort());
  const nginx = await startPrivateNginx({
    name: 'nginx-rtmp',
    port,
    head: [`load_module ${NGINX_RTMP_MODULE};`],
    body: () => [
      'rtmp {',
      '  server {',
      `    listen 127.0.0.1:${port};`,
      '    chunk_size 4096;',
      `    application ${app} {`,
      '      live on;',
      ...(opts.waitKey ? ['      wait_key on;', '      wait_video on;'] : []),
      '    }',
      '  }',
      '}',
    ],
  });
  return {
    port,
    dir: nginx.dir,
    process: nginx.process,
    url: (key, application = app) => `rtmp://127.0.0.1:${port}/${application}/${key}`,
    errorLog: nginx.errorLog,
    stop: nginx.stop,
  };
}

export { canConnect } from './nginx.js';
