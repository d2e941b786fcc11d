import type { Logger } from './logger.js';

/**
 * setInterval whose callback can never take the process down: a throw (a sampling call failing with EMFILE, a bug)
 * is logged, at most once a minute per timer, and the timer keeps running. Unref'd: it never holds the process open.
 * Returns a function that stops it.
 */
export function safeInterval(name: string, intervalMs: number, tick: () => void, logger: Logger): () => void {
  let lastReport = -Infinity;
  let suppressed = 0;
  const timer = setInterval(() => {
    try {
      tick();
    } catch (error) {
      const now = performance.now();
      if (now - lastReport < 60_000) {
        suppressed++;
        return;
      }
      const more = suppressed > 0 ? ` (${suppressed} more since the last report)` : '';
      lastReport = now;
      suppressed = 0;
      logger.log('error', `${name} failed and will retry: ${describeError(error)}${more}`, { event: 'timer-error' });
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code !== undefined && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
