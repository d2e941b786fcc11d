/** Where the server's events go: plain lines, JSON lines, the dashboard's event list, or nowhere in tests. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogFields {
  [key: string]: string | number | boolean | undefined;
}

export interface Logger {
  log(level: LogLevel, message: string, fields?: LogFields): void;
}

export const silentLogger: Logger = { log: () => {} };

export function debug(logger: Logger, message: string, fields?: LogFields): void {
  logger.log('debug', message, fields);
}
