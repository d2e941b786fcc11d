import { describe, expect, it } from 'vitest';
import { GcGovernor } from '../../../src/util/gc-governor.js';

const MB = 1024 * 1024;

describe('GcGovernor', () => {
  it('collects past the trigger while what survives a collection is small', () => {
    let bytes = 0;
    let collections = 0;
    const governor = new GcGovernor(2 * MB, () => bytes, () => {
      collections++;
      bytes = 0.5 * MB;
    });
    bytes = 1.9 * MB;
    governor.check();
    expect(collections).toBe(0);
    bytes = 2.1 * MB;
    governor.check();
    expect(collections).toBe(1);
    bytes = 2.1 * MB;
    governor.check();
    expect(collections).toBe(2);
  });

  it('does not collect every check when live Buffers (an HLS window) exceed the trigger', () => {
    let bytes = 0;
    let collections = 0;
    let live = 4 * MB;
    const governor = new GcGovernor(2 * MB, () => bytes, () => {
      collections++;
      bytes = live;
    });
    bytes = live + 0.3 * MB;
    governor.check();
    expect(collections).toBe(1);
    for (let i = 0; i < 10; i++) {
      bytes = live + 0.5 * MB;
      governor.check();
    }
    expect(collections).toBe(1);
    bytes = live + 1.1 * MB;
    governor.check();
    expect(collections).toBe(2);
    // The window is freed: the next collection finds little live data, and the trigger is back at 2 MB.
    live = 0.2 * MB;
    bytes = 5.2 * MB;
    governor.check();
    expect(collections).toBe(3);
    bytes = 2.1 * MB;
    governor.check();
    expect(collections).toBe(4);
  });
});
