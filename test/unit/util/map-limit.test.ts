import { describe, expect, it } from 'vitest';
import { mapLimit } from '../../../src/util/map-limit.js';

describe('mapLimit', () => {
  it('runs at most `limit` at a time and keeps the order of results', async () => {
    let running = 0;
    let most = 0;
    const results = await mapLimit([30, 10, 20, 5, 15, 1], 2, async (ms, i) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
      return `${i}:${ms}`;
    });
    expect(most).toBe(2);
    expect(results).toEqual(['0:30', '1:10', '2:20', '3:5', '4:15', '5:1']);
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
  });
});
