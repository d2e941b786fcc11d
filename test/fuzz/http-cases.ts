import type { Rng } from './rng.js';

/**
 * Malformed, odd and pipelined HTTP/1.1 requests for the HTTP port (RFC 9112 message syntax), written as raw bytes.
 * `liveKey` is a stream that is live during the run: pipelines that end with its .flv request are the shape of
 * issue 8's crash 2, and a valid .flv request turns the connection into a viewer.
 */

export const HTTP_CASES = {
  'odd-method': 3,
  'odd-target': 5,
  'absolute-form': 2,
  'huge-header': 2,
  'many-headers': 2,
  'long-target': 1,
  'pipelined-then-flv': 5,
  'pipelined-many': 2,
  'bad-version': 1,
  'bad-framing': 2,
  'control-bytes': 2,
  'mutated-recording': 3,
  'random-bytes': 1,
} as const;

export type HttpCase = keyof typeof HTTP_CASES;

export interface HttpPlan {
  writes: Buffer[];
  note: string;
}

export interface HttpTarget {
  port: number;
  app: string;
  liveKey: string;
  /** A real client's recorded request (ffprobe's GET of the .flv URL), one Buffer per write. */
  recorded: readonly Buffer[];
}

const ODD_METHODS = ['OPTIONS', 'PROPFIND', 'CONNECT', 'TRACE', 'DELETE', 'PATCH', 'get', 'G\u00c9T', 'BREW', 'M'.repeat(300), 'PUT', 'POST', 'PRI'];
const ODD_TARGETS = ['//', '//[', 'http://[/', '/%', '/%zz', '/%00', '/..%2f..%2fetc/passwd', '/../../', '*', '/live/..', '/live//steady.flv', '///live/steady.flv', '/?%', '/live/%2e%2e/x.flv', '/api/status?x=%', '/live/steady.flv?%ff', '//api/status', '/api/streams/live/%c0', '/\u00ff', '/live/ste%00ady.flv', 'http://127.0.0.1:1/live/x.flv', 'https://[::1]/', 'http://@/', 'http://a:b@c/'];

function request(method: string, target: string, headers: readonly string[] = ['Host: 127.0.0.1'], body = ''): string {
  return `${method} ${target} HTTP/1.1\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n${body}`;
}

