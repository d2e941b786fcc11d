import chalk from 'chalk';
import type { LogFields, LogLevel, Logger } from '../util/logger.js';

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const LEVEL_STYLE: Record<LogLevel, (text: string) => string> = {
  debug: chalk.dim,
  info: (text) => text,
  warn: chalk.yellow,
  error: chalk.red,
};

/** Plain timestamped log lines, for terminals without the dashboard, pipes and services. */
export class LineLogger implements Logger {
  constructor(
    private readonly minimum: LogLevel = 'info',
    private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

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
    private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

  log(level: LogLevel, message: string, fields?: LogFields): void {
    if (LEVEL_ORDER[level] < LEVEL_ORDER[this.minimum]) return;
    this.write(JSON.stringify({ ...fields, time: new Date().toISOString(), level, message }));
  }
}
