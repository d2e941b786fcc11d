import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { UserError } from '../errors.js';

/** Which ffmpeg (and ffprobe) kayak-cast runs, and where each was found. */
export interface FfmpegTools {
  ffmpeg: string;
  /** undefined: probe through ffmpeg itself. */
  ffprobe?: string;
  source: 'flag' | 'env' | 'ffmpeg-static' | 'path';
  /** Where ffprobe was found (undefined when there is none). */
  ffprobeSource?: 'flag' | 'env' | 'beside-ffmpeg' | 'path';
}

export interface LocateOptions {
  /** --ffmpeg: a path, or a bare command name looked up on PATH. */
  ffmpeg?: string;
  /** --ffprobe */
  ffprobe?: string;
  /** Defaults to process.env (FFMPEG_PATH, FFPROBE_PATH, PATH). */
  env?: NodeJS.ProcessEnv;
  /**
   * The ffmpeg-static package's binary path, or null when the package is not installed. Defaults to importing the
   * package; tests pass a stub.
   */
  ffmpegStatic?: () => Promise<string | null | undefined>;
}

/** One line saying how to get ffmpeg, for every platform we support. */
export const FFMPEG_INSTALL_HINT =
  'install ffmpeg (Debian/Ubuntu: `sudo apt-get install ffmpeg`; macOS: `brew install ffmpeg`; Windows: ' +
  '`winget install ffmpeg` or https://ffmpeg.org/download.html), or point --ffmpeg / FFMPEG_PATH at an ffmpeg binary';

/** ffmpeg (or ffprobe) is missing or does not run. The next step says how to install it. */
export class FfmpegMissingError extends UserError {
  constructor(message: string, nextStep: string = FFMPEG_INSTALL_HINT) {
    super(message, nextStep);
  }
}

/** `-version` answers in a few ms; the margin is for a loaded 2-core machine starting a binary from a cold disk. */
export const VERSION_CHECK_TIMEOUT_MS = 10_000;
/** Output kept from one tool run; `ffmpeg -h full` prints about 1 MB. Past this the child is killed. */
export const MAX_TOOL_OUTPUT_BYTES = 16 * 1024 * 1024;

/**
 * Finds ffmpeg: --ffmpeg, then FFMPEG_PATH, then the ffmpeg-static package (installed and its binary present), then
 * `ffmpeg` on PATH; ffprobe: --ffprobe, then FFPROBE_PATH, then beside the chosen ffmpeg, then PATH. A path the user
 * named explicitly must work (no silent fallback); every candidate is checked by running `-version`.
 */
export async function locateFfmpeg(options: LocateOptions = {}): Promise<FfmpegTools> {
  const env = options.env ?? process.env;
  const { path: ffmpeg, source } = await findFfmpeg(options, env);
  const probe = await findFfprobe(options, env, ffmpeg);
  return probe === undefined ? { ffmpeg, source } : { ffmpeg, source, ffprobe: probe.path, ffprobeSource: probe.source };
}

async function findFfmpeg(options: LocateOptions, env: NodeJS.ProcessEnv): Promise<{ path: string; source: FfmpegTools['source'] }> {
  const explicit = explicitChoice(options.ffmpeg, env.FFMPEG_PATH, '--ffmpeg', 'FFMPEG_PATH');
  if (explicit !== undefined) {
    const path = await requireRuns('ffmpeg', explicit.value, explicit.label, env);
    return { path, source: explicit.source };
  }
  const problems: string[] = [];
  const fromPackage = await (options.ffmpegStatic ?? importFfmpegStatic)().catch(() => undefined);
  if (typeof fromPackage === 'string' && fromPackage !== '' && isFile(fromPackage)) {
    const problem = await runsProblem(fromPackage, 'ffmpeg');
    if (problem === undefined) return { path: fromPackage, source: 'ffmpeg-static' };
    problems.push(`the ffmpeg-static binary ${fromPackage} ${problem}`);
  }
  const onPath = findOnPath(toolName('ffmpeg'), env);
  if (onPath !== undefined) {
    const problem = await runsProblem(onPath, 'ffmpeg');
    if (problem === undefined) return { path: onPath, source: 'path' };
    problems.push(`${onPath} ${problem}`);
  }
  const why = problems.length > 0 ? problems.join('; ') : 'ffmpeg is not on PATH and the ffmpeg-static package is not installed';
  throw new FfmpegMissingError(`no usable ffmpeg found: ${why}`);
}

async function findFfprobe(
  options: LocateOptions,
  env: NodeJS.ProcessEnv,
  ffmpeg: string,
): Promise<{ path: string; source: NonNullable<FfmpegTools['ffprobeSource']> } | undefined> {
  const explicit = explicitChoice(options.ffprobe, env.FFPROBE_PATH, '--ffprobe', 'FFPROBE_PATH');
  if (explicit !== undefined) {
    const path = await requireRuns('ffprobe', explicit.value, explicit.label, env);
    return { path, source: explicit.source };
  }
  const beside = join(dirname(ffmpeg), toolName('ffprobe'));
  if (isFile(beside) && (await runsProblem(beside, 'ffprobe')) === undefined) return { path: beside, source: 'beside-ffmpeg' };
  const onPath = findOnPath(toolName('ffprobe'), env);
  if (onPath !== undefined && onPath !== beside && (await runsProblem(onPath, 'ffprobe')) === undefined) {
    return { path: onPath, source: 'path' };
  }
  return undefined;
}

