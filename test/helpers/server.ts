import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// Types only at the top: test/global-setup.ts imports this file for ensureBuilt(), and must not load src/ (a broken
// src would then abort the whole run instead of failing the tests that need the server).
import type { KayakServer, KayakServerOptions } from '../../src/server/kayak-server.js';
import type { StreamStatus } from '../../src/status/status-snapshot.js';
import type { LogFields, LogLevel, Logger } from '../../src/util/logger.js';
import { afterAll, beforeAll } from 'vitest';
import { scratchSubdir } from './media.js';
import { runProcess, startProcess, waitFor } from './processes.js';
import type { ManagedProcess, StartOptions } from './processes.js';

/** Starting our own server for interop tests: in-process (KayakServer) or as the built CLI in a child process. */

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface LogLine {
  level: LogLevel;
  message: string;
  fields: LogFields | undefined;
}

/** A logger that keeps every line, so a failing test can print what the server said. */
export class CollectingLogger implements Logger {
  readonly lines: LogLine[] = [];

  log(level: LogLevel, message: string, fields?: LogFields): void {
    this.lines.push({ level, message, fields });
  }

  text(): string {
    return this.lines.map((l) => `${l.level}: ${l.message}`).join('\n');
  }
}

export interface RunningKayak {
  readonly server: KayakServer;
  readonly logger: CollectingLogger;
  readonly rtmpPort: number;
  readonly httpPort: number;
  /** rtmp://127.0.0.1:<rtmpPort>/<app>/<key> */
  rtmpUrl(key: string): string;
  /** http://127.0.0.1:<httpPort>/<app>/<key>.flv */
  flvUrl(key: string): string;
  /** http://127.0.0.1:<httpPort><path> */
  httpUrl(path: string): string;
  stop(): Promise<void>;
}

/** A KayakServer in this process on 127.0.0.1, both ports 0, a short grace period unless told otherwise. */
export async function startKayak(options: KayakServerOptions = {}): Promise<RunningKayak> {
  const logger = new CollectingLogger();
  const app = options.app ?? 'live';
  const { KayakServer } = await import('../../src/server/kayak-server.js');
  const server = new KayakServer({
    host: '127.0.0.1',
    rtmpPort: 0,
    httpPort: 0,
    app,
    graceMs: 2_000,
    logger,
    ...options,
  });
  await server.start();
  const rtmpPort = server.rtmpPort;
  const httpPort = server.httpPort;
  return {
    server,
    logger,
    rtmpPort,
    httpPort,
    rtmpUrl: (key) => `rtmp://127.0.0.1:${rtmpPort}/${app}/${key}`,
    flvUrl: (key) => `http://127.0.0.1:${httpPort}/${app}/${key}.flv`,
    httpUrl: (path) => `http://127.0.0.1:${httpPort}${path}`,
    stop: () => server.stop(),
  };
}

