import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { BufferBudget } from '../../../src/server/buffer-budget.js';
import { ConnectionGate } from '../../../src/server/connection-gate.js';
import { DEFAULT_MAX_CONNECTIONS, RESERVED_FILE_DESCRIPTORS, fitConnectionCap } from '../../../src/server/limits.js';
import { openFileLimit } from '../../../src/util/fd-limit.js';

describe('fitConnectionCap', () => {
  it('keeps the requested cap when the file-descriptor limit has room, or is unknown', () => {
    expect(fitConnectionCap(1000, 1_048_576)).toEqual({ cap: 1000 });
    expect(fitConnectionCap(1000, undefined)).toEqual({ cap: 1000 });
    expect(fitConnectionCap(1000, Number.POSITIVE_INFINITY)).toEqual({ cap: 1000 });
  });

  it('lowers it below the limit, keeping descriptors for everything else', () => {
    expect(fitConnectionCap(DEFAULT_MAX_CONNECTIONS, 256)).toEqual({ cap: 256 - RESERVED_FILE_DESCRIPTORS, limitedBy: 256 });
    expect(fitConnectionCap(DEFAULT_MAX_CONNECTIONS, 1024)).toEqual({ cap: 1024 - RESERVED_FILE_DESCRIPTORS, limitedBy: 1024 });
    expect(fitConnectionCap(10, 20).cap).toBe(1);
  });
});

describe('openFileLimit', () => {
  it('reads the soft limit from /proc/self/limits', () => {
    const text = 'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 1048576              files\n';
    expect(openFileLimit(() => text)).toBe(1024);
    expect(openFileLimit(() => text.replace('1024 ', 'unlimited'))).toBe(Number.POSITIVE_INFINITY);
    expect(openFileLimit(() => 'nothing here')).toBeUndefined();
    expect(openFileLimit(() => {
      throw new Error('ENOENT');
    })).toBeUndefined();
  });

  it('reads a real number on Linux', () => {
    if (process.platform === 'linux') expect(openFileLimit()).toBeGreaterThan(0);
  });
});

describe('ConnectionGate', () => {
  it('admits up to the cap, destroys the rest at once, and logs the refusals once per interval', () => {
    const lines: string[] = [];
    let t = 0;
    const gate = new ConnectionGate(2, { log: (_l, m) => lines.push(m) }, () => t);
    const sockets = Array.from({ length: 5 }, () => new Socket());
    expect(sockets.map((s) => gate.admit(s, 'rtmp'))).toEqual([true, true, false, false, false]);
    expect(gate.open).toBe(2);
    expect(gate.refused).toBe(3);
    expect(sockets.slice(2).every((s) => s.destroyed)).toBe(true);
    expect(lines).toHaveLength(1);
    t = 20_000;
    expect(gate.admit(new Socket(), 'http')).toBe(false);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/cap of 2 connections \(3 refused since the last such line/);
  });

  it('frees a place when an admitted socket closes', async () => {
    const gate = new ConnectionGate(1, { log: () => {} });
    const first = new Socket();
    gate.admit(first, 'rtmp');
    first.destroy();
    await new Promise((resolve) => first.once('close', resolve));
    expect(gate.open).toBe(0);
    expect(gate.admit(new Socket(), 'rtmp')).toBe(true);
  });
});

describe('BufferBudget', () => {
  it('refuses the owner whose growth would pass the limit, and lets others shrink', () => {
    const budget = new BufferBudget(100);
    const a = {};
    const b = {};
    expect(budget.update(a, 60)).toBe(true);
    expect(budget.update(b, 41)).toBe(false);
    expect(budget.update(b, 40)).toBe(true);
    expect(budget.used).toBe(100);
    expect(budget.update(a, 70)).toBe(false);
    expect(budget.update(a, 10)).toBe(true);
    budget.release(b);
    expect(budget.used).toBe(10);
  });
});
