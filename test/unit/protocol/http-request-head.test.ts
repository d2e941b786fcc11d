import { describe, expect, it } from 'vitest';
import { REQUEST_HEAD_MAX_FIELDS, readGetRequestHead } from '../../../src/protocol/http/request-head.js';

const MAX = 8 * 1024;
const read = (text: string, max = MAX) => readGetRequestHead(Buffer.from(text, 'latin1'), max);
const head = (...lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;

/** Heads as players send them: ffmpeg, curl and GStreamer as captured on loopback here; a browser's fetch abridged. */
const PLAYERS: [string, string][] = [
  ['ffmpeg 5.1', head('GET /live/movie.flv HTTP/1.1', 'User-Agent: Lavf/59.27.100', 'Accept: */*', 'Range: bytes=0-', 'Connection: close', 'Host: 127.0.0.1:8080', 'Icy-MetaData: 1')],
  ['curl 7.88', head('GET /live/movie.flv HTTP/1.1', 'Host: 127.0.0.1:8080', 'User-Agent: curl/7.88.1', 'Accept: */*')],
  ['GStreamer souphttpsrc', head('GET /live/movie.flv HTTP/1.1', 'User-Agent: GStreamer souphttpsrc 1.22.0 libsoup/3.2.3', 'Accept-Encoding: identity', 'Connection: Keep-Alive', 'Host: 127.0.0.1:8080', 'icy-metadata: 1')],
  [
    'a browser fetch (mpegts.js in Chromium)',
    head(
      'GET /live/movie.flv?sign=abc HTTP/1.1',
      'Host: 127.0.0.1:8080',
      'Connection: keep-alive',
      'sec-ch-ua: "Chromium";v="142", "Not_A Brand";v="99"',
      'sec-ch-ua-mobile: ?0',
      'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36',
      'Accept: */*',
      'Origin: http://127.0.0.1:8080',
      'Sec-Fetch-Mode: cors',
      'Referer: http://127.0.0.1:8080/watch/movie',
      'Accept-Language: en-US,en;q=0.9',
    ),
  ],
];

describe('readGetRequestHead: the heads players send', () => {
  it.each(PLAYERS)('reads %s', (_name, text) => {
    const got = read(text);
    expect(got?.target).toMatch(/^\/live\/movie\.flv/);
    expect(got?.version).toBe('1.1');
    expect(got?.headers['host']).toBe('127.0.0.1:8080');
  });

  it('lowercases names, trims values, keeps the target as sent', () => {
    expect(read(head('GET /live/a.flv?x=%20y HTTP/1.1', 'HOST:   example.org  ', 'X-Forwarded-For:\t203.0.113.7, 10.0.0.1\t'))).toEqual({
      target: '/live/a.flv?x=%20y',
      version: '1.1',
      headers: { host: 'example.org', 'x-forwarded-for': '203.0.113.7, 10.0.0.1' },
      upgrade: false,
    });
  });

  it('reads an HTTP/1.0 GET with no Host field and no fields at all', () => {
    expect(read('GET /live/a.flv HTTP/1.0\r\n\r\n')).toEqual({ target: '/live/a.flv', version: '1.0', headers: {}, upgrade: false });
    expect(read('GET / HTTP/1.0\r\n\r\n')?.target).toBe('/');
  });

  it('reads a WebSocket opening handshake as an upgrade (Upgrade, and Connection naming it among others)', () => {
    const ws = head('GET /live/movie.flv HTTP/1.1', 'Host: 127.0.0.1:8080', 'Connection: keep-alive, Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==');
    expect(read(ws)).toMatchObject({ upgrade: true, headers: { upgrade: 'websocket', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } });
    expect(read(head('GET /a.flv HTTP/1.1', 'Host: x', 'Connection: upgrade', 'Upgrade: h2c'))?.upgrade).toBe(true);
    expect(read(head('GET /a.flv HTTP/1.1', 'Host: x', 'Connection: close'))?.upgrade).toBe(false);
  });

  it('reads a GET with only one of the two (a proxy that always sends Connection: upgrade) as a plain GET, as Node does', () => {
    expect(read(head('GET /a.flv HTTP/1.1', 'Host: x', 'Connection: upgrade'))?.upgrade).toBe(false);
    expect(read(head('GET /a.flv HTTP/1.1', 'Host: x', 'Upgrade: websocket', 'Connection: keep-alive'))?.upgrade).toBe(false);
    expect(read(head('GET /a.flv HTTP/1.1', 'Host: x', 'Upgrade: websocket', 'Connection: upgrades'))?.upgrade).toBe(false);
  });

  it('reads no field name from the prototype chain', () => {
    expect(read(head('GET / HTTP/1.1', 'Host: x', '__proto__: y', 'constructor: z'))?.headers).toMatchObject({ host: 'x', constructor: 'z' });
  });
});

describe('readGetRequestHead: anything else is left to the full parser', () => {
  const cases: [string, string][] = [
    ['an incomplete head', 'GET /live/a.flv HTTP/1.1\r\nHost: x\r\n'],
    ['two pipelined requests', head('GET /a.flv HTTP/1.1', 'Host: x') + head('GET /b.flv HTTP/1.1', 'Host: x')],
    ['a byte after the head', `${head('GET /a.flv HTTP/1.1', 'Host: x')}x`],
    ['HEAD', head('HEAD /a.flv HTTP/1.1', 'Host: x')],
    ['POST', head('POST /a.flv HTTP/1.1', 'Host: x')],
    ['a lowercase method', head('get /a.flv HTTP/1.1', 'Host: x')],
    ['HTTP/2', head('GET /a.flv HTTP/2.0', 'Host: x')],
    ['HTTP/1.2', head('GET /a.flv HTTP/1.2', 'Host: x')],
    ['the HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
    ['two spaces in the request line', head('GET  /a.flv HTTP/1.1', 'Host: x')],
    ['a space in the target', head('GET /a b.flv HTTP/1.1', 'Host: x')],
    ['a target of non-ASCII bytes', head('GET /\xe6\xbc\x82.flv HTTP/1.1', 'Host: x')],
    ['HTTP/1.1 without Host', head('GET /a.flv HTTP/1.1', 'Accept: */*')],
    ['two Host fields', head('GET /a.flv HTTP/1.1', 'Host: x', 'Host: y')],
    ['a field twice in other cases', head('GET /a.flv HTTP/1.1', 'Host: x', 'X-Forwarded-For: 1.2.3.4', 'x-forwarded-for: 5.6.7.8')],
    ['Content-Length', head('GET /a.flv HTTP/1.1', 'Host: x', 'Content-Length: 0')],
    ['Transfer-Encoding', head('GET /a.flv HTTP/1.1', 'Host: x', 'Transfer-Encoding: chunked')],
    ['Expect', head('GET /a.flv HTTP/1.1', 'Host: x', 'Expect: 100-continue')],
    ['bare LF line ends', 'GET /a.flv HTTP/1.1\nHost: x\n\n'],
    ['a bare LF inside the fields', 'GET /a.flv HTTP/1.1\r\nHost: x\nAccept: y\r\n\r\n'],
    ['a bare CR inside a field', head('GET /a.flv HTTP/1.1', 'Host: x\ry')],
    ['an obs-fold continuation line', head('GET /a.flv HTTP/1.1', 'Host: x', 'X-A: one', ' two')],
    ['a space before the colon', head('GET /a.flv HTTP/1.1', 'Host : x')],
    ['an empty field name', head('GET /a.flv HTTP/1.1', 'Host: x', ': y')],
    ['a line with no colon', head('GET /a.flv HTTP/1.1', 'Host: x', 'junk')],
    ['a control byte in a value', head('GET /a.flv HTTP/1.1', 'Host: x\x01')],
    ['a NUL in a value', head('GET /a.flv HTTP/1.1', 'Host: x\x00')],
    ['obs-text in a value', head('GET /a.flv HTTP/1.1', 'Host: x', 'X-Name: caf\xe9')],
    ['an empty line before the request line', `\r\n${head('GET /a.flv HTTP/1.1', 'Host: x')}`],
    ['a TLS ClientHello', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n'],
  ];
  it.each(cases)('%s', (_name, text) => {
    expect(read(text)).toBeUndefined();
  });

  it(`more than ${REQUEST_HEAD_MAX_FIELDS} fields`, () => {
    const fields = Array.from({ length: REQUEST_HEAD_MAX_FIELDS - 1 }, (_, i) => `X-${i}: y`);
    expect(read(head('GET /a.flv HTTP/1.1', 'Host: x', ...fields))).toBeDefined();
    expect(read(head('GET /a.flv HTTP/1.1', 'Host: x', ...fields, 'X-last: y'))).toBeUndefined();
  });

  it('a head longer than the limit, by one byte', () => {
    const text = head('GET /a.flv HTTP/1.1', 'Host: x');
    expect(read(text, text.length)).toBeDefined();
    expect(read(text, text.length - 1)).toBeUndefined();
  });

  it('every proper prefix of a player head (a head split over reads)', () => {
    for (const [, text] of PLAYERS) {
      for (let cut = 0; cut < text.length; cut++) expect(read(text.slice(0, cut)), `cut at ${cut}`).toBeUndefined();
    }
  });

  it('random bytes and random edits of player heads never throw, and anything read is a GET head', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let i = 0; i < 5000; i++) {
      const base = Buffer.from((PLAYERS[i % PLAYERS.length] as [string, string])[1], 'latin1');
      const bytes = i % 5 === 0 ? Buffer.from(Array.from({ length: Math.floor(random() * 300) }, () => Math.floor(random() * 256))) : Buffer.from(base);
      for (let e = 0; e < 1 + Math.floor(random() * 3); e++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      const got = readGetRequestHead(bytes, MAX);
      if (got !== undefined) {
        expect(bytes.toString('latin1').startsWith(`GET ${got.target} HTTP/1.`)).toBe(true);
        expect(bytes.subarray(-4).toString('latin1')).toBe('\r\n\r\n');
      }
    }
  });
});
