import { describe, expect, it } from 'vitest';
import { RandomPool } from '../../../src/util/random-pool.js';

describe('RandomPool', () => {
  it('fills only the range asked for', () => {
    const pool = new RandomPool(64);
    const target = Buffer.alloc(100, 0xaa);
    pool.fill(target, 10, 90);
    expect(target.subarray(0, 10).every((b) => b === 0xaa)).toBe(true);
    expect(target.subarray(90).every((b) => b === 0xaa)).toBe(true);
    expect(target.subarray(10, 90).equals(Buffer.alloc(80, 0xaa))).toBe(false);
  });

  it('hands out each byte once, across refills of its block', () => {
    const pool = new RandomPool(16);
    const fills = Array.from({ length: 8 }, () => {
      const b = Buffer.alloc(40);
      pool.fill(b);
      return b.toString('hex');
    });
    expect(new Set(fills).size).toBe(fills.length);
  });

  it('fills a range larger than its block', () => {
    const pool = new RandomPool(8);
    const target = Buffer.alloc(1536);
    pool.fill(target, 8);
    // 1528 bytes over 191 refills: a block repeated would show as equal 8-byte words.
    const words = new Set<string>();
    for (let at = 8; at < 1536; at += 8) words.add(target.subarray(at, at + 8).toString('hex'));
    expect(words.size).toBe(191);
  });
});
