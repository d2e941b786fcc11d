import { type IncomingMessage, type Server, createServer } from 'node:http';
import { type AddressInfo, type Socket, connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { GetRequestHead } from '../../../src/protocol/http/request-head.js';
import { type FrontDoorOptions, installFrontDoor } from '../../../src/server/http-front-door.js';
import { CollectingLogger } from '../../helpers/server.js';

/**
 * The front door on a real Node HTTP server on loopback: what it takes it answers itself; everything else reaches
 * Node's server byte for byte, with Node's own deadlines still in force.
 */

interface Door {
  port: number;
  taken: GetRequestHead[];
  /** Requests Node's server answered: method, URL and body. */
  node: { method: string; url: string; body: string }[];
  logger: CollectingLogger;
  admitted: number;
}

const servers: Server[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function startDoor(overrides: Partial<FrontDoorOptions> = {}, nodeOptions: { headersTimeout?: number } = {}): Promise<Door> {
  const door: Door = { port: 0, taken: [], node: [], logger: new CollectingLogger(), admitted: 0 };
  const server = createServer({ ...nodeOptions, connectionsCheckingInterval: 100 }, (req: IncomingMessage, res) => {
    let body = '';
    req.setEncoding('latin1');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      door.node.push({ method: req.method ?? '', url: req.url ?? '', body });
      res.end(`node:${req.url}`);
    });
  });
  installFrontDoor(server, {
    admit: () => {
      door.admitted++;
      return true;
    },
    take: (head, socket) => {
      if (!head.target.endsWith('.flv')) return false;
      door.taken.push(head);
      socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\ntaken');
      return true;
    },
    maxHeadBytes: 8192,
    firstByteTimeoutMs: 10_000,
    logger: door.logger,
    ...overrides,
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  door.port = (server.address() as AddressInfo).port;
  return door;
}

/** Writes `parts` (with a pause between them) and collects the answer until the server closes or `ms` pass. */
function exchange(port: number, parts: string[], ms = 600): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    let text = '';
    let closed = false;
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (text += d));
    socket.on('error', () => {});
    socket.on('close', () => {
      closed = true;
      resolve({ text, closed });
    });
    socket.on('connect', async () => {
      for (const [i, part] of parts.entries()) {
        if (i > 0) await new Promise((r) => setTimeout(r, 100));
        if (!socket.destroyed) socket.write(part);
      }
    });
    setTimeout(() => resolve({ text, closed }), ms);
  });
}

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;

describe('installFrontDoor', () => {
  it('takes a GET that arrives in one read and that take() serves; Node never sees it', async () => {
    const door = await startDoor();
    const answer = await exchange(door.port, [get('/live/a.flv')]);
    expect(answer.text).toMatch(/taken$/);
    expect(door.taken.map((h) => h.target)).toEqual(['/live/a.flv']);
    expect(door.node).toEqual([]);
  });

  it('hands what take() declines to Node, which reads the same bytes', async () => {
    const door = await startDoor();
    const answer = await exchange(door.port, [get('/api/status')]);
    expect(answer.text).toMatch(/node:\/api\/status$/);
    expect(door.node).toEqual([{ method: 'GET', url: '/api/status', body: '' }]);
  });

  it('hands over a head split over two reads, a body intact, and pipelined requests in order', async () => {
    const door = await startDoor();
    const request = get('/live/a.flv');
    expect((await exchange(door.port, [request.slice(0, 9), request.slice(9)])).text).toMatch(/node:\/live\/a\.flv$/);
    await exchange(door.port, ['POST /live/a.flv HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello']);
    const pipelined = await exchange(door.port, [get('/live/1.flv') + get('/two')]);
    expect(pipelined.text.indexOf('node:/live/1.flv')).toBeLessThan(pipelined.text.indexOf('node:/two'));
    expect(door.node).toEqual([
      { method: 'GET', url: '/live/a.flv', body: '' },
      { method: 'POST', url: '/live/a.flv', body: 'hello' },
      { method: 'GET', url: '/live/1.flv', body: '' },
      { method: 'GET', url: '/two', body: '' },
    ]);
    expect(door.taken).toEqual([]);
  });

  it('lets Node answer what it refuses: a malformed head gets its 400', async () => {
    const door = await startDoor();
    const answer = await exchange(door.port, ['GET /live/a.flv HTTP/1.1\r\nHost: x\r\nBad Name: y\r\n\r\n']);
    expect(answer.text).toMatch(/^HTTP\/1\.1 400/);
    expect(answer.closed).toBe(true);
  });

  it('keeps Node\'s head deadline for what it hands over: a head trickled a byte at a time is cut off', async () => {
    const door = await startDoor({}, { headersTimeout: 300 });
    const started = Date.now();
    const trickle = Array.from('GET /live/a.flv HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'y'.repeat(40));
    const answer = await exchange(door.port, trickle, 5_000);
    expect(answer.closed).toBe(true);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(door.node).toEqual([]);
  });

  it('answers 408 and closes a connection that sends nothing before its first-byte deadline', async () => {
    const door = await startDoor({ firstByteTimeoutMs: 200 });
    const started = Date.now();
    const answer = await exchange(door.port, [], 3_000);
    expect(answer.closed).toBe(true);
    expect(answer.text).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('closes what admit() refuses before reading a byte; neither take() nor Node sees it', async () => {
    const door = await startDoor({ admit: (socket) => (socket.destroy(), false) });
    const answer = await exchange(door.port, [get('/live/a.flv')]);
    expect(answer.closed).toBe(true);
    expect(answer.text).toBe('');
    expect(door.taken).toEqual([]);
    expect(door.node).toEqual([]);
  });

  it('closes the connection whose take() throws, logs it as ours, and goes on serving', async () => {
    const door = await startDoor({
      take: () => {
        throw new Error('boom');
      },
    });
    const answer = await exchange(door.port, [get('/live/a.flv')]);
    expect(answer.closed).toBe(true);
    expect(door.logger.lines.filter((l) => l.level === 'error').map((l) => l.message)).toEqual([expect.stringMatching(/internal error .*boom/)]);
    expect((await exchange(door.port, ['POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n'])).text).toMatch(/node:\/x$/);
  });

  it('refuses to go on a server whose connection listener is not Node\'s alone', () => {
    const server = createServer();
    server.on('connection', () => {});
    expect(() => installFrontDoor(server, { admit: () => true, take: () => false, maxHeadBytes: 1, firstByteTimeoutMs: 1, logger: new CollectingLogger() })).toThrow(/one 'connection' listener/);
  });
});
