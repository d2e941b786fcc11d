import { describe, expect, it } from 'vitest';
import { HlsClientCounter, hlsClientKey } from '../../../src/server/hls-clients.js';
import { HLS_MAX_TRACKED_CLIENTS } from '../../../src/server/hls-streams.js';

describe('HlsClientCounter', () => {
  it('counts distinct clients seen within the window', () => {
    const counter = new HlsClientCounter(10_000, 100);
    counter.seen(hlsClientKey('10.0.0.1', 'Safari'), 0);
    counter.seen(hlsClientKey('10.0.0.1', 'Safari'), 1_000);
    counter.seen(hlsClientKey('10.0.0.1', 'VLC'), 2_000);
    counter.seen(hlsClientKey('10.0.0.2', 'Safari'), 3_000);
    expect(counter.count(3_000)).toBe(3);
    expect(counter.count(11_500)).toBe(2); // the first was last seen at 1 000
    counter.seen(hlsClientKey('10.0.0.1', 'Safari'), 12_000);
    expect(counter.count(13_500)).toBe(1); // VLC (2 000) and 10.0.0.2 (3 000) have expired
    expect(counter.count(30_000)).toBe(0);
  });

  it(`remembers at most maxTracked clients (default ${HLS_MAX_TRACKED_CLIENTS}): made-up User-Agents cannot grow it`, () => {
    const counter = new HlsClientCounter(10_000, 50);
    for (let i = 0; i < 1_000; i++) counter.seen(hlsClientKey('203.0.113.9', `agent ${i}`), i);
    expect(counter.count(1_000)).toBe(50);
    // Once they expire there is room again.
    counter.seen(hlsClientKey('10.0.0.1', 'Safari'), 20_000);
    expect(counter.count(20_000)).toBe(1);
  });

  it('truncates the User-Agent in the key', () => {
    expect(hlsClientKey('::1', 'x'.repeat(10_000)).length).toBeLessThan(200);
  });
});
