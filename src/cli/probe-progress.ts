import { type ProbeProgress, progressLine } from '../playout/probe-pool.js';
import { truncateDisplay } from '../util/display-width.js';

/**
 * Probing progress on a terminal: one line on stderr, rewritten as each probe starts (`probing 12/40: Amélie.mkv`) and
 * cleared when done. Not on a pipe or in a log: there the result is what matters.
 */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): { onProgress?: ProbeProgress; done(): void } {
  if (stream.isTTY !== true) return { done: () => {} };
  let shown = false;
  const width = Math.max(20, (stream.columns ?? 80) - 1);
  return {
    onProgress: (progress) => {
      shown = true;
      stream.write(`\r\x1b[2K${truncateDisplay(progressLine(progress), width)}`);
    },
    done: () => {
      if (shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}
