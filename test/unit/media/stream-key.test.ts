import { describe, expect, it } from 'vitest';
import { MAX_STREAM_KEY_LENGTH, lookAlikeForm, queryOf, streamKeyProblem, streamKeyRule, stripQuery } from '../../../src/media/stream-key.js';

describe('streamKeyProblem', () => {
  it('accepts ordinary keys', () => {
    for (const key of ['movie', 'friday-night_2', 'a.b', 'x'.repeat(MAX_STREAM_KEY_LENGTH), 'ünïcode', '日本語', 'movie night', 'emoji😀']) {
      expect(streamKeyProblem(key), key).toBeUndefined();
    }
  });

  it('refuses empty, too long, path separators, relative paths and control characters', () => {
    expect(streamKeyProblem('')).toMatch(/empty/);
    expect(streamKeyProblem('x'.repeat(MAX_STREAM_KEY_LENGTH + 1))).toMatch(/longer than 128/);
    expect(streamKeyProblem('a/b')).toMatch(/path separator/);
    expect(streamKeyProblem('a\\b')).toMatch(/path separator/);
    expect(streamKeyProblem('..')).toMatch(/relative/);
    expect(streamKeyProblem('a\nb')).toMatch(/control/);
    expect(streamKeyProblem('a\u0000')).toMatch(/control/);
    expect(streamKeyProblem('a\u007f')).toMatch(/control/);
    expect(streamKeyProblem('a\u009b')).toMatch(/control character \(U\+009B\)/);
  });

  it('refuses keys that look like another key: invisible, formatting and unusual space characters, edge spaces', () => {
    const cases: [string, string, string][] = [
      ['good ', 'edge-whitespace', 'starts or ends with a space'],
      [' good', 'edge-whitespace', 'starts or ends with a space'],
      ['good\u200b', 'invisible-character', 'U+200B'], // zero-width space
      ['go\u200dod', 'invisible-character', 'U+200D'], // zero-width joiner
      ['go\ufeffod', 'invisible-character', 'U+FEFF'], // byte order mark
      ['go\u00adod', 'invisible-character', 'U+00AD'], // soft hyphen
      ['doog\u202e', 'invisible-character', 'U+202E'], // right-to-left override
      ['\u2067good\u2069', 'invisible-character', 'U+2067'], // right-to-left isolate
      ['go\u034fod', 'invisible-character', 'U+034F'], // combining grapheme joiner
      ['good\u3164', 'invisible-character', 'U+3164'], // Hangul filler
      ['good\ufe0f', 'invisible-character', 'U+FE0F'], // variation selector
      ['good\u2028x', 'invisible-character', 'U+2028'], // line separator
      ['good\ue000', 'invisible-character', 'U+E000'], // private use
      ['go\u00a0od', 'unusual-space', 'U+00A0'], // no-break space
      ['go\u3000od', 'unusual-space', 'U+3000'], // ideographic space
    ];
    for (const [key, rule, detail] of cases) {
      const problem = streamKeyRule(key);
      expect(problem?.rule, JSON.stringify(key)).toBe(rule);
      expect(problem?.message).toContain(detail);
    }
  });
});

describe('lookAlikeForm', () => {
  it('folds case, full-width forms and composed/decomposed accents', () => {
    expect(lookAlikeForm('Good')).toBe(lookAlikeForm('good'));
    expect(lookAlikeForm('ＧＯＯＤ')).toBe('good');
    expect(lookAlikeForm('caf\u00e9')).toBe(lookAlikeForm('cafe\u0301'));
    expect(lookAlikeForm('good')).not.toBe(lookAlikeForm('goad'));
  });
});

describe('stripQuery / queryOf', () => {
  it('cuts the query a publisher appends to the key', () => {
    expect(stripQuery('movie?token=abc')).toBe('movie');
    expect(stripQuery('movie')).toBe('movie');
    expect(stripQuery('?x')).toBe('');
    expect(queryOf('movie?secret=s&x=1')).toBe('secret=s&x=1');
    expect(queryOf('movie')).toBe('');
  });
});
