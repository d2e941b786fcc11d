import { describe, expect, it } from 'vitest';
import { GcGovernor, type GcReading } from '../../../src/util/gc-governor.js';

const MB = 1024 * 1024;
const TRIGGERS = { arrayBufferBytes: 2 * MB, heapGrowthBytes: 2 * MB };

/** A governor over a pretend process: `now` is what a check reads, `afterCollect` what a collection leaves. */
function pretend(now: GcReading, afterCollect: () => GcReading) {
  const state = { now, collections: 0 };
  const governor = new GcGovernor(TRIGGERS, () => state.now, () => {
    state.collections++;
    state.now = afterCollect();
  });
  return { state, governor };
}

describe('GcGovernor', () => {
  it('collects past the Buffer trigger while what survives a collection is small', () => {
    const { state, governor } = pretend({ arrayBuffers: 0, heapUsed: 10 * MB }, () => ({ arrayBuffers: 0.5 * MB, heapUsed: 10 * MB }));
    state.now = { arrayBuffers: 1.9 * MB, heapUsed: 10 * MB };
    governor.check();
    expect(state.collections).toBe(0);
    state.now = { arrayBuffers: 2.1 * MB, heapUsed: 10 * MB };
    governor.check();
    expect(state.collections).toBe(1);
    state.now = { arrayBuffers: 2.1 * MB, heapUsed: 10 * MB };
    governor.check();
    expect(state.collections).toBe(2);
  });

  it('does not collect every check when live Buffers (an HLS window) exceed the trigger', () => {
    let live = 4 * MB;
    const { state, governor } = pretend({ arrayBuffers: 0, heapUsed: 10 * MB }, () => ({ arrayBuffers: live, heapUsed: 10 * MB }));
    state.now = { arrayBuffers: live + 0.3 * MB, heapUsed: 10 * MB };
    governor.check();
    expect(state.collections).toBe(1);
    for (let i = 0; i < 10; i++) {
      state.now = { arrayBuffers: live + 0.5 * MB, heapUsed: 10 * MB };
      governor.check();
    }
    expect(state.collections).toBe(1);
    state.now = { arrayBuffers: live + 1.1 * MB, heapUsed: 10 * MB };
    governor.check();
    expect(state.collections).toBe(2);
    // The window is freed: the next collection finds little live data, and the trigger is back at 2 MB.
    live = 0.2 * MB;
    state.now = { arrayBuffers: 5.2 * MB, heapUsed: 10 * MB };
    governor.check();
    expect(state.collections).toBe(3);
    state.now = { arrayBuffers: 2.1 * MB, heapUsed: 10 * MB };
    governor.check();
    expect(state.collections).toBe(4);
  });

  it('collects when the heap has grown past what the last collection left, judged from that level', () => {
    let live = 13 * MB;
    const { state, governor } = pretend({ arrayBuffers: 0, heapUsed: 13 * MB }, () => ({ arrayBuffers: 0, heapUsed: live }));
    governor.check(); // the first reading is the baseline
    state.now = { arrayBuffers: 0, heapUsed: 14.9 * MB };
    governor.check();
    expect(state.collections).toBe(0);
    state.now = { arrayBuffers: 0, heapUsed: 15.1 * MB };
    governor.check();
    expect(state.collections).toBe(1);
    // A heap that is live (a bigger server) is the new level: growth is counted from it, not from 13 MB.
    live = 30 * MB;
    state.now = { arrayBuffers: 0, heapUsed: 40 * MB };
    governor.check();
    expect(state.collections).toBe(2);
    state.now = { arrayBuffers: 0, heapUsed: 31.5 * MB };
    governor.check();
    expect(state.collections).toBe(2);
    state.now = { arrayBuffers: 0, heapUsed: 32.1 * MB };
    governor.check();
    expect(state.collections).toBe(3);
  });
});