export function httpCase(rng: Rng, target: HttpTarget): HttpPlan {
  const kind = rng.weighted(HTTP_CASES);
  const flv = `/${target.app}/${target.liveKey}.flv`;
  const plain = (text: string, note: string): HttpPlan => ({ writes: [Buffer.from(text, 'latin1')], note: `${kind}: ${note}` });
  switch (kind) {
    case 'odd-method': {
      const method = rng.pick(ODD_METHODS);
      const path = rng.pick(['/', '//', flv, '/api/status', '*']);
      return plain(request(method, path), `${method.slice(0, 20)} ${path}`);
    }
    case 'odd-target': {
      const t = rng.pick(ODD_TARGETS);
      return plain(request(rng.pick(['GET', 'HEAD', 'OPTIONS']), t), t);
    }
    case 'absolute-form': {
      const t = rng.pick([`http://127.0.0.1:${target.port}${flv}`, `http://127.0.0.1:${target.port}/api/status`, `http://evil.example${flv}`, 'http://[::1]:99999/']);
      return plain(request('GET', t), t);
    }
    case 'huge-header': {
      const size = rng.pick([8 * 1024, 16 * 1024, 64 * 1024, 1024 * 1024]);
      return plain(request('GET', flv, ['Host: 127.0.0.1', `X-Big: ${'a'.repeat(size)}`]), `one ${size} B header`);
    }
    case 'many-headers': {
      const n = rng.pick([100, 2_000, 20_000]);
      return plain(request('GET', '/api/status', ['Host: 127.0.0.1', ...Array.from({ length: n }, (_, i) => `X-${i}: ${i}`)]), `${n} headers`);
    }
    case 'long-target': {
      const length = rng.pick([4_000, 20_000, 200_000]);
      return plain(request('GET', `/${'a'.repeat(length)}`), `${length} B path`);
    }
    case 'pipelined-then-flv': {
      const first = rng.pick([request('GET', '/api/status'), request('OPTIONS', '//'), request('HEAD', flv), request('GET', '/'), request('GET', '/nope'), request('POST', '/', ['Host: x', 'Content-Length: 3'], 'abc')]);
      const last = request(rng.pick(['GET', 'GET', 'HEAD']), flv);
      const text = first + last;
      // One packet (crash 2's shape) or two writes in quick succession.
      return rng.chance(0.7)
        ? plain(text, `${first.split('\r\n')[0]} + ${last.split('\r\n')[0]} in one write`)
        : { writes: [Buffer.from(first), Buffer.from(last)], note: `${kind}: ${first.split('\r\n')[0]} then ${last.split('\r\n')[0]}` };
    }
    case 'pipelined-many': {
      const n = rng.pick([10, 100, 1_000]);
      const text = Array.from({ length: n }, () => request('GET', rng.pick(['/api/status', '/', '/nope', '//']))).join('') + request('GET', flv);
      return plain(text, `${n} requests then ${flv}`);
    }
    case 'bad-version': {
      const line = rng.pick(['GET / HTTP/9.9', 'GET / HTTP/1', 'GET /', 'GET / FTP/1.1', 'GET  /  HTTP/1.1', 'GET\t/\tHTTP/1.1', `GET ${flv} HTTP/1.0`]);
      return plain(`${line}\r\nHost: x\r\n\r\n`, line);
    }
    case 'bad-framing': {
      const variant = rng.pick([
        request('POST', '/', ['Host: x', 'Transfer-Encoding: chunked'], 'zz\r\nabc\r\n0\r\n\r\n'),
        request('POST', '/', ['Host: x', 'Content-Length: 5', 'Transfer-Encoding: chunked'], '0\r\n\r\n'),
        request('POST', '/', ['Host: x', 'Content-Length: 99999999999'], 'abc'),
        request('POST', '/', ['Host: x', 'Content-Length: -1']),
        request('GET', flv, ['Host: x', 'Content-Length: 1', 'Content-Length: 2']),
        request('POST', '/', ['Host: x', 'Transfer-Encoding: chunked'], 'fffffffffffffff\r\n'),
        request('GET', flv, ['Host: x', 'Connection: Upgrade', 'Upgrade: websocket']),
      ]);
      return plain(variant, JSON.stringify(variant.slice(0, 60)));
    }
    case 'control-bytes': {
      const variant = rng.pick([
        `GET /\r\nHost: x\r\n\r\n`,
        `GET / HTTP/1.1\nHost: x\n\n`,
        `GET / HTTP/1.1\r\nHost: x\r\n X-Folded: y\r\n\r\n`,
        `GET / HTTP/1.1\r\nHost: x\r\nX-Bad\u0000: y\r\n\r\n`,
        `GET /\u0000 HTTP/1.1\r\nHost: x\r\n\r\n`,
        `\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n`,
        `GET / HTTP/1.1\r\nHost: x\r\nX: \u001b[31mred\r\n\r\n`,
      ]);
      return plain(variant, JSON.stringify(variant.slice(0, 40)));
    }
    case 'mutated-recording': {
      const bytes = Buffer.concat(target.recorded.length > 0 ? [...target.recorded] : [Buffer.from(request('GET', flv))]);
      const n = rng.between(1, 8);
      for (let i = 0; i < n; i++) {
        const at = rng.int(bytes.length);
        bytes[at] = (bytes[at] ?? 0) ^ (1 << rng.int(8));
      }
      return { writes: [bytes], note: `${kind}: ${n} bit flips in a real client's request` };
    }
    case 'random-bytes':
      return { writes: [rng.bytes(rng.pick([1, 100, 10_000]))], note: `${kind}` };
  }
}
