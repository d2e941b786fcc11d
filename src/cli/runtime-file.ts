import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** What `serve` leaves behind so `status` can find it with no flags. */
export interface RuntimeInfo {
  pid: number;
  rtmpPort: number;
  httpPort: number;
  host: string;
  app: string;
  startedAt: string;
}

/** $XDG_STATE_HOME/kayak-cast, else ~/.local/state/kayak-cast (XDG Base Directory spec). */
export function stateDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_STATE_HOME'] !== undefined && env['XDG_STATE_HOME'] !== '' ? env['XDG_STATE_HOME'] : join(homedir(), '.local', 'state');
  return join(base, 'kayak-cast');
}

export function writeRuntimeFile(info: RuntimeInfo, directory = stateDirectory()): string {
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `server-${info.pid}.json`);
  writeFileSync(file, `${JSON.stringify(info, null, 2)}\n`);
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