/** Resolves with the stream's status once the server reports `app/key` live with its video and audio known. */
export function waitForLive(kayak: RunningKayak, key: string, timeoutMs = 20_000): Promise<StreamStatus> {
  return waitFor(
    () =>
      kayak.server.status
        .snapshot()
        .streams.find((s) => s.key === key && s.state === 'live' && s.video !== null && s.audio !== null),
    { timeoutMs, what: `stream ${key} to be live with video and audio` },
  ).catch((e: unknown) => {
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n--- server log ---\n${kayak.logger.text()}`);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The CLI child: bin/kayak-cast.js imports dist/cli/main.js, so dist must be built from the current src.

const BUILD_STAMP = join(REPO_ROOT, 'node_modules', '.cache', 'kayak-cast-test', 'build.json');

interface BuildStamp {
  ok: boolean;
  sourcesMtimeMs: number;
  output: string;
}

/** The newest modification time among the files the build reads. */
function newestSourceMtime(): number {
  let newest = 0;
  const visit = (path: string): void => {
    const stat = statSync(path);
    // Directories count too: deleting or renaming a source file changes only its directory's mtime.
    newest = Math.max(newest, stat.mtimeMs);
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  for (const dir of ['src', 'web', 'scripts']) if (existsSync(join(REPO_ROOT, dir))) visit(join(REPO_ROOT, dir));
  for (const file of ['tsconfig.json', 'tsconfig.build.json', 'package.json']) {
    const path = join(REPO_ROOT, file);
    if (existsSync(path)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function readStamp(): BuildStamp | undefined {
  try {
    return JSON.parse(readFileSync(BUILD_STAMP, 'utf8')) as BuildStamp;
  } catch {
    return undefined;
  }
}

/**
 * Builds dist/ as `npm run build` does (tsc, the watch page, the dashboard's bundle) unless the last build by this helper succeeded from the same sources.
 * Never throws: returns whether dist is usable and the compiler output, so the caller decides how to fail.
 */
export async function ensureBuilt(): Promise<{ ok: boolean; built: boolean; output: string }> {
  const sourcesMtimeMs = newestSourceMtime();
  const stamp = readStamp();
  const distMain = join(REPO_ROOT, 'dist', 'cli', 'main.js');
  if (stamp?.ok && stamp.sourcesMtimeMs === sourcesMtimeMs && existsSync(distMain)) {
    return { ok: true, built: false, output: '' };
  }
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = await runProcess(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: REPO_ROOT,
    timeoutMs: 180_000,
    name: 'tsc-build',
  });
  // The rest of `npm run build`: the watch page's assets, then the dashboard's bundle (dist/ui/dashboard-bundle.js,
  // which `serve` loads: a stale one would test old components).
  let output = `${r.stdout}${r.stderr}`;
  let ok = r.code === 0;
  for (const script of ['build-web.mjs', 'build-dashboard.mjs']) {
    if (!ok) break;
    const step = await runProcess(process.execPath, [join(REPO_ROOT, 'scripts', script)], { cwd: REPO_ROOT, timeoutMs: 180_000, name: script });
    output += `${step.stdout}${step.stderr}`;
    ok = step.code === 0;
  }
  ok &&= existsSync(distMain);
  output = output.trim();
  mkdirSync(dirname(BUILD_STAMP), { recursive: true });
  writeFileSync(BUILD_STAMP, JSON.stringify({ ok, sourcesMtimeMs, output } satisfies BuildStamp));
  return { ok, built: true, output };
}

/** Like ensureBuilt, but throws with the compiler output when the build fails. */
export async function requireBuilt(): Promise<void> {
  const r = await ensureBuilt();
  if (!r.ok) throw new Error(`npm run build failed, so the CLI cannot be tested:\n${r.output}`);
}

export const CLI_BIN = join(REPO_ROOT, 'bin', 'kayak-cast.js');

/** An environment for a CLI child: its own XDG_STATE_HOME (where the runtime file goes) and no colours. */
export function cliEnv(stateHome = scratchSubdir('xdg-state')): NodeJS.ProcessEnv {
  return { ...process.env, XDG_STATE_HOME: stateHome, NO_COLOR: '1', FORCE_COLOR: '0' };
}

/** `node bin/kayak-cast.js <args>` as a long-running child (serve). */
export function startCli(args: readonly string[], opts: StartOptions = {}): ManagedProcess {
  return startProcess(process.execPath, [CLI_BIN, ...args], { cwd: REPO_ROOT, name: `kayak-cast ${args[0] ?? ''}`, ...opts });
}

/** `node bin/kayak-cast.js <args>` run to completion (status, a serve that must fail). */
export function runCli(args: readonly string[], opts: StartOptions & { timeoutMs?: number } = {}) {
  return runProcess(process.execPath, [CLI_BIN, ...args], {
    cwd: REPO_ROOT,
    name: `kayak-cast ${args[0] ?? ''}`,
    timeoutMs: 20_000,
    ...opts,
  });
}

/**
 * A KayakServer for the tests of a describe block: started in its beforeAll, stopped in its afterAll. Returns a getter
 * (the server exists only once beforeAll has run).
 */
export function useKayak(options: KayakServerOptions = {}): () => RunningKayak {
  let kayak: RunningKayak | undefined;
  beforeAll(async () => {
    kayak = await startKayak(options);
  });
  afterAll(async () => {
    await kayak?.stop();
  });
  return () => {
    if (kayak === undefined) throw new Error('useKayak: the server is started in beforeAll');
    return kayak;
  };
}
