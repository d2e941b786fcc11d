import { describe, expect, it } from 'vitest';
import { RateWindow } from '../../../src/status/rate-window.js';

describe('RateWindow', () => {
  it('is 0 before any sample', () => {
    expect(new RateWindow().bitsPerSecond(1000, 5000)).toBe(0);
  });

  it('averages over the samples in the window', () => {
    const window = new RateWindow(5000);
    for (let s = 0; s <= 10; s++) window.sample(s * 1000, s * 125_000); // 1 Mb/s steady
    expect(window.bitsPerSecond(10_000, 1_250_000)).toBe(1_000_000);
  });

  it('forgets what happened before the window', () => {
    const window = new RateWindow(5000);
    for (let s = 0; s <= 5; s++) window.sample(s * 1000, s * 1_000_000); // fast first
    for (let s = 6; s <= 12; s++) window.sample(s * 1000, 5_000_000); // then silence
    expect(window.bitsPerSecond(12_000, 5_000_000)).toBe(0);
  });
});
