import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { scratchSubdir } from './media.js';
import { GiveUp, startProcess, stopProcess, waitFor } from './processes.js';
import type { ManagedProcess } from './processes.js';
import { which } from './peers.js';

/**
 * A private nginx: prefix, config, logs, temp and pid files in a scratch directory; one process in the foreground
 * (master_process off), stopped by its pid. The caller gives the config after the `events` block.
 */
export interface PrivateNginx {
  readonly dir: string;
  readonly process: ManagedProcess;
  errorLog(): string;
  stop(): Promise<void>;
}

/** A private nginx and the port it listens on. */
export type RunningNginx = PrivateNginx & { readonly port: number };

export async function startPrivateNginx(opts: { name: string; port: number; head?: string[]; body: (dir: string) => string[] }): Promise<PrivateNginx> {
  const nginx = which('nginx');
  if (nginx === undefined) throw new Error('nginx is not installed (apt-get install nginx-light)');
  const dir = scratchSubdir(opts.name);
  const conf = join(dir, 'nginx.conf');
  const errorLogPath = join(dir, 'error.log');
  writeFileSync(
    conf,
    [
      ...(opts.head ?? []),
      'worker_processes 1;',
      'master_process off;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${errorLogPath} info;`,
      'events { worker_connections 1024; }',
      ...opts.body(dir),
      '',
    ].join('\n'),
  );
  const child = startProcess(nginx, ['-p', dir, '-c', conf, '-g', 'daemon off;'], { name: opts.name });
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
        return canConnect(opts.port);
      },
      { timeoutMs: 10_000, what: `${opts.name} to listen on ${opts.port}` },
    );
  } catch (e) {
    await stopProcess(child, 'SIGKILL');
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${child.output()}\n${errorLog()}`);
  }
  return {
    dir,
    process: child,
    errorLog,
    // SIGQUIT is nginx's graceful shutdown; stopProcess escalates to SIGKILL if it lingers.
    stop: () => stopProcess(child, 'SIGQUIT', 3_000).then(() => undefined),
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
