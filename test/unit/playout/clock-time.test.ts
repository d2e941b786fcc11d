import { describe, expect, it } from 'vitest';
import { epochToZonedParts, isValidTimeZone, localTimeZone, zonedWallTimeToEpoch } from '../../../src/playout/clock-time.js';
import { instantToEpoch, parseAt } from '../../../src/playout/at-option.js';
import { UserError } from '../../../src/errors.js';

describe('zonedWallTimeToEpoch', () => {
  it('plain days in several zones', () => {
    expect(zonedWallTimeToEpoch({ year: 2026, month: 11, day: 27, hour: 21, minute: 0 }, 'Europe/Berlin')).toBe(Date.UTC(2026, 10, 27, 20));
    expect(zonedWallTimeToEpoch({ year: 2026, month: 7, day: 1, hour: 21, minute: 0 }, 'Europe/Berlin')).toBe(Date.UTC(2026, 6, 1, 19));
    expect(zonedWallTimeToEpoch({ year: 2026, month: 11, day: 27, hour: 21, minute: 0 }, 'America/New_York')).toBe(Date.UTC(2026, 10, 28, 2));
    expect(zonedWallTimeToEpoch({ year: 2026, month: 1, day: 1, hour: 9, minute: 30 }, 'Asia/Kolkata')).toBe(Date.UTC(2026, 0, 1, 4));
    expect(zonedWallTimeToEpoch({ year: 2026, month: 1, day: 1, hour: 0, minute: 0, second: 5 }, 'UTC')).toBe(Date.UTC(2026, 0, 1, 0, 0, 5));
  });

  it('spring forward (New York, 2026-03-08): 02:30 does not exist and means 03:00 EDT, the next valid instant', () => {
    expect(zonedWallTimeToEpoch({ year: 2026, month: 3, day: 8, hour: 1, minute: 30 }, 'America/New_York')).toBe(Date.UTC(2026, 2, 8, 6, 30));
    expect(zonedWallTimeToEpoch({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, 'America/New_York')).toBe(Date.UTC(2026, 2, 8, 7, 0));
    expect(zonedWallTimeToEpoch({ year: 2026, month: 3, day: 8, hour: 3, minute: 0 }, 'America/New_York')).toBe(Date.UTC(2026, 2, 8, 7, 0));
    expect(zonedWallTimeToEpoch({ year: 2026, month: 3, day: 29, hour: 2, minute: 15 }, 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 29, 1, 0));
  });

  it('fall back (New York, 2026-11-01): 01:30 happens twice and means the first, 01:30 EDT', () => {
    expect(zonedWallTimeToEpoch({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, 'America/New_York')).toBe(Date.UTC(2026, 10, 1, 5, 30));
    expect(zonedWallTimeToEpoch({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, 'Europe/Berlin')).toBe(Date.UTC(2026, 9, 25, 0, 30));
  });

  it('round-trips through epochToZonedParts', () => {
    const epoch = Date.UTC(2026, 10, 1, 6, 45, 12);
    expect(epochToZonedParts(epoch, 'America/New_York')).toEqual({ year: 2026, month: 11, day: 1, hour: 1, minute: 45, second: 12 });
    expect(epochToZonedParts(Date.UTC(2026, 0, 1, 23), 'Europe/Berlin')).toEqual({ year: 2026, month: 1, day: 2, hour: 0, minute: 0, second: 0 });
  });

  it('knows valid zones', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(isValidTimeZone(localTimeZone())).toBe(true);
  });
});

describe('parseAt', () => {
  it('accepts HH:MM, ISO date-times and now', () => {
    expect(parseAt('now')).toEqual({ kind: 'now' });
    expect(parseAt('NOW')).toEqual({ kind: 'now' });
    expect(parseAt('21:00')).toEqual({ kind: 'clock', hour: 21, minute: 0 });
    expect(parseAt('9:05')).toEqual({ kind: 'clock', hour: 9, minute: 5 });
    expect(parseAt('2026-11-27T21:00')).toEqual({ kind: 'instant', text: '2026-11-27T21:00' });
    expect(parseAt('2026-11-27 21:00:30Z')).toEqual({ kind: 'instant', text: '2026-11-27 21:00:30Z', epochMs: Date.UTC(2026, 10, 27, 21, 0, 30) });
    expect(parseAt('2026-11-27T21:00-0500')).toMatchObject({ epochMs: Date.UTC(2026, 10, 28, 2) });
  });

  it.each(['25:00', '21:60', 'tonight', '2026-02-30T21:00', '2026-11-27', '21', ''])('rejects %j with a UserError', (text) => {
    expect(() => parseAt(text)).toThrow(UserError);
    expect(() => parseAt(text)).toThrow(/^--at '/);
  });

  it('an ISO time without offset is wall time in the given zone', () => {
    const spec = parseAt('2026-11-27T21:00');
    if (spec.kind !== 'instant') throw new Error('expected an instant');
    expect(instantToEpoch(spec, 'Europe/Berlin')).toBe(Date.UTC(2026, 10, 27, 20));
    expect(instantToEpoch(spec, 'America/New_York')).toBe(Date.UTC(2026, 10, 28, 2));
  });
});
