import { describe, expect, it } from 'vitest';
import { whenLoopQuiet } from '../../../src/util/loop-quiet.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A utilization reader that answers `shares` in turn (the first call only starts the measurement), then `rest`. */
function readings(shares: number[], rest: number) {
  let calls = 0;
  return {
    utilization: () => (calls++ === 0 ? 0 : (shares[calls - 2] ?? rest)),
    probes: () => calls - 1,
  };
}

describe('whenLoopQuiet', () => {
  it('runs the task after one probe when the loop is idle', async () => {
    const r = readings([], 0.05);
    let ran = 0;
    whenLoopQuiet(() => ran++, { probeMs: 2, maxWaitMs: 1000, utilization: r.utilization });
    expect(ran).toBe(0);
    await sleep(40);
    expect(ran).toBe(1);
    expect(r.probes()).toBe(1);
  });

  it('waits while the loop is busy', async () => {
    const r = readings([0.95, 0.8, 0.6], 0.2);
    let ran = 0;
    whenLoopQuiet(() => ran++, { probeMs: 2, maxWaitMs: 1000, utilization: r.utilization });
    await sleep(80);
    expect(ran).toBe(1);
    expect(r.probes()).toBe(4);
  });

  it('runs at the longest wait however busy the loop stays', async () => {
    const r = readings([], 1);
    let ran = 0;
    whenLoopQuiet(() => ran++, { probeMs: 2, maxWaitMs: 30, utilization: r.utilization });
    await sleep(10);
    expect(ran).toBe(0);
    await sleep(80);
    expect(ran).toBe(1);
  });

  it('does nothing once cancelled', async () => {
    let ran = 0;
    const cancel = whenLoopQuiet(() => ran++, { probeMs: 2, maxWaitMs: 1000, utilization: () => 0 });
    cancel();
    await sleep(30);
    expect(ran).toBe(0);
  });

  it('measures the real event loop by default: a busy loop holds the task back', async () => {
    let ranAt = 0;
    const start = performance.now();
    whenLoopQuiet(() => (ranAt = performance.now() - start), { probeMs: 10, maxWaitMs: 2000 });
    // Busy for about 100 ms in slices, as a burst of joins keeps the loop.
    for (let i = 0; i < 10; i++) {
      const until = performance.now() + 10;
      while (performance.now() < until);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await sleep(100);
    expect(ranAt).toBeGreaterThanOrEqual(90);
  });
});
