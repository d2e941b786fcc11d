import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { RELAY_BACKOFF_FIRST_MS, RELAY_BACKOFF_JITTER, RELAY_BACKOFF_MAX_MS, relayBackoffMs } from '../../../src/server/relay/backoff.js';
import { parsePushSpec, pushUrlsFor, redactPushUrl, resolvePushUrl } from '../../../src/server/relay/push-spec.js';
import { parseRtmpUrl } from '../../../src/server/rtmp-publish-client.js';

describe('parsePushSpec', () => {
  it('reads a template for every stream and a target for one stream', () => {
    expect(parsePushSpec('rtmp://edge.example.net/live/{key}')).toEqual({ template: 'rtmp://edge.example.net/live/{key}' });
    expect(parsePushSpec('live/movie=rtmps://a.rtmp.youtube.com:443/live2/abcd-efgh')).toEqual({
      stream: 'live/movie',
      template: 'rtmps://a.rtmp.youtube.com:443/live2/abcd-efgh',
    });
    expect(parsePushSpec('rtmp://10.0.0.2:1936/{app}/{key}?secret=s').template).toBe('rtmp://10.0.0.2:1936/{app}/{key}?secret=s');
  });

  it.each([
    ['http://cdn.example/live/{key}', /only rtmp/],
    ['rtmp:///live/{key}', /no host|not a URL/],
    ['rtmp://host/{key}', /app and a stream key/],
    ['movie', /not a URL/],
  ])('refuses %s with a reason and an example', (value, reason) => {
    expect(() => parsePushSpec(value)).toThrow(UserError);
    expect(() => parsePushSpec(value)).toThrow(reason);
  });

  it('never prints a stream key it refuses', () => {
    try {
      parsePushSpec('http://ingest.example/live2/SECRETKEY123');
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('SECRETKEY123');
    }
  });
});

describe('push URLs', () => {
  it('replaces {app} and {key}, percent-encoded', () => {
    expect(resolvePushUrl('rtmp://h/{app}/{key}', 'live', 'a b')).toBe('rtmp://h/live/a%20b');
  });

  it('picks the targets of a stream: every-stream templates and its own, without duplicates', () => {
    const specs = [parsePushSpec('rtmp://edge/live/{key}'), parsePushSpec('live/movie=rtmp://cdn/app/k'), parsePushSpec('live/other=rtmp://cdn/app/o'), parsePushSpec('rtmp://edge/live/{key}')];
    expect(pushUrlsFor(specs, 'live', 'movie')).toEqual(['rtmp://edge/live/movie', 'rtmp://cdn/app/k']);
    expect(pushUrlsFor(specs, 'live', 'news')).toEqual(['rtmp://edge/live/news']);
  });

  it('redacts the stream key and any query', () => {
    expect(redactPushUrl('rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl')).toBe('rtmp://a.rtmp.youtube.com/live2/abc…');
    expect(redactPushUrl('rtmps://h:443/app/inst/key?secret=s')).toBe('rtmps://h:443/app/inst/key?…');
    expect(redactPushUrl('rtmp://edge/live/{key}')).toBe('rtmp://edge/live/{key}');
  });
});

describe('parseRtmpUrl', () => {
  it('reads rtmp and rtmps targets with their default ports', () => {
    expect(parseRtmpUrl('rtmp://h/live/k')).toMatchObject({ host: 'h', port: 1935, app: 'live', key: 'k', tls: false, tcUrl: 'rtmp://h/live' });
    expect(parseRtmpUrl('rtmps://h/live2/k?x=1')).toMatchObject({ port: 443, app: 'live2', key: 'k?x=1', tls: true, tcUrl: 'rtmps://h/live2' });
    expect(parseRtmpUrl('rtmp://[::1]:1936/a/b/c')).toMatchObject({ host: '::1', port: 1936, app: 'a/b', key: 'c' });
  });
});

describe('relayBackoffMs', () => {
  it('doubles from the first wait up to the cap, spread by the jitter', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((a) => relayBackoffMs(a, mid))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(relayBackoffMs(0, () => 0)).toBe(RELAY_BACKOFF_FIRST_MS * (1 - RELAY_BACKOFF_JITTER));
    expect(relayBackoffMs(99, () => 1)).toBe(RELAY_BACKOFF_MAX_MS * (1 + RELAY_BACKOFF_JITTER));
  });
});
