import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JOIN_REST_MAX_HELD, JOIN_REST_MAX_HOLD_MS, JOIN_REST_QUIET_MS, JOIN_REST_SLICE, JoinRests } from '../../../src/server/join-rests.js';
import type { LogFields, LogLevel, Logger } from '../../../src/util/logger.js';

class Joiner {
  static order: string[] = [];
  constructor(readonly name: string, private readonly fails = false) {}
  releaseRest(): void {
    if (this.fails) throw new Error('boom');
    Joiner.order.push(this.name);
  }
}

class Lines implements Logger {
  readonly lines: string[] = [];
  log(level: LogLevel, message: string, _fields?: LogFields): void {
    this.lines.push(`${level}: ${message}`);
  }
}

describe('JoinRests', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    Joiner.order = [];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("lets a lone joiner's rest go after one quiet interval", () => {
    const rests = new JoinRests(new Lines());
    rests.hold(new Joiner('a'));
    vi.advanceTimersByTime(JOIN_REST_QUIET_MS - 1);
    expect(Joiner.order).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(Joiner.order).toEqual(['a']);
    expect(rests.size).toBe(0);
  });

  it('holds every rest while joins keep coming, then lets them go in the order of the joins', () => {
    const rests = new JoinRests(new Lines());
    const names = Array.from({ length: 12 }, (_, i) => `j${i}`);
    for (const name of names) {
      rests.hold(new Joiner(name));
      vi.advanceTimersByTime(JOIN_REST_QUIET_MS - 1);
    }
    expect(Joiner.order).toEqual([]);
    expect(rests.size).toBe(12);
    vi.advanceTimersByTime(JOIN_REST_QUIET_MS * 2);
    expect(Joiner.order).toEqual(names);
  });

  it('holds no rest past JOIN_REST_MAX_HOLD_MS, however the joins keep coming', () => {
    const rests = new JoinRests(new Lines());
    rests.hold(new Joiner('first'));
    let elapsed = 0;
    while (!Joiner.order.includes('first')) {
      vi.advanceTimersByTime(1);
      elapsed++;
      rests.hold(new Joiner(`later-${elapsed}`));
      expect(elapsed).toBeLessThanOrEqual(JOIN_REST_MAX_HOLD_MS + JOIN_REST_QUIET_MS);
    }
    expect(elapsed).toBeGreaterThanOrEqual(JOIN_REST_MAX_HOLD_MS - JOIN_REST_QUIET_MS);
    rests.close();
  });

  it('lets JOIN_REST_SLICE rests go per turn of the event loop', () => {
    const rests = new JoinRests(new Lines());
    for (let i = 0; i < JOIN_REST_SLICE * 2 + 3; i++) rests.hold(new Joiner(`j${i}`));
    // The first quiet interval saw the joins after the first one; the second is quiet.
    vi.advanceTimersToNextTimer();
    expect(Joiner.order.length).toBe(0);
    vi.advanceTimersToNextTimer();
    expect(Joiner.order.length).toBe(JOIN_REST_SLICE);
    vi.advanceTimersToNextTimer();
    expect(Joiner.order.length).toBe(JOIN_REST_SLICE * 2);
    vi.advanceTimersToNextTimer();
    expect(Joiner.order.length).toBe(JOIN_REST_SLICE * 2 + 3);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('logs a rest that fails and lets the others go', () => {
    const lines = new Lines();
    const rests = new JoinRests(lines);
    rests.hold(new Joiner('a'));
    rests.hold(new Joiner('bad', true));
    rests.hold(new Joiner('c'));
    vi.advanceTimersByTime(JOIN_REST_QUIET_MS * 2);
    expect(Joiner.order).toEqual(['a', 'c']);
    expect(lines.lines).toEqual(["error: writing a join burst's rest failed: boom"]);
  });

  it('lets every held rest go when closed, and holds none after', () => {
    const rests = new JoinRests(new Lines());
    rests.hold(new Joiner('a'));
    rests.hold(new Joiner('b'));
    rests.close();
    expect(Joiner.order).toEqual(['a', 'b']);
    rests.hold(new Joiner('c'));
    expect(Joiner.order).toEqual(['a', 'b', 'c']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it(`holds at most JOIN_REST_MAX_HELD (${JOIN_REST_MAX_HELD}) rests: past it the oldest goes to make room`, () => {
    const rests = new JoinRests(new Lines());
    for (let i = 0; i < JOIN_REST_MAX_HELD; i++) rests.hold(new Joiner(`j${i}`));
    expect(Joiner.order).toEqual([]);
    rests.hold(new Joiner('one more'));
    expect(Joiner.order).toEqual(['j0']);
    expect(rests.size).toBe(JOIN_REST_MAX_HELD);
    vi.runAllTimers();
    expect(Joiner.order.length).toBe(JOIN_REST_MAX_HELD + 1);
    expect(Joiner.order.at(-1)).toBe('one more');
    expect(rests.size).toBe(0);
  });

  it('keeps letting rests go in join order while joins never pause, each once, never holding more than the limit', () => {
    const rests = new JoinRests(new Lines());
    let joined = 0;
    // 40 joins every turn for 300 turns: more than a slice a turn, so the queue never empties.
    for (let turn = 0; turn < 300; turn++) {
      for (let i = 0; i < 40; i++) rests.hold(new Joiner(`j${joined++}`));
      expect(rests.size).toBeLessThanOrEqual(JOIN_REST_MAX_HELD);
      vi.advanceTimersToNextTimer();
    }
    expect(Joiner.order.length).toBeGreaterThan(JOIN_REST_SLICE * 100);
    rests.close();
    expect(Joiner.order).toEqual(Array.from({ length: joined }, (_, i) => `j${i}`));
  });
});
