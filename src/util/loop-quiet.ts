import { performance } from 'node:perf_hooks';

/** The event loop counts as busy while it spends more than this share of its time running code. */
export const LOOP_BUSY_UTILIZATION = 0.5;
/** How long each look at the loop lasts. */
export const LOOP_QUIET_PROBE_MS = 25;

export interface QuietOptions {
  /** Share of time busy (0-1) above which the loop is not quiet. */
  busyUtilization?: number;
  probeMs?: number;
  /** Runs the task after this long whatever the loop does. */
  maxWaitMs: number;
  /** The loop's utilization since the previous call (0-1); default: Node's eventLoopUtilization. */
  utilization?: () => number;
}

/**
 * Runs `task` once the event loop has spent a probe (LOOP_QUIET_PROBE_MS) mostly idle, or after `maxWaitMs`: work
 * that stalls the loop for milliseconds (a full garbage collection) then lands after a burst of 300 joins rather than
 * in the middle of it. Returns a function that cancels the task if it has not run.
 */
export function whenLoopQuiet(task: () => void, options: QuietOptions): () => void {
  const busyUtilization = options.busyUtilization ?? LOOP_BUSY_UTILIZATION;
  const probeMs = options.probeMs ?? LOOP_QUIET_PROBE_MS;
  const utilization = options.utilization ?? loopUtilization();
  const deadline = performance.now() + options.maxWaitMs;
  let timer: NodeJS.Timeout | undefined;
  const probe = () => {
    if (utilization() <= busyUtilization || performance.now() >= deadline) {
      timer = undefined;
      task();
      return;
    }
    timer = setTimeout(probe, probeMs);
    timer.unref();
  };
  utilization(); // the first probe measures from now
  timer = setTimeout(probe, probeMs);
  timer.unref();
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
}

/** A reader of the event loop's utilization since its previous call. */
function loopUtilization(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const share = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    return share;
  };
}
