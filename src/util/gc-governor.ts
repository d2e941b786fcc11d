import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Above this much garbage-prone Buffer memory, a full collection is asked for. */
export const GC_TRIGGER_ARRAY_BUFFER_BYTES = 2 * 1024 * 1024;
const CHECK_INTERVAL_MS = 1000;

/**
 * Keeps a long-running server's memory flat. Every media packet's Buffers outlive a few young-generation
 * collections (the GOP cache holds them for a GOP), so V8 promotes them and frees their off-heap bytes only at the
 * next full collection, which its heuristics put off until tens of MB have piled up. Asking for a full collection
 * when Buffer memory crosses a few MB costs a few milliseconds every few seconds and keeps the peak near the
 * working set. Returns a function that stops it.
 */
export function startGcGovernor(triggerBytes = GC_TRIGGER_ARRAY_BUFFER_BYTES): () => void {
  const collect = exposeGc();
  if (collect === undefined) return () => {};
  // process.memoryUsage() reads /proc/self/status: at the file-descriptor limit it throws EMFILE. A missed check
  // costs nothing; a throw from a timer would end the process.
  const timer = setInterval(() => {
    try {
      if (process.memoryUsage().arrayBuffers > triggerBytes) collect();
    } catch {
      // checked again in a second
    }
  }, CHECK_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

function exposeGc(): (() => void) | undefined {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === 'function') return existing;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}
