import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, requireBuilt } from '../helpers/server.js';

const GOVERNOR = join(REPO_ROOT, 'dist', 'util', 'gc-governor.js');

/**
 * A node process with the governor running (a 1 MiB Buffer trigger): 4 MiB of Buffers, promoted to the old
 * generation (two young collections survived) so that only a full collection frees them, live until just before its
 * first check at 1 s, and the event loop busy in 10 ms slices from 0.5 s to 1.5 s, as in a burst of joins. Prints when
 * each full collection happened and when the busy spell began and ended (ms since start).
 */
const SCRIPT = `
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';
import { startGcGovernor } from ${JSON.stringify(GOVERNOR)};
const full = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) full.push(e.startTime);
}).observe({ entryTypes: ['gc'] });
const stop = startGcGovernor({ arrayBufferBytes: 1 << 20, heapGrowthBytes: 1 << 30, heapMinChecks: 1 });
let keep = Array.from({ length: 64 }, () => Buffer.alloc(64 * 1024, 1));
gc({ type: 'minor' });
gc({ type: 'minor' });
const times = {};
setTimeout(() => {
  times.busyFrom = performance.now();
  const until = times.busyFrom + 1000;
  const spin = () => {
    const t = performance.now() + 10;
    while (performance.now() < t);
    if (performance.now() < until) setImmediate(spin);
    else times.busyTo = performance.now();
  };
  spin();
}, 500);
setTimeout(() => { keep = null; }, 950);
setTimeout(() => {
  stop();
  process.stdout.write(JSON.stringify({ full, ...times }));
}, 3500);
`;

describe('the GC governor in a running process', () => {
  beforeAll(requireBuilt, 120_000);

  it('holds a due full collection back while the event loop is busy, and runs it once it is quiet', () => {
    const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', SCRIPT], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status, r.stderr).toBe(0);
    const { full, busyFrom, busyTo } = JSON.parse(r.stdout) as { full: number[]; busyFrom: number; busyTo: number };
    // Due at the first check (about 1 s, inside the busy spell): none while the loop stays busy...
    expect(full.filter((t) => t > busyFrom + 100 && t < busyTo - 50)).toEqual([]);
    // ...and one soon after it ends (GC_MAX_DEFER_MS bounds the wait in any case).
    expect(full.some((t) => t >= busyTo - 50 && t < busyTo + 1200)).toBe(true);
  }, 30_000);

  it('frees young garbage Buffers with a young-generation collection, and no full one', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', YOUNG_SCRIPT], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status, r.stderr).toBe(0);
    const { full, young, before, after } = JSON.parse(r.stdout) as { full: number[]; young: number[]; before: number; after: number };
    expect(before).toBeGreaterThan(3 * 1024 * 1024);
    // The check at about 1 s asks for a young collection, which frees the garbage: nothing is left for a full one.
    expect(young.some((t) => t > 900 && t < 2400)).toBe(true);
    expect(after).toBeLessThan(1024 * 1024);
    expect(full).toEqual([]);
  }, 30_000);
});

/**
 * The governor (a 1 MiB Buffer trigger) in a process that drops 4 MiB of fresh Buffers right away, as the socket
 * reads and message copies of a stream with few viewers are dropped between V8's own young collections. Prints when
 * each collection happened (ms since start) and Buffer memory before and after the governor's first check.
 */
const YOUNG_SCRIPT = `
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';
import { startGcGovernor } from ${JSON.stringify(GOVERNOR)};
const full = [];
const young = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) full.push(e.startTime);
    if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) young.push(e.startTime);
  }
}).observe({ entryTypes: ['gc'] });
const stop = startGcGovernor({ arrayBufferBytes: 1 << 20, heapGrowthBytes: 1 << 30, heapMinChecks: 1 });
let garbage = Array.from({ length: 64 }, () => Buffer.alloc(64 * 1024, 1));
const before = process.memoryUsage().arrayBuffers;
garbage = null;
setTimeout(() => {
  const after = process.memoryUsage().arrayBuffers;
  stop();
  process.stdout.write(JSON.stringify({ full, young, before, after }));
}, 2500);
`;
