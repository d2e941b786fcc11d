import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { streamKeyProblem } from '../media/stream-key.js';
import type { StatusStore } from '../status/status-store.js';
import type { StreamStatus } from '../status/status-snapshot.js';

/** The watch page's files, built from web/ into dist/web by `npm run build`. */
const WEB_FILES = {
  'watch.js': 'text/javascript; charset=utf-8',
  'watch.css': 'text/css; charset=utf-8',
} as const;

const PAGE_HEADERS = { 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' } as const;

/**
 * Where the built page lives: beside the compiled server (dist/server → dist/web), or, when the server runs from
 * src/ under the tests, the repository's dist/web.
 */
export function findWebRoot(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  return [join(here, '..', 'web'), join(here, '..', '..', 'dist', 'web')].find((dir) => existsSync(join(dir, 'watch.html')));
}

/** mpegts.js's browser build, served from the npm package so the page works on a LAN with no internet. */
export function findMpegtsDist(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('mpegts.js');
  } catch {
    return undefined;
  }
}

export interface PageContext {
  app: string;
  status: StatusStore;
  webRoot: string | undefined;
  mpegtsPath: string | undefined;
}

/** Serves the HTML index, the watch pages and their assets. Returns false when `path` is none of those. */
export function servePage(req: IncomingMessage, res: ServerResponse, path: string, pages: PageContext): boolean {
  if (path === '/') {
    if (!(req.headers.accept ?? '').includes('text/html')) return false;
    send(req, res, 200, 'text/html; charset=utf-8', indexHtml(pages, hostOf(req)));
    return true;
  }
  const watch = /^\/watch\/([^/]+)$/.exec(path) ?? /^\/([^/]+)\/([^/]+)\.html$/.exec(path);
  if (watch !== null) {
    const [app, key] = watch.length === 2 ? [pages.app, watch[1] as string] : [watch[1] as string, watch[2] as string];
    const problem = app === pages.app ? streamKeyProblem(key) : `unknown app '${app}': this server serves '${pages.app}'`;
    if (problem !== undefined) {
      send(req, res, 404, 'text/plain; charset=utf-8', `${problem}\n`);
      return true;
    }
    void serveWatchPage(req, res, pages, `${app}/${key}`);
    return true;
  }
  const asset = /^\/assets\/([^/]+)$/.exec(path)?.[1];
  if (asset === undefined) return false;
  if (asset === 'mpegts.js' || asset === 'mpegts.js.map') {
    const file = pages.mpegtsPath === undefined ? undefined : join(dirname(pages.mpegtsPath), asset);
    void serveFile(req, res, file, asset === 'mpegts.js' ? 'text/javascript; charset=utf-8' : 'application/json');
    return true;
  }
  if (Object.hasOwn(WEB_FILES, asset)) {
    const file = pages.webRoot === undefined ? undefined : join(pages.webRoot, asset);
    void serveFile(req, res, file, WEB_FILES[asset as keyof typeof WEB_FILES]);
    return true;
  }
  return false;
}

async function serveWatchPage(req: IncomingMessage, res: ServerResponse, pages: PageContext, stream: string): Promise<void> {
  const template = await readText(pages.webRoot === undefined ? undefined : join(pages.webRoot, 'watch.html'));
  if (template === undefined) return send(req, res, 500, 'text/plain; charset=utf-8', `${missingBuild('the watch page')}\n`);
  send(req, res, 200, 'text/html; charset=utf-8', template.replaceAll('{{STREAM}}', escapeHtml(stream)));
}

async function serveFile(req: IncomingMessage, res: ServerResponse, file: string | undefined, type: string): Promise<void> {
  const body = file === undefined ? undefined : await readFile(file).catch(() => undefined);
  if (body === undefined) return send(req, res, 500, 'text/plain; charset=utf-8', `${missingBuild(file ?? 'an asset')}\n`);
  send(req, res, 200, type, body);
}

function missingBuild(what: string): string {
  return `${what} is missing: run \`npm run build\` (and \`npm install\` for mpegts.js)`;
}

function readText(file: string | undefined): Promise<string | undefined> {
  return file === undefined ? Promise.resolve(undefined) : readFile(file, 'utf8').catch(() => undefined);
}

function send(req: IncomingMessage, res: ServerResponse, code: number, type: string, body: string | Buffer): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(code, { ...PAGE_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** The host the browser used, without the port, for the URLs to copy. */
function hostOf(req: IncomingMessage): string {
  const host = req.headers.host ?? '127.0.0.1';
  const bracketed = /^\[[^\]]+\]/.exec(host)?.[0];
  return bracketed ?? host.replace(/:\d+$/, '');
}

function indexHtml(pages: PageContext, host: string): string {
  const snapshot = pages.status.snapshot();
  const { server, schedule } = snapshot;
  const rows = snapshot.streams.map((s) => streamRow(s, host, server.rtmpPort, server.httpPort, schedule?.stream === s.path || schedule?.stream === s.key ? schedule.nowPlaying?.title : undefined));
  const body =
    rows.length === 0
      ? '<p class="empty">No live streams yet. Publish with OBS or ffmpeg to <code>' +
        escapeHtml(`rtmp://${host}:${server.rtmpPort}/${server.app}/<key>`) +
        '</code>.</p>'
      : `<ul class="streams">${rows.join('')}</ul>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>kayak-cast</title><link rel="stylesheet" href="/assets/watch.css"></head>
<body class="index"><header><h1>kayak-cast</h1><span class="version">${escapeHtml(server.version)}</span></header>
<main>${body}</main></body></html>
`;
}

function streamRow(s: StreamStatus, host: string, rtmpPort: number, httpPort: number, nowPlaying: string | undefined): string {
  const rtmp = `rtmp://${host}:${rtmpPort}/${s.path}`;
  const flv = `http://${host}:${httpPort}/${s.path}.flv`;
  const hls = `http://${host}:${httpPort}/${s.path}.m3u8`;
  const title = nowPlaying ?? s.key;
  const state = s.state === 'live' ? 'live' : 'waiting for the publisher';
  return `<li class="stream"><div class="stream-head"><a class="watch" href="/${escapeHtml(s.path)}.html">${escapeHtml(title)}</a>
<span class="state">${state}</span><span class="viewers">${s.viewers.total} watching</span></div>
<label>RTMP <input readonly value="${escapeHtml(rtmp)}" onfocus="this.select()"></label>
<label>HTTP-FLV <input readonly value="${escapeHtml(flv)}" onfocus="this.select()"></label>
<label>HLS <input readonly value="${escapeHtml(hls)}" onfocus="this.select()"></label></li>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
