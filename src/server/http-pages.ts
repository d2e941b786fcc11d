import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { streamKeyProblem } from '../media/stream-key.js';
import type { StatusStore } from '../status/status-store.js';
import type { AccessGate } from './access/access-gate.js';
import { credentialsFrom } from './access/credentials.js';
import type { Requester } from './http-answers.js';
import type { ServerStatus, StreamStatus } from '../status/status-snapshot.js';

/** The watch page's files, built from web/ into dist/web by `npm run build`. */
const WEB_FILES = {
  'watch.js': 'text/javascript; charset=utf-8',
  'watch.css': 'text/css; charset=utf-8',
} as const;

// A private show's page URL carries its link (?sign=): no Referer takes it to anyone else.
const PAGE_HEADERS = { 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' } as const;

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
  return resolvePackage('mpegts.js');
}

/**
 * hls.js's browser build: the watch page loads it only to follow a full room to an edge's HLS in a browser without
 * native HLS (Chromium, Firefox).
 */
export function findHlsDist(): string | undefined {
  const main = resolvePackage('hls.js');
  return main === undefined ? undefined : join(dirname(main), 'hls.min.js');
}

function resolvePackage(name: string): string | undefined {
  try {
    return createRequire(import.meta.url).resolve(name);
  } catch {
    return undefined;
  }
}

export interface PageContext {
  app: string;
  status: StatusStore;
  webRoot: string | undefined;
  mpegtsPath: string | undefined;
  hlsPath: string | undefined;
  access: AccessGate;
}

/** Serves the HTML index, the watch pages and their assets. Returns false when `path` is none of those. */
export function servePage(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams, who: Requester, pages: PageContext): boolean {
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
    // A private show's page is for those who hold its link; the page passes the link's query on to the stream.
    const decision = pages.access.play({ app, key, address: who.address, credentials: credentialsFrom(query.toString()) }, 'watch page', false);
    if (!decision.allow) {
      send(req, res, 403, 'text/html; charset=utf-8', messagePage('Private show', decision.message));
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
  if (asset === 'hls.js') {
    void serveFile(req, res, pages.hlsPath, 'text/javascript; charset=utf-8');
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
  const title = (s: StreamStatus) => (schedule?.stream === s.path || schedule?.stream === s.key ? schedule.nowPlaying?.title : undefined);
  const rows = snapshot.streams.map((s) =>
    pages.access.config.playSecret !== undefined ? privateRow(s, title(s)) : streamRow(s, host, server, title(s)),
  );
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

/** A private show is listed by name only: its URLs work only with the link the host shared. */
function privateRow(s: StreamStatus, nowPlaying: string | undefined): string {
  return `<li class="stream"><div class="stream-head"><span class="watch">${escapeHtml(nowPlaying ?? s.key)}</span>
<span class="state">private show: open the link the host shared</span><span class="viewers">${s.viewers.total} watching</span></div></li>`;
}

function streamRow(s: StreamStatus, host: string, server: ServerStatus, nowPlaying: string | undefined): string {
  const rtmp = `${server.tls ? 'rtmps' : 'rtmp'}://${host}:${server.tls ? server.rtmpsPort : server.rtmpPort}/${s.path}`;
  const flv = `${server.tls ? 'https' : 'http'}://${host}:${server.httpPort}/${s.path}.flv`;
  const hls = `${server.tls ? 'https' : 'http'}://${host}:${server.httpPort}/${s.path}.m3u8`;
  const title = nowPlaying ?? s.key;
  const state = s.state === 'live' ? 'live' : 'waiting for the publisher';
  return `<li class="stream"><div class="stream-head"><a class="watch" href="/${escapeHtml(s.path)}.html">${escapeHtml(title)}</a>
<span class="state">${state}</span><span class="viewers">${s.viewers.total} watching</span></div>
<label>RTMP <input readonly value="${escapeHtml(rtmp)}" onfocus="this.select()"></label>
<label>HTTP-FLV <input readonly value="${escapeHtml(flv)}" onfocus="this.select()"></label>
<label>HLS <input readonly value="${escapeHtml(hls)}" onfocus="this.select()"></label></li>`;
}

function messagePage(title: string, message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · kayak-cast</title><link rel="stylesheet" href="/assets/watch.css"></head>
<body class="index"><header><h1>${escapeHtml(title)}</h1></header><main><p class="empty">${escapeHtml(message)}</p></main></body></html>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
