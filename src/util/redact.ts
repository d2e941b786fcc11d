import type { LogFields, Logger } from './logger.js';

/** Query parameters that carry credentials: their values never reach a log line, an event or the status. */
export const SECRET_PARAMETERS = ['secret', 'sign', 'token'] as const;

const SECRET_VALUE = new RegExp(`\\b(${SECRET_PARAMETERS.join('|')})=[^&\\s'"]*`, 'gi');

/** `live/movie?secret=hunter2&x=1` → `live/movie?secret=<redacted>&x=1`, wherever such a pair appears in `text`. */
export function redactSecrets(text: string): string {
  // Every line passes here (twice: the server's logger and the console's); most carry no `name=value` at all.
  return text.includes('=') ? text.replace(SECRET_VALUE, '$1=<redacted>') : text;
}

/** A logger that redacts credential values from every message and string field before `inner` sees them. */
export function redactingLogger(inner: Logger): Logger {
  return {
    log: (level, message, fields) => inner.log(level, redactSecrets(message), fields === undefined ? undefined : redactFields(fields)),
  };
}

function redactFields(fields: LogFields): LogFields {
  let secretProne = false;
  for (const name in fields) {
    const value = fields[name];
    if (typeof value === 'string' && value.includes('=')) secretProne = true;
  }
  if (!secretProne) return fields;
  const out: LogFields = {};
  for (const [name, value] of Object.entries(fields)) out[name] = typeof value === 'string' ? redactSecrets(value) : value;
  return out;
}
