import { describe, expect, it } from 'vitest';
import { shareHosts, streamUrls } from '../../../src/cli/share-urls.js';

describe('share URLs', () => {
  it('prefers --public-host, then a specific listen address', () => {
    expect(shareHosts('movies.example.net', '0.0.0.0')).toEqual(['movies.example.net']);
    expect(shareHosts(undefined, '192.0.2.7')).toEqual(['192.0.2.7']);
  });

  it('falls back to the LAN addresses, or localhost when there are none', () => {
    const hosts = shareHosts(undefined, '0.0.0.0');
    expect(hosts.length).toBeGreaterThan(0);
    for (const host of hosts) expect(host === 'localhost' || /^\d+\.\d+\.\d+\.\d+$/.test(host)).toBe(true);
  });

  it('builds RTMP, HTTP-FLV and HLS URLs, bracketing IPv6 hosts', () => {
    expect(streamUrls('10.0.0.2', { rtmp: 1935, http: 8000 }, 'live/movie')).toEqual({
      rtmp: 'rtmp://10.0.0.2:1935/live/movie',
      flv: 'http://10.0.0.2:8000/live/movie.flv',
      hls: 'http://10.0.0.2:8000/live/movie.m3u8',
      watch: 'http://10.0.0.2:8000/live/movie.html',
    });
    expect(streamUrls('::1', { rtmp: 1, http: 2 }, 'live/a').rtmp).toBe('rtmp://[::1]:1/live/a');
    expect(streamUrls('::1', { rtmp: 1, http: 2 }, 'live/a').hls).toBe('http://[::1]:2/live/a.m3u8');
  });

  it('shares RTMPS and HTTPS with TLS, and carries a private show\'s link', () => {
    expect(streamUrls('tv.example.net', { rtmp: 1935, http: 443, rtmps: 1936, tls: true }, 'live/movie', 'sign=1-ab')).toEqual({
      rtmp: 'rtmps://tv.example.net:1936/live/movie?sign=1-ab',
      flv: 'https://tv.example.net:443/live/movie.flv?sign=1-ab',
      hls: 'https://tv.example.net:443/live/movie.m3u8?sign=1-ab',
      watch: 'https://tv.example.net:443/live/movie.html?sign=1-ab',
    });
  });
});
