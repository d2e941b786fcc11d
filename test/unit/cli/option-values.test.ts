import { describe, expect, it } from 'vitest';
import { countValue, durationValue, limitValue, networksValue, portValue, secondsValue } from '../../../src/cli/option-values.js';
import { UNLIMITED } from '../../../src/server/access/rate.js';

describe('option values (flags and the config file alike)', () => {
  it('durations for signed links', () => {
    expect(durationValue('6h')).toBe(21_600);
    expect(durationValue('1h30m')).toBe(5_400);
    expect(durationValue('2d')).toBe(172_800);
    expect(durationValue('90s')).toBe(90);
    expect(() => durationValue('6')).toThrow(/not a duration/);
    expect(() => durationValue('6h x')).toThrow(/not a duration/);
    expect(() => durationValue('0m')).toThrow(/not a duration/);
    expect(() => durationValue('400d')).toThrow(/longer than a year/);
  });

  it('limits, counts, ports, seconds, networks', () => {
    expect(limitValue('10')).toBe(10);
    expect(limitValue(10)).toBe(10);
    expect(limitValue('unlimited')).toBe(UNLIMITED);
    expect(limitValue(0)).toBe(UNLIMITED);
    expect(() => limitValue('-1')).toThrow(/whole number/);
    expect(countValue('3')).toBe(3);
    expect(() => countValue('0')).toThrow(/1 or more/);
    expect(portValue(8000)).toBe(8000);
    expect(() => portValue('70000')).toThrow(/0 to 65535/);
    expect(secondsValue(2.5)).toBe(2.5);
    expect(() => secondsValue('')).toThrow(/seconds/);
    expect(String(networksValue(['loopback', '10.0.0.0/8']))).toBe('127.0.0.0/8,::1/128,10.0.0.0/8');
  });
});
