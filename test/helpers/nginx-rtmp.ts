import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { NGINX_RTMP_MODULE, peer } from './peers.js';
import { freePort } from './ports.js';
import { scratchSubdir } from './media.js';
import { GiveUp, startProcess, stopProcess, waitFor } from './processes.js';
import type { ManagedProcess } from './processes.js';

/**
 * A private nginx with the RTMP module: a known-good server to validate the peer helpers against (and, later, a relay
 * target). Its prefix, config, logs and pid file live in a scratch directory; it runs in the foreground with one
 * process (master_process off) and is stopped by that pid.
 */
export interface NginxRtmp extends RunningNginx {
  /** rtmp://127.0.0.1:<port>/<app>/<key> */
  url(key: string, app?: string): string;
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
  const nginx = peer('nginx-rtmp');
  const app = opts.app ?? 'live';
  const dir = scratchSubdir('nginx-rtmp');
  const port = opts.port ?? (await freePort());
  const conf = join(dir, 'nginx.conf');
  const errorLogPath = join(dir, 'error.log');
  writeFileSync(
    conf,
    [
      `load_module ${NGINX_RTMP_MODULE};`,
      'worker_processes 1;',
      'master_process off;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${errorLogPath} info;`,
      'events { worker_connections 256; }',
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
      '',
    ].join('\n'),
  );
  const running = await runNginx(nginx, dir, conf, port, 'nginx-rtmp');
  return { ...running, url: (key, application = app) => `rtmp://127.0.0.1:${port}/${application}/${key}` };
}

/** A private nginx running a config written to `dir`, listening on `port`; stopped by its pid. */
export interface RunningNginx {
  readonly port: number;
  readonly dir: string;
  readonly process: ManagedProcess;
  errorLog(): string;
  stop(): Promise<void>;
}

/** Starts nginx in the foreground on `conf` (whose error_log is `dir`/error.log) and waits until it listens on `port`. */
export async function runNginx(nginx: string, dir: string, conf: string, port: number, name: string): Promise<RunningNginx> {
  const errorLogPath = join(dir, 'error.log');
  const child = startProcess(nginx, ['-p', dir, '-c', conf, '-g', 'daemon off;'], { name });
  const errorLog = (): string => {
    try {
      return readFileSync(errorLogPath, 'utf8');
    } catch {
      return '';
    }
  };
  try {
    await waitFor(
      async () => {
        if (child.exit !== null) throw new GiveUp(`nginx exited ${JSON.stringify(child.exit)}`);
        return canConnect(port);
      },
      { timeoutMs: 10_000, what: `${name} to listen on ${port}` },
    );
  } catch (e) {
    await stopProcess(child, 'SIGKILL');
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${child.output()}\n${errorLog()}`);
  }
  return {
    port,
    dir,
    process: child,
    errorLog,
    stop: async () => {
      // SIGQUIT is nginx's graceful shutdown; stopProcess escalates to SIGKILL if it lingers.
      await stopProcess(child, 'SIGQUIT', 3_000);
    },
  };
}

/** True when a TCP connection to 127.0.0.1:port succeeds. */
export function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
