import { describe, expect, it } from 'vitest';
import { GcGovernor, type GcKind, type GcReading } from '../../../src/util/gc-governor.js';

const MB = 1024 * 1024;
const TRIGGERS = { arrayBufferBytes: 2 * MB, heapGrowthBytes: 2 * MB, heapMinChecks: 1 };

/**
 * A governor over a pretend process: `now` is what a check reads, `afterCollect` what a full collection leaves and
 * `afterYoung` what a young one leaves (by default it frees nothing: the Buffers are promoted ones).
 */
function pretend(
  now: GcReading,
  afterCollect: () => GcReading,
  triggers = TRIGGERS,
  afterYoung: (before: GcReading) => GcReading = (before) => before,
) {
  const state = { now, full: 0, young: 0 };
  const governor = new GcGovernor(triggers, () => state.now, (kind: GcKind) => {
    if (kind === 'young') {
      state.young++;
      state.now = afterYoung(state.now);
    } else {
      state.full++;
      state.now = afterCollect();
    }
  });
  /** Sets what the next check reads (MB) and checks; returns the full collections so far. */
  const check = (arrayBuffersMb: number, heapUsedMb: number): number => {
    state.now = { arrayBuffers: arrayBuffersMb * MB, heapUsed: heapUsedMb * MB };
    governor.check();
    return state.full;
  };
  return { check, state };
}

describe('GcGovernor', () => {
  it('collects past the Buffer trigger while what survives a collection is small', () => {
    const { check } = pretend({ arrayBuffers: 0, heapUsed: 10 * MB }, () => ({ arrayBuffers: 0.5 * MB, heapUsed: 10 * MB }));
    expect(check(1.9, 10)).toBe(0);
    expect(check(2.1, 10)).toBe(1);
    expect(check(2.1, 10)).toBe(2);
  });

  it('does not collect every check when live Buffers (an HLS window) exceed the trigger', () => {
    let live = 4;
    const { check } = pretend({ arrayBuffers: 0, heapUsed: 10 * MB }, () => ({ arrayBuffers: live * MB, heapUsed: 10 * MB }));
    expect(check(live + 0.3, 10)).toBe(1);
    for (let i = 0; i < 10; i++) expect(check(live + 0.5, 10)).toBe(1);
    expect(check(live + 1.1, 10)).toBe(2);
    // The window is freed: the next collection finds little live data, and the trigger is back at 2 MB.
    live = 0.2;
    expect(check(5.2, 10)).toBe(3);
    expect(check(2.1, 10)).toBe(4);
  });

  it('collects when the heap has grown past what the last collection left, judged from that level', () => {
    let live = 13;
    const { check } = pretend({ arrayBuffers: 0, heapUsed: 13 * MB }, () => ({ arrayBuffers: 0, heapUsed: live * MB }));
    expect(check(0, 13)).toBe(0); // the first reading is the baseline
    expect(check(0, 14.9)).toBe(0);
    expect(check(0, 15.1)).toBe(1);
    // A heap that is live (a bigger server) is the new level: growth is counted from it, not from 13 MB.
    live = 30;
    expect(check(0, 40)).toBe(2);
    expect(check(0, 31.5)).toBe(2);
    expect(check(0, 32.1)).toBe(3);
  });

  it('collects for heap growth at most once in heapMinChecks checks, for Buffers at once', () => {
    const { check } = pretend({ arrayBuffers: 0, heapUsed: 13 * MB }, () => ({ arrayBuffers: 0, heapUsed: 13 * MB }), { ...TRIGGERS, heapMinChecks: 5 });
    expect(check(0, 13)).toBe(0);
    expect(check(0, 20)).toBe(0);
    expect(check(0, 20)).toBe(0);
    expect(check(0, 20)).toBe(0);
    expect(check(0, 20)).toBe(1); // the fifth check since the start
    for (let i = 0; i < 4; i++) expect(check(0, 20)).toBe(1);
    expect(check(0, 20)).toBe(2);
    expect(check(2.1, 13)).toBe(3); // Buffer memory does not wait
  });

  it('tries a young-generation collection first for Buffer memory, and stops there when that brings it under', () => {
    // Young garbage: the scavenge leaves 0.4 MB (the GOP cache).
    const { check, state } = pretend(
      { arrayBuffers: 0, heapUsed: 10 * MB },
      () => ({ arrayBuffers: 0.3 * MB, heapUsed: 10 * MB }),
      TRIGGERS,
      (before) => ({ ...before, arrayBuffers: 0.4 * MB }),
    );
    expect(check(1.9, 10)).toBe(0);
    expect(state.young).toBe(0);
    expect(check(2.3, 10)).toBe(0);
    expect(state.young).toBe(1);
    expect(check(2.3, 10)).toBe(0);
    expect(state.young).toBe(2);
  });

  it('follows a young collection that leaves Buffer memory over the trigger with a full one', () => {
    // Half of it was young garbage, the rest promoted Buffers only a full collection frees.
    const { check, state } = pretend(
      { arrayBuffers: 0, heapUsed: 10 * MB },
      () => ({ arrayBuffers: 0.3 * MB, heapUsed: 10 * MB }),
      TRIGGERS,
      (before) => ({ ...before, arrayBuffers: before.arrayBuffers / 2 }),
    );
    expect(check(3, 10)).toBe(0); // 1.5 MB left: under the 2 MB trigger
    expect(check(5, 10)).toBe(1); // 2.5 MB left
    expect(state.young).toBe(2);
  });

  it('asks for a full collection, with no young one first, when the heap has grown', () => {
    const { check, state } = pretend({ arrayBuffers: 0, heapUsed: 10 * MB }, () => ({ arrayBuffers: 0, heapUsed: 10 * MB }));
    expect(check(0, 10)).toBe(0);
    expect(check(3, 12.5)).toBe(1);
    expect(state.young).toBe(0);
  });
});
