import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StatusStore } from '../status/status-store.js';
import { streamKeyProblem } from '../media/stream-key.js';
import { serveFlv } from './http-flv.js';
import { serveHls } from './http-hls.js';
import { type PageContext, servePage } from './http-pages.js';
import type { ServerContext } from './server-context.js';

const CORS = { 'Access-Control-Allow-Origin': '*' } as const;

/** Routes one HTTP request. Every answer is deliberate: unknown paths 404, wrong methods 405, never a 500 by design. */
export function route(req: IncomingMessage, res: ServerResponse, ctx: ServerContext, status: StatusStore, pages: PageContext): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = decodeSafely(url.pathname);
  if (req.method === 'OPTIONS') {
    res.writeHead(204, { ...CORS, 'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS', 'Access-Control-Max-Age': '86400' });
    res.end();
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    text(res, 405, `${req.method ?? 'this method'} is not allowed here: use GET or HEAD`, { Allow: 'GET, HEAD, OPTIONS' });
    return;
  }
  if (path === undefined) return text(res, 400, 'the path is not valid percent-encoding');
  if (path === '/api/status') return json(res, 200, status.snapshot());

  const streamApi = /^\/api\/streams\/([^/]+)\/([^/]+)$/.exec(path);
  if (streamApi !== null) {
    const stream = status.stream(`${streamApi[1]}/${streamApi[2]}`);
    if (stream === undefined) return text(res, 404, `no stream ${streamApi[1]}/${streamApi[2]}`);
    return json(res, 200, stream);
  }

  if (serveHls(req, res, path, ctx)) return;

  const flv = /^\/([^/]+)\/([^/]+)\.flv$/.exec(path);
  if (flv !== null) {
    const [, app, key] = flv as unknown as [string, string, string];
    const problem = streamKeyProblem(key);
    if (problem !== undefined) return text(res, 400, problem);
    const channel = app === ctx.app ? ctx.hub.get(`${app}/${key}`) : undefined;
    if (channel === undefined) return text(res, 404, `no stream ${app}/${key}: nothing is being published there`);
    return serveFlv(req, res, channel, ctx);
  }

  if (servePage(req, res, path, pages)) return;
  if (path === '/') return text(res, 200, indexText(status));
  text(res, 404, `not found: ${path}`);
}

function indexText(status: StatusStore): string {
  const { streams, server } = status.snapshot();
  if (streams.length === 0) return `kayak-cast ${server.version}: no live streams yet`;
  return [`kayak-cast ${server.version}: live streams`, ...streams.map((s) => `  /${s.path}.flv  /${s.path}.m3u8  (${s.viewers.total} watching)`)].join('\n');
}

function text(res: ServerResponse, code: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(code, { ...CORS, ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`${body}\n`);
}

function json(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { ...CORS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`${JSON.stringify(body)}\n`);
}

function decodeSafely(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}
