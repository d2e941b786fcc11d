import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';

/** How a child ended: `code` is null when a signal ended it. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** stdout so far, as text (the tail beyond OUTPUT_KEEP_CHARS is kept). */
  stdout(): string;
  stderr(): string;
  /** stdout and stderr, for assertion messages. */
  output(): string;
  readonly exited: Promise<ProcessExit>;
  /** Set once the child has exited. */
  exit: ProcessExit | null;
}

export interface StartOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** A short label for messages; defaults to the command's base name. */
  name?: string;
  /** Bytes written to stdin, which is then closed. Without it stdin is /dev/null. */
  stdin?: Buffer | string;
}

/** Peers such as rtmpdump print progress forever; keep the tail so a long run cannot eat the worker's memory. */
const OUTPUT_KEEP_CHARS = 256 * 1024;

/**
 * Every child started here that is still running. Module state on purpose: it is what lets `trackProcesses()` and
 * the worker's exit handler kill children without every helper threading a tracker through its arguments.
 */
const running = new Set<ManagedProcess>();
let exitHandlerInstalled = false;

function installExitHandler(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  // A worker that dies mid-test must not leave ffmpeg publishing into the void.
  process.once('exit', () => {
    for (const p of running) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

function keepTail(text: string): string {
  return text.length > OUTPUT_KEEP_CHARS ? text.slice(text.length - OUTPUT_KEEP_CHARS) : text;
}

export function startProcess(cmd: string, args: readonly string[], opts: StartOptions = {}): ManagedProcess {
  installExitHandler();
  const spawnOptions: SpawnOptions = {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  };
  const child = spawn(cmd, [...args], spawnOptions);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (s: string) => {
    out = keepTail(out + s);
  });
  child.stderr?.on('data', (s: string) => {
    err = keepTail(err + s);
  });
  if (opts.stdin !== undefined && child.stdin) {
    child.stdin.on('error', () => {});
    child.stdin.end(opts.stdin);
  }
  const name = opts.name ?? cmd.split('/').pop() ?? cmd;
  const managed: ManagedProcess = {
    name,
    child,
    pid: child.pid ?? -1,
    stdout: () => out,
    stderr: () => err,
    output: () => `--- ${name} stdout ---\n${out}\n--- ${name} stderr ---\n${err}`,
    exit: null,
    exited: new Promise<ProcessExit>((resolve) => {
      let settled = false;
      const settle = (exit: ProcessExit): void => {
        if (settled) return;
        settled = true;
        managed.exit = exit;
        running.delete(managed);
        resolve(exit);
      };
      // 'close' waits for stdio to drain, so output() is complete once `exited` resolves.
      child.once('close', (code, signal) => settle({ code, signal }));
      child.once('error', (e) => {
        err += `\nspawn error: ${e.message}`;
        settle({ code: null, signal: null });
      });
    }),
  };
  if (child.pid !== undefined) running.add(managed);
  return managed;
}

/**
 * Stops a child by its pid: `signal` first, SIGKILL if it is still running after `timeoutMs`.
 * Resolves with how it ended; a child that already exited resolves at once.
 */
export async function stopProcess(
  p: ManagedProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  timeoutMs = 5_000,
): Promise<ProcessExit> {
  if (p.exit !== null || p.pid < 0) return p.exited;
  try {
    process.kill(p.pid, signal);
  } catch {
    return p.exited;
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const first = await Promise.race([p.exited, timedOut]);
  clearTimeout(timer);
  if (first !== 'timeout') return first;
  try {
    process.kill(p.pid, 'SIGKILL');
  } catch {
    // exited between the race and the kill
  }
  return p.exited;
}

/** Runs a command to completion (or kills it after `timeoutMs`) and returns its exit and output. */
export async function runProcess(
  cmd: string,
  args: readonly string[],
  opts: StartOptions & { timeoutMs?: number } = {},
): Promise<ProcessExit & { stdout: string; stderr: string; timedOut: boolean; process: ManagedProcess }> {
  const p = startProcess(cmd, args, opts);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void stopProcess(p, 'SIGTERM', 2_000);
  }, timeoutMs);
  const exit = await p.exited;
  clearTimeout(timer);
  return { ...exit, stdout: p.stdout(), stderr: p.stderr(), timedOut, process: p };
}

/** Processes started during the current test are stopped after it; those started in beforeAll, after the file. */
export interface ProcessTracker {
  /** Stops every process started since the tracker was installed (used by its afterAll). */
  stopAll(): Promise<void>;
}

async function stopEach(procs: Iterable<ManagedProcess>): Promise<void> {
  await Promise.all([...procs].map((p) => stopProcess(p, 'SIGTERM', 3_000)));
}

/**
 * Call once at the top of a test file or describe block. Every child started through `startProcess` (directly or via
 * the player helpers) while a test runs is killed by pid in afterEach; children started in beforeAll are killed in
 * afterAll. Nothing is killed by name.
 */
export function trackProcesses(): ProcessTracker {
  let beforeSuite = new Set<ManagedProcess>();
  let beforeTest = new Set<ManagedProcess>();
  beforeAll(() => {
    beforeSuite = new Set(running);
  });
  beforeEach(() => {
    beforeTest = new Set(running);
  });
  afterEach(async () => {
    await stopEach([...running].filter((p) => !beforeTest.has(p)));
  });
  const stopAll = (): Promise<void> => stopEach([...running].filter((p) => !beforeSuite.has(p)));
  afterAll(stopAll, 15_000);
  return { stopAll };
}

/** Thrown from a `waitFor` check to stop polling at once (the condition can no longer become true). */
export class GiveUp extends Error {}

/**
 * Polls `check` until it returns a truthy value (which is returned) or `timeoutMs` passes (which throws). A check that
 * throws is retried, except with `GiveUp`, which is rethrown at once.
 */
export async function waitFor<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const intervalMs = opts.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      if (e instanceof GiveUp) throw e;
      lastError = e;
    }
    if (Date.now() >= deadline) {
      const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${opts.what ?? 'a condition'}${reason}`);
    }
    await sleep(intervalMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves when the process's stdout or stderr matches `pattern`; rejects if it exits first or time runs out. */
export async function waitForOutput(p: ManagedProcess, pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
  return waitFor(
    () => {
      const m = p.stdout().match(pattern) ?? p.stderr().match(pattern);
      if (m) return m;
      if (p.exit !== null) {
        throw new GiveUp(`${p.name} exited (${JSON.stringify(p.exit)}) before printing ${pattern}`);
      }
      return null;
    },
    { timeoutMs, intervalMs: 50, what: `${p.name} to print ${pattern}` },
  ).catch((e: unknown) => {
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${p.output()}`);
  });
}

/**
 * The pids of this process's own children whose command line matches `pattern` (Linux /proc): children the code
 * under test spawned (a playout's ffmpeg), found by parent pid, so a test can signal exactly them and nothing else.
 */
export function ownChildren(pattern: RegExp, parent = process.pid): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may contain spaces, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parent) continue;
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ');
      if (pattern.test(cmdline)) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}
