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
  const governor = new GcGovernor(triggerBytes, () => process.memoryUsage().arrayBuffers, collect);
  const timer = setInterval(() => {
    try {
      governor.check();
    } catch {
      // checked again in a second
    }
  }, CHECK_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * The decision, apart from the timer. Buffer memory that survives a collection is live (an HLS window holds a few
 * MB for as long as it runs): when more than the trigger survives, the trigger rises to half the trigger above it,
 * so live data alone never sets off a collection a second. Below that nothing changes (the fan-out tuning holds).
 */
export class GcGovernor {
  private threshold: number;

  constructor(
    private readonly triggerBytes: number,
    private readonly arrayBuffers: () => number,
    private readonly collect: () => void,
  ) {
    this.threshold = triggerBytes;
  }

  check(): void {
    if (this.arrayBuffers() <= this.threshold) return;
    this.collect();
    const live = this.arrayBuffers();
    this.threshold = live > this.triggerBytes ? live + this.triggerBytes / 2 : this.triggerBytes;
  }
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