function explicitChoice(
  flag: string | undefined,
  envValue: string | undefined,
  flagName: string,
  envName: string,
): { value: string; source: 'flag' | 'env'; label: string } | undefined {
  if (flag !== undefined && flag !== '') return { value: flag, source: 'flag', label: flagName };
  if (envValue !== undefined && envValue !== '') return { value: envValue, source: 'env', label: envName };
  return undefined;
}

/** Resolves a path the user named (a bare name is looked up on PATH) and checks it runs, or throws. */
async function requireRuns(tool: 'ffmpeg' | 'ffprobe', value: string, label: string, env: NodeJS.ProcessEnv): Promise<string> {
  const bareName = !value.includes('/') && !value.includes('\\');
  const path = bareName ? findOnPath(value, env) : isAbsolute(value) ? value : resolve(value);
  const hint = `install ffmpeg (it includes ffprobe), or fix ${label}`;
  const next = tool === 'ffmpeg' ? FFMPEG_INSTALL_HINT : hint;
  if (path === undefined) throw new FfmpegMissingError(`${label} names '${value}', which is not on PATH`, next);
  if (!isFile(path)) throw new FfmpegMissingError(`${label} names ${path}, which does not exist`, next);
  const problem = await runsProblem(path, tool);
  if (problem !== undefined) throw new FfmpegMissingError(`${label} names ${path}, which ${problem}`, next);
  return path;
}

/** Why `path -version` does not look like the tool, or undefined when it runs. */
async function runsProblem(path: string, tool: 'ffmpeg' | 'ffprobe'): Promise<string | undefined> {
  let result: ToolResult;
  try {
    result = await runTool(path, ['-version'], { timeoutMs: VERSION_CHECK_TIMEOUT_MS });
  } catch (error) {
    return `does not run (${(error as Error).message})`;
  }
  if (result.code !== 0) return `exits with ${result.code ?? result.signal} on -version (${lastLine(result.stderr) ?? 'no output'})`;
  if (!result.stdout.startsWith(`${tool} version`)) return `does not look like ${tool} (its -version says '${firstLine(result.stdout)}')`;
  return undefined;
}

async function importFfmpegStatic(): Promise<string | null | undefined> {
  // A variable specifier: the package is optional, so neither tsc nor the loader may require it at build time.
  const specifier = 'ffmpeg-static';
  const module = (await import(specifier)) as { default?: unknown };
  return typeof module.default === 'string' ? module.default : null;
}

function toolName(tool: string): string {
  return process.platform === 'win32' ? `${tool}.exe` : tool;
}

/** The first executable file called `name` in the PATH of `env`. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const dirs = (env.PATH ?? env.Path ?? '').split(delimiter).filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isExecutableFile(path: string): boolean {
  if (!isFile(path)) return false;
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface ToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** stdout as bytes, for tools that print binary (FLV on pipe:1). */
  stdoutBytes: Buffer;
  stderr: string;
}

export interface RunToolOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The tool ran longer than its timeout and was killed. */
export class ToolTimeoutError extends Error {}

/**
 * Runs ffmpeg or ffprobe to completion and collects its output. The child is killed (SIGKILL) when `signal` aborts
 * (the promise then rejects with the signal's reason), when `timeoutMs` passes (ToolTimeoutError), or when it prints
 * more than MAX_TOOL_OUTPUT_BYTES. Spawn failures (ENOENT, EACCES) reject with the system error.
 */
export function runTool(file: string, args: readonly string[], options: RunToolOptions): Promise<ToolResult> {
  const { signal, timeoutMs } = options;
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<ToolResult>((resolvePromise, reject) => {
    const child = spawn(file, [...args], { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let bytes = 0;
    let failure: Error | undefined;
    const kill = (why: Error): void => {
      failure ??= why;
      child.kill('SIGKILL');
    };
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_TOOL_OUTPUT_BYTES) kill(new Error(`${file} printed more than ${MAX_TOOL_OUTPUT_BYTES} bytes`));
      else into.push(chunk);
    };
    child.stdout.on('data', collect(stdout));
    child.stderr.on('data', collect(stderr));
    const timer = setTimeout(() => kill(new ToolTimeoutError(`${file} did not finish within ${timeoutMs / 1000} s`)), timeoutMs);
    const onAbort = (): void => kill(signal?.reason as Error);
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    child.once('error', (error) => {
      done();
      reject(failure ?? error);
    });
    child.once('close', (code, exitSignal) => {
      done();
      if (failure !== undefined) reject(failure);
      else {
        const stdoutBytes = Buffer.concat(stdout);
        resolvePromise({
          code,
          signal: exitSignal,
          stdout: stdoutBytes.toString('utf8'),
          stdoutBytes,
          stderr: Buffer.concat(stderr).toString('utf8'),
        });
      }
    });
  });
}

/** The last non-empty line of a tool's output, trimmed. */
export function lastLine(text: string): string | undefined {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  return lines[lines.length - 1];
}

function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0]?.trim() ?? '';
}
