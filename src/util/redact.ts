import type { LogFields, Logger } from './logger.js';

/** Query parameters that carry credentials: their values never reach a log line, an event or the status. */
export const SECRET_PARAMETERS = ['secret', 'sign', 'token'] as const;

const SECRET_VALUE = new RegExp(`\\b(${SECRET_PARAMETERS.join('|')})=[^&\\s'"]*`, 'gi');

/** `live/movie?secret=hunter2&x=1` → `live/movie?secret=<redacted>&x=1`, wherever such a pair appears in `text`. */
export function redactSecrets(text: string): string {
  return text.replace(SECRET_VALUE, '$1=<redacted>');
}

/** A logger that redacts credential values from every message and string field before `inner` sees them. */
export function redactingLogger(inner: Logger): Logger {
  return {
    log: (level, message, fields) => inner.log(level, redactSecrets(message), fields === undefined ? undefined : redactFields(fields)),
  };
}

function redactFields(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [name, value] of Object.entries(fields)) out[name] = typeof value === 'string' ? redactSecrets(value) : value;
  return out;
}
