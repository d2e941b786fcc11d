import { describe, expect, it } from 'vitest';
import { parseRequestTarget } from '../../../src/server/request-target.js';

describe('parseRequestTarget', () => {
  it.each([
    ['/live/a.flv', '/live/a.flv', ''],
    ['/live/a.flv?token=x&b=2', '/live/a.flv', 'token=x&b=2'],
    ['//', '//', ''],
    ['//[', '//[', ''],
    ['/%E6%BC%82%E6%B5%81.flv', '/漂流.flv', ''],
    ['/a?b#frag', '/a', 'b'],
    ['http://example.com/live/a.flv?x=1', '/live/a.flv', 'x=1'],
    ['*', '*', ''],
    [undefined, '/', ''],
  ])('reads %s', (raw, path, query) => {
    const target = parseRequestTarget(raw);
    expect(target).toEqual({ path, query: new URLSearchParams(query) });
  });

  it.each([
    ['http://[/', /not a valid URL/],
    ['live/a.flv', /must be a path/],
    ['/%E6%BC', /percent-encoding/],
    ['ftp://x/y', /must be a path/],
  ])('refuses %s with a reason instead of throwing', (raw, reason) => {
    const target = parseRequestTarget(raw);
    expect('problem' in target && target.problem).toMatch(reason);
  });
});
