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
 * V8 frees the memory of the Buffers a young-generation collection found dead on a background task, a few
 * milliseconds later (under 10 ms with one stream): Buffer memory is read again this long after asking for one.
 */
export const GC_YOUNG_SETTLE_MS = 25;
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

/** A young-generation collection (a scavenge, about a millisecond) or a full one (12-21 ms with a server's heap). */
export type GcKind = 'young' | 'full';

/** What a check calls for: nothing, a young-generation collection first (see GcGovernor.due), or a full one. */
export type GcVerdict = 'none' | 'young' | 'full';

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
 * the peak near the working set.
 *
 * Buffer memory is tried with a young-generation collection first. With a stream and few viewers, V8 itself
 * collects the young generation only every few seconds, and what crosses the trigger is mostly young garbage (each
 * socket read's Buffer, and the copy of each message the chunk reader keeps): a scavenge frees it in about a
 * millisecond, where a full collection took 12-21 ms of the main thread and threw away optimised code of Node's
 * stream internals, which then ran slower until V8 optimised it again (bench/RESULTS.md). A full collection follows
 * only when Buffer memory is still over the trigger once that has settled: with hundreds of viewers, whose writes
 * keep V8 scavenging, the garbage is promoted Buffers. Returns a function that stops it.
 */
export function startGcGovernor(triggers: GcTriggers = DEFAULT_TRIGGERS): () => void {
  const gc = exposeGc();
  if (gc === undefined) return () => {};
  // process.memoryUsage() reads /proc/self/status: at the file-descriptor limit it throws EMFILE. A missed check
  // costs nothing; a throw from a timer would end the process.
  const read = (): GcReading => {
    const { arrayBuffers, heapUsed } = process.memoryUsage();
    return { arrayBuffers, heapUsed };
  };
  const governor = new GcGovernor(triggers, read, (kind) => (kind === 'young' ? gc({ type: 'minor' }) : gc()));
  /** Cancels what is pending: a young collection settling, or a full one waiting for a quiet moment. */
  let cancelPending: (() => void) | undefined;
  const collectFull = (): void => {
    cancelPending = whenLoopQuiet(() => {
      cancelPending = undefined;
      try {
        governor.collectNow();
      } catch {
        // the thresholds are re-armed at the next collection
      }
    }, { maxWaitMs: GC_MAX_DEFER_MS });
  };
  const timer = setInterval(() => {
    if (cancelPending !== undefined) return;
    let verdict: GcVerdict;
    try {
      verdict = governor.due();
      if (verdict === 'young') governor.collectYoung();
    } catch {
      return; // checked again in a second
    }
    if (verdict === 'full') return collectFull();
    if (verdict === 'none') return;
    const settle = setTimeout(() => {
      cancelPending = undefined;
      try {
        if (governor.stillOver()) collectFull();
      } catch {
        // checked again in a second
      }
    }, GC_YOUNG_SETTLE_MS);
    settle.unref();
    cancelPending = () => clearTimeout(settle);
  }, CHECK_INTERVAL_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    cancelPending?.();
  };
}

/**
 * The decision, apart from the timer. Buffer memory that survives a collection is live (an HLS window holds a few
 * MB for as long as it runs): when more than the trigger survives, the trigger rises to half the trigger above it,
 * so live data alone never sets off a collection a second. Below that nothing changes (the fan-out tuning holds).
 * The heap is judged against what the last full collection left, so a large live heap never triggers by itself.
 */
export class GcGovernor {
  private bufferThreshold: number;
  private heapThreshold: number | undefined;
  private checksSinceCollection = 0;

  constructor(
    private readonly triggers: GcTriggers,
    private readonly read: () => GcReading,
    private readonly collect: (kind: GcKind) => void,
  ) {
    this.bufferThreshold = triggers.arrayBufferBytes;
  }

  /**
   * A check and what it calls for, at once (startGcGovernor lets a young collection's memory settle before it looks
   * again).
   */
  check(): void {
    const verdict = this.due();
    if (verdict === 'none') return;
    if (verdict === 'young') {
      this.collectYoung();
      if (!this.stillOver()) return;
    }
    this.collectNow();
  }

  /**
   * Reads memory (each call counts toward heapMinChecks): 'full' when the heap has grown past its trigger, 'young'
   * when only Buffer memory is over its trigger (see collectYoung), 'none' otherwise.
   */
  due(): GcVerdict {
    const now = this.read();
    // The first reading stands for "what was live": nothing is known about the heap before a collection.
    this.heapThreshold ??= now.heapUsed + this.triggers.heapGrowthBytes;
    this.checksSinceCollection++;
    if (now.heapUsed > this.heapThreshold && this.checksSinceCollection >= this.triggers.heapMinChecks) return 'full';
    return now.arrayBuffers > this.bufferThreshold ? 'young' : 'none';
  }

  /** A young-generation collection, for Buffer memory over its trigger; the thresholds stay as they are. */
  collectYoung(): void {
    this.collect('young');
  }

  /** Whether Buffer memory is still over its trigger (once collectYoung has settled: then a full one is due). */
  stillOver(): boolean {
    return this.read().arrayBuffers > this.bufferThreshold;
  }

  /** A full collection, then the thresholds are set from what is left. */
  collectNow(): void {
    this.collect('full');
    this.checksSinceCollection = 0;
    const live = this.read();
    const trigger = this.triggers.arrayBufferBytes;
    this.bufferThreshold = live.arrayBuffers > trigger ? live.arrayBuffers + trigger / 2 : trigger;
    this.heapThreshold = live.heapUsed + this.triggers.heapGrowthBytes;
  }
}

/** V8's gc(): with no argument a full collection, with `{ type: 'minor' }` a young-generation one. */
type V8Gc = (options?: { type: 'minor' | 'major' }) => void;

function exposeGc(): V8Gc | undefined {
  const existing = (globalThis as { gc?: V8Gc }).gc;
  if (typeof existing === 'function') return existing;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as V8Gc) : undefined;
  } catch {
    return undefined;
  }
}
