import chalk from 'chalk';
import type { LogFields, LogLevel, Logger } from '../util/logger.js';

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const LEVEL_STYLE: Record<LogLevel, (text: string) => string> = {
  debug: chalk.dim,
  info: (text) => text,
  warn: chalk.yellow,
  error: chalk.red,
};

/**
 * Lines wait for the end of the event loop's turn and leave in one write: 300 viewers joining at once log up to 200
 * lines (the peer-line limiter's burst), and a write system call for each was about 4 % of what a fresh server's
 * burst cost it (bench/RESULTS.md, 21:24 notes). Past this many characters the waiting lines are written at once.
 */
export const STDOUT_BATCH_MAX_CHARS = 64 * 1024;

/**
 * Queues a line for stdout (see STDOUT_BATCH_MAX_CHARS); every line of the process goes through here, log lines and
 * printed ones alike, so they keep their order. A reader that went away (`serve | head`, a closed terminal) makes
 * stdout fail with EPIPE; that must cost the log, never the server: the failure is noted once on stderr and later
 * lines are dropped.
 */
export function printLine(line: string): void {
  if (stdoutBroken) return;
  pending.push(line);
  pendingChars += line.length + 1;
  if (pendingChars >= STDOUT_BATCH_MAX_CHARS) return flushStdout();
  if (!flushQueued) {
    flushQueued = true;
    setImmediate(flushStdout);
    guardStdout();
  }
}

/** Writes the waiting lines now (also on exit: stdout is synchronous for files, pipes and terminals on POSIX). */
export function flushStdout(): void {
  flushQueued = false;
  if (pending.length === 0) return;
  const text = `${pending.join('\n')}\n`;
  pending = [];
  pendingChars = 0;
  if (stdoutBroken) return;
  try {
    process.stdout.write(text);
  } catch {
    markStdoutBroken();
  }
}

// Module state on purpose: process.stdout is one per process, and so is the knowledge that it is gone.
let stdoutBroken = false;
let stdoutGuarded = false;
let pending: string[] = [];
let pendingChars = 0;
let flushQueued = false;

function markStdoutBroken(): void {
  if (stdoutBroken) return;
  stdoutBroken = true;
  try {
    process.stderr.write('kayak-cast: standard output is closed; log lines are dropped from now on\n');
  } catch {
    // stderr is gone too: nothing left to tell
  }
}

/**
 * Installs the one 'error' listener on stdout (idempotent): EPIPE and friends arrive asynchronously there; and the
 * flush of waiting lines at exit.
 */
export function guardStdout(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.on('error', markStdoutBroken);
  process.on('exit', flushStdout);
}

/** Plain timestamped log lines, for terminals without the dashboard, pipes and services. */
export class LineLogger implements Logger {
  constructor(
    private readonly minimum: LogLevel = 'info',
    private readonly write: (line: string) => void = printLine,
  ) {
    guardStdout();
  }

  log(level: LogLevel, message: string, _fields?: LogFields): void {
    if (LEVEL_ORDER[level] < LEVEL_ORDER[this.minimum]) return;
    const time = new Date().toTimeString().slice(0, 8);
    const tag = level === 'info' ? '' : `${level}: `;
    this.write(`${chalk.dim(time)} ${LEVEL_STYLE[level](`${tag}${message}`)}`);
  }
}

/** One JSON object a line (`--log-format json`), for log collectors: time, level, message and the line's fields. */
export class JsonLineLogger implements Logger {
  constructor(
    private readonly minimum: LogLevel = 'info',
    private readonly write: (line: string) => void = printLine,
  ) {
    guardStdout();
  }

  log(level: LogLevel, message: string, fields?: LogFields): void {
    if (LEVEL_ORDER[level] < LEVEL_ORDER[this.minimum]) return;
    this.write(JSON.stringify({ ...fields, time: new Date().toISOString(), level, message }));
  }
}
