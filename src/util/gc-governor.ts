import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { whenLoopQuiet } from './loop-quiet.js';

/**
 * Above this much garbage-prone Buffer memory, a full collection is asked for. Media payloads under 128 KiB live in
 * glibc's heap, so the garbage between two collections is resident: 1.5 MiB rather than 2 took 0.5 MB off the peak
 * with 300 viewers, for about three more collections a minute with a 2.5 Mb/s stream (under 1 ms of CPU a second).
 */
export const GC_TRIGGER_ARRAY_BUFFER_BYTES = 1.5 * 1024 * 1024;
/** When the JavaScript heap has grown this much past what the last full collection left, one is asked for. */
export const GC_TRIGGER_HEAP_GROWTH_BYTES = 2 * 1024 * 1024;
/**
 * At most one collection for heap growth in this many checks (seconds): with the dashboard and 50 viewers the heap
 * grew 2 MB about every second, and collecting each time cost a point of a core (bench/RESULTS.md).
 */
export const GC_HEAP_TRIGGER_MIN_CHECKS = 2;
const CHECK_INTERVAL_MS = 1000;
/**
 * A due collection waits for a quiet moment of the event loop (see whenLoopQuiet), at most this long: a full
 * collection stalls the loop for 10-15 ms, which in the middle of 300 joins is every later joiner's wait.
 */
export const GC_MAX_DEFER_MS = 1000;

export interface GcTriggers {
  arrayBufferBytes: number;
  heapGrowthBytes: number;
  /** Checks between two collections asked for by heap growth (Buffer memory is not held back). */
  heapMinChecks: number;
}

/** What the governor watches: Buffer memory and the JavaScript heap in use, in bytes. */
export interface GcReading {
  arrayBuffers: number;
  heapUsed: number;
}

const DEFAULT_TRIGGERS: GcTriggers = {
  arrayBufferBytes: GC_TRIGGER_ARRAY_BUFFER_BYTES,
  heapGrowthBytes: GC_TRIGGER_HEAP_GROWTH_BYTES,
  heapMinChecks: GC_HEAP_TRIGGER_MIN_CHECKS,
};

/**
 * Keeps a long-running server's memory flat. Every media packet's Buffers outlive a few young-generation
 * collections (the GOP cache holds them for a GOP), so V8 promotes them and frees their off-heap bytes only at the
 * next full collection, which its heuristics put off until tens of MB have piled up. The dashboard does the same to
 * the heap itself: each redraw's objects are promoted through the 1 MB young generation, and the heap went from 13
 * to 26 MB between full collections (RSS up 10 MB). Asking for a full collection when Buffer memory crosses a few
 * MB, or when the heap has grown a few MB since the last one, costs a few milliseconds every few seconds and keeps
 * the peak near the working set. Returns a function that stops it.
 */
export function startGcGovernor(triggers: GcTriggers = DEFAULT_TRIGGERS): () => void {
  const collect = exposeGc();
  if (collect === undefined) return () => {};
  // process.memoryUsage() reads /proc/self/status: at the file-descriptor limit it throws EMFILE. A missed check
  // costs nothing; a throw from a timer would end the process.
  const read = (): GcReading => {
    const { arrayBuffers, heapUsed } = process.memoryUsage();
    return { arrayBuffers, heapUsed };
  };
  const governor = new GcGovernor(triggers, read, collect);
  let cancelWait: (() => void) | undefined;
  const timer = setInterval(() => {
    if (cancelWait !== undefined) return; // a collection is already waiting for a quiet moment
    try {
      if (!governor.due()) return;
    } catch {
      return; // checked again in a second
    }
    cancelWait = whenLoopQuiet(() => {
      cancelWait = undefined;
      try {
        governor.collectNow();
      } catch {
        // the thresholds are re-armed at the next collection
      }
    }, { maxWaitMs: GC_MAX_DEFER_MS });
  }, CHECK_INTERVAL_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    cancelWait?.();
  };
}

/**
 * The decision, apart from the timer. Buffer memory that survives a collection is live (an HLS window holds a few
 * MB for as long as it runs): when more than the trigger survives, the trigger rises to half the trigger above it,
 * so live data alone never sets off a collection a second. Below that nothing changes (the fan-out tuning holds).
 * The heap is judged against what the last collection left, so a large live heap never triggers by itself.
 */
export class GcGovernor {
  private bufferThreshold: number;
  private heapThreshold: number | undefined;
  private checksSinceCollection = 0;

  constructor(
    private readonly triggers: GcTriggers,
    private readonly read: () => GcReading,
    private readonly collect: () => void,
  ) {
    this.bufferThreshold = triggers.arrayBufferBytes;
  }

  /** Reads memory and collects when a trigger is crossed (due, then collectNow). */
  check(): void {
    if (this.due()) this.collectNow();
  }

  /** Whether a trigger is crossed: a check (each call counts toward heapMinChecks). */
  due(): boolean {
    const now = this.read();
    // The first reading stands for "what was live": nothing is known about the heap before a collection.
    this.heapThreshold ??= now.heapUsed + this.triggers.heapGrowthBytes;
    this.checksSinceCollection++;
    const forBuffers = now.arrayBuffers > this.bufferThreshold;
    const forHeap = now.heapUsed > this.heapThreshold && this.checksSinceCollection >= this.triggers.heapMinChecks;
    return forBuffers || forHeap;
  }

  /** Collects, then sets the thresholds from what is left. */
  collectNow(): void {
    this.collect();
    this.checksSinceCollection = 0;
    const live = this.read();
    const trigger = this.triggers.arrayBufferBytes;
    this.bufferThreshold = live.arrayBuffers > trigger ? live.arrayBuffers + trigger / 2 : trigger;
    this.heapThreshold = live.heapUsed + this.triggers.heapGrowthBytes;
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
