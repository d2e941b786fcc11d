import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** What `serve` leaves behind so `status`, `kick`, `skip` and `dashboard` find it with no flags. */
export interface RuntimeInfo {
  pid: number;
  rtmpPort: number;
  httpPort: number;
  host: string;
  app: string;
  startedAt: string;
  /** The admin API's bearer token: whoever can read this file may act on the server. */
  adminToken?: string;
  /** The HTTP port speaks HTTPS; `certificateSha256` pins its certificate for local clients. */
  tls?: boolean;
  certificateSha256?: string;
}

/** Owner only: the file holds the admin token. */
export const RUNTIME_FILE_MODE = 0o600;
export const STATE_DIRECTORY_MODE = 0o700;

/** $XDG_STATE_HOME/kayak-cast, else ~/.local/state/kayak-cast (XDG Base Directory spec). */
export function stateDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_STATE_HOME'] !== undefined && env['XDG_STATE_HOME'] !== '' ? env['XDG_STATE_HOME'] : join(homedir(), '.local', 'state');
  return join(base, 'kayak-cast');
}

/** Writes the file 0600 in a 0700 directory; a directory that already existed is tightened to 0700. */
export function writeRuntimeFile(info: RuntimeInfo, directory = stateDirectory()): string {
  mkdirSync(directory, { recursive: true, mode: STATE_DIRECTORY_MODE });
  // mkdir's mode applies only to a directory it creates (and through the umask): make sure of an older one.
  if ((statSync(directory).mode & 0o777) !== STATE_DIRECTORY_MODE) chmodSync(directory, STATE_DIRECTORY_MODE);
  const file = join(directory, `server-${info.pid}.json`);
  // Removed first: writeFileSync's mode applies only to a file it creates.
  rmSync(file, { force: true });
  writeFileSync(file, `${JSON.stringify(info, null, 2)}\n`, { mode: RUNTIME_FILE_MODE, flag: 'wx' });
  return file;
}

export function removeRuntimeFile(file: string): void {
  rmSync(file, { force: true });
}

/** The newest runtime file of a server that is still alive; stale files (dead pids) are ignored and cleaned up. */
export function findRunningServer(directory = stateDirectory()): RuntimeInfo | undefined {
  let names: string[];
  try {
    names = readdirSync(directory).filter((name) => /^server-\d+\.json$/.test(name));
  } catch {
    return undefined;
  }
  const alive: RuntimeInfo[] = [];
  for (const name of names) {
    const file = join(directory, name);
    const info = readInfo(file);
    if (info !== undefined && isAlive(info.pid)) alive.push(info);
    else rmSync(file, { force: true });
  }
  return alive.sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt))[0];
}

function readInfo(file: string): RuntimeInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as RuntimeInfo;
    return typeof info.pid === 'number' && typeof info.httpPort === 'number' ? info : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
