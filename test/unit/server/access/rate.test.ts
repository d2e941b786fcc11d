import { describe, expect, it } from 'vitest';
import { UNLIMITED, parseRate } from '../../../../src/server/access/rate.js';

describe('parseRate', () => {
  it('reads bits and bytes per second', () => {
    const cases: [string, number][] = [
      ['8mbit', 8_000_000],
      ['8Mbit/s', 8_000_000],
      ['8Mb/s', 8_000_000],
      ['8Mbps', 8_000_000],
      ['8 mbit', 8_000_000],
      ['8M', 8_000_000],
      ['2500k', 2_500_000],
      ['8000000', 8_000_000],
      ['1.5MB/s', 12_000_000],
      ['1.5MB', 12_000_000],
      ['1.5MBps', 12_000_000],
      ['800KiB/s', 800 * 1024 * 8],
      ['1gbit', 1_000_000_000],
      ['100 kbytes/s', 800_000],
    ];
    for (const [text, bps] of cases) expect(parseRate(text), text).toBe(bps);
  });

  it('turns the limit off with 0, off or unlimited', () => {
    for (const text of ['0', 'off', 'unlimited', 'none']) expect(parseRate(text)).toBe(UNLIMITED);
  });

  it('refuses what is not a rate, and a bare number too small for any video', () => {
    expect(() => parseRate('fast')).toThrow(/not a rate/);
    expect(() => parseRate('8 mbit per second')).toThrow(/not a rate/);
    expect(() => parseRate('8xb')).toThrow(/not a rate/);
    expect(() => parseRate('-8mbit')).toThrow(/not a rate/);
    expect(() => parseRate('8')).toThrow(/did you mean 8mbit/);
  });
});
