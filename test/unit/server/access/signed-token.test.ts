import { describe, expect, it } from 'vitest';
import { checkSignedPath, secretMatches, signPath } from '../../../../src/server/access/signed-token.js';

const SECRET = 'correct-horse-battery';
const NOW = Date.parse('2026-11-27T20:00:00Z');
const IN_AN_HOUR = NOW / 1000 + 3600;

describe('signed links', () => {
  it('round-trips: valid until the expiry, then expired', () => {
    const sign = signPath(SECRET, 'play', 'live/movie', IN_AN_HOUR);
    expect(sign).toMatch(/^\d+-[0-9a-f]{64}$/);
    expect(checkSignedPath(SECRET, 'play', 'live/movie', sign, NOW)).toEqual({ ok: true });
    expect(checkSignedPath(SECRET, 'play', 'live/movie', sign, IN_AN_HOUR * 1000 - 1)).toEqual({ ok: true });
    expect(checkSignedPath(SECRET, 'play', 'live/movie', sign, IN_AN_HOUR * 1000)).toEqual({ ok: false, why: 'expired' });
  });

  it('is bound to the action, the path, the expiry and the secret', () => {
    const sign = signPath(SECRET, 'play', 'live/movie', IN_AN_HOUR);
    const wrong = { ok: false, why: 'wrong-signature' };
    expect(checkSignedPath(SECRET, 'publish', 'live/movie', sign, NOW)).toEqual(wrong);
    expect(checkSignedPath(SECRET, 'play', 'live/movie2', sign, NOW)).toEqual(wrong);
    expect(checkSignedPath(`${SECRET}x`, 'play', 'live/movie', sign, NOW)).toEqual(wrong);
    // A later expiry with the old signature: the expiry is signed too.
    expect(checkSignedPath(SECRET, 'play', 'live/movie', sign.replace(/^\d+/, String(IN_AN_HOUR + 86_400)), NOW)).toEqual(wrong);
    // One flipped hex digit of the HMAC.
    const last = sign.at(-1) === '0' ? '1' : '0';
    expect(checkSignedPath(SECRET, 'play', 'live/movie', `${sign.slice(0, -1)}${last}`, NOW)).toEqual(wrong);
  });

  it('calls anything else malformed', () => {
    for (const bad of ['', '123', 'abc-def', `${IN_AN_HOUR}-${'g'.repeat(64)}`, `${IN_AN_HOUR}-${'a'.repeat(63)}`, `-1-${'a'.repeat(64)}`, `${'9'.repeat(12)}-${'a'.repeat(64)}`]) {
      expect(checkSignedPath(SECRET, 'play', 'live/movie', bad, NOW), bad).toEqual({ ok: false, why: 'malformed' });
    }
  });

  it('compares secrets of any length', () => {
    expect(secretMatches(SECRET, SECRET)).toBe(true);
    expect(secretMatches(`${SECRET} `, SECRET)).toBe(false);
    expect(secretMatches('', SECRET)).toBe(false);
    expect(secretMatches('x'.repeat(10_000), SECRET)).toBe(false);
  });
});
