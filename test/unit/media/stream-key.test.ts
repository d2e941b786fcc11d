import { describe, expect, it } from 'vitest';
import { MAX_STREAM_KEY_LENGTH, streamKeyProblem, stripQuery } from '../../../src/media/stream-key.js';

describe('streamKeyProblem', () => {
  it('accepts ordinary keys', () => {
    for (const key of ['movie', 'friday-night_2', 'a.b', 'x'.repeat(MAX_STREAM_KEY_LENGTH), 'ünïcode']) {
      expect(streamKeyProblem(key)).toBeUndefined();
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
  });
});

describe('stripQuery', () => {
  it('cuts the query a publisher appends to the key', () => {
    expect(stripQuery('movie?token=abc')).toBe('movie');
    expect(stripQuery('movie')).toBe('movie');
    expect(stripQuery('?x')).toBe('');
  });
});
