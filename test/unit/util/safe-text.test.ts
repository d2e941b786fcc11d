import { describe, expect, it } from 'vitest';
import { LOG_LINE_MAX_CHARS, PEER_STRING_MAX_CHARS, clampLine, quotePeer } from '../../../src/util/safe-text.js';

describe('quotePeer', () => {
  it('quotes ordinary text as it is, CJK and emoji included', () => {
    expect(quotePeer('live')).toBe("'live'");
    expect(quotePeer('电影 night 🎬')).toBe("'电影 night 🎬'");
  });

  it('escapes control, zero-width and bidi characters, quotes and backslashes', () => {
    expect(quotePeer('a\nb\u0000')).toBe("'a\\u000ab\\u0000'");
    expect(quotePeer('good\u200b')).toBe("'good\\u200b'");
    expect(quotePeer('x\u202ey')).toBe("'x\\u202ey'");
    expect(quotePeer("it's \\")).toBe("'it\\'s \\\\'");
    expect(quotePeer('')).toBe("''");
  });

  it('cuts long strings and says how long they were', () => {
    const quoted = quotePeer('A'.repeat(8 * 1024 * 1024));
    expect(quoted).toBe(`'${'A'.repeat(PEER_STRING_MAX_CHARS)}'… (8388608 characters)`);
  });

  it('never splits a surrogate pair when cutting', () => {
    const quoted = quotePeer('🎬'.repeat(100), 3);
    expect(quoted.startsWith("'🎬🎬🎬'")).toBe(true);
  });
});

describe('clampLine', () => {
  it('leaves short lines alone and cuts long ones with a count', () => {
    expect(clampLine('short')).toBe('short');
    const long = clampLine('x'.repeat(LOG_LINE_MAX_CHARS + 50));
    expect(long).toBe(`${'x'.repeat(LOG_LINE_MAX_CHARS)}… (50 more characters)`);
  });
});
