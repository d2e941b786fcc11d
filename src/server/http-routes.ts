import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { GetRequestHead } from '../protocol/http/request-head.js';
import { streamKeyRule } from '../media/stream-key.js';
import type { StatusStore } from '../status/status-store.js';
import { describeError } from '../util/safe-timer.js';
import { quotePeer } from '../util/safe-text.js';
import { credentialsFrom } from './access/credentials.js';
import type { AdminActions } from './admin-actions.js';
import { serveApi } from './admin-api.js';
import { FLV_PATH, serveFlv, serveFlvOnSocket } from './http-flv.js';
import { PUBLIC_CORS, type Requester, refusalAnswer, requester, text } from './http-answers.js';
import type { Refusal } from './access/refusals.js';
import { type HlsRequest, hlsClient, matchHls, serveHls } from './http-hls.js';
import { type OverflowFormat, overflowUrl, overflows } from './overflow.js';
import { type PageContext, servePage } from './http-pages.js';
import { parseRequestTarget } from './request-target.js';
import type { ServerContext } from './server-context.js';
import { formatAddress } from './socket-viewer.js';

/**
 * Routes one HTTP request. Every answer is deliberate: unknown paths 404, wrong methods 405, never a 500 by design;
 * and should a handler throw all the same, that request gets a 500 and a log line, and the server goes on.
 */
export function route(req: IncomingMessage, res: ServerResponse, ctx: ServerContext, status: StatusStore, pages: PageContext, admin: AdminActions): void {
  try {
    answer(req, res, ctx, status, pages, admin);
  } catch (error) {
    const peer = formatAddress(req.socket.remoteAddress, req.socket.remotePort);
    ctx.logger.log('error', `http ${peer}: internal error answering a request, answered 500: ${describeError(error)}`, {
      stack: error instanceof Error ? error.stack : undefined,
    });
    if (!res.headersSent) text(res, 500, 'internal error: this is a bug in kayak-cast', PUBLIC_CORS);
    else res.destroy();
  }
}

function answer(req: IncomingMessage, res: ServerResponse, ctx: ServerContext, status: StatusStore, pages: PageContext, admin: AdminActions): void {
  const target = parseRequestTarget(req.url);
  if (req.method === 'OPTIONS') {
    // Other sites' pages may read the public GETs; no preflight ever allows a POST or an Authorization header.
    res.writeHead(204, { ...PUBLIC_CORS, 'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS', 'Access-Control-Max-Age': '86400' });
    res.end();
    return;
  }
  if ('problem' in target) return text(res, 400, target.problem, PUBLIC_CORS);
  const { path, query } = target;
  const who = requester(req, ctx.access, ctx.adminToken);
  if (path.startsWith('/api/')) return serveApi(req, res, path, query, who, { status, access: ctx.access, admin });
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    text(res, 405, `${quotePeer(req.method ?? '')} is not allowed here: use GET or HEAD`, { ...PUBLIC_CORS, Allow: 'GET, HEAD, OPTIONS' });
    return;
  }

  const hls = matchHls(path);
  if (hls !== undefined) return playHls(req, res, ctx, hls, query, who);

  const flv = FLV_PATH.exec(path);
  if (flv !== null) return playFlv(req, res, ctx, flv[1] as string, flv[2] as string, query, who);

  if (servePage(req, res, path, query, who, pages)) return;
  if (path === '/') return text(res, 200, indexText(status, ctx), PUBLIC_CORS);
  text(res, 404, `not found: ${quotePeer(path)}`, PUBLIC_CORS);
}

/** HTTP-FLV: the key's rules, the show's access and the room's admission, then the stream. */
function playFlv(req: IncomingMessage, res: ServerResponse, ctx: ServerContext, app: string, key: string, query: URLSearchParams, who: Requester): void {
  const bad = streamKeyRule(key);
  if (bad !== undefined) return text(res, 400, bad.message, PUBLIC_CORS);
  const channel = liveChannel(ctx, app, key);
  const request = flvRequest(app, key, query, who);
  // HEAD asks whether this caller would be let in (the watch page asks why a stream failed); it takes no seat, and a
  // "no" to it is not a refusal to count.
  const decision = req.method === 'HEAD' ? ctx.access.wouldPlay(request, channel !== undefined) : ctx.access.play(request, 'http-flv', channel !== undefined);
  if (!decision.allow) return refuseOrOverflow(req, res, ctx, decision, app, key, 'flv', who);
  if (channel === undefined) return text(res, 404, `no stream ${quotePeer(`${app}/${key}`)}: nothing is being published there`, PUBLIC_CORS);
  serveFlv(req, res, channel, ctx, who.address);
}

/**
 * The HTTP front door's question: a GET it read itself is served here when playFlv would serve it (a stream the
 * caller may watch now), and true is said. Otherwise nothing is written and false is said: the request goes to
 * route(), which answers it (a refusal is counted and logged there, once). An allowed play() logs and counts nothing,
 * so asking wouldPlay() here and serving is what playFlv does.
 */
export function takeFlvGet(head: GetRequestHead, socket: Socket, ctx: ServerContext): boolean {
  const target = parseRequestTarget(head.target);
  if ('problem' in target) return false;
  const flv = FLV_PATH.exec(target.path);
  if (flv === null) return false;
  const [, app, key] = flv as unknown as [string, string, string];
  if (streamKeyRule(key) !== undefined) return false;
  const channel = liveChannel(ctx, app, key);
  if (channel === undefined) return false;
  const who = requester({ socket, headers: head.headers }, ctx.access, ctx.adminToken);
  if (!ctx.access.wouldPlay(flvRequest(app, key, target.query, who), true).allow) return false;
  serveFlvOnSocket(socket, channel, ctx, who.address);
  return true;
}

/** The stream published at `app/key`, when `app` is the server's. */
function liveChannel(ctx: ServerContext, app: string, key: string) {
  return app === ctx.app ? ctx.hub.get(`${app}/${key}`) : undefined;
}

function flvRequest(app: string, key: string, query: URLSearchParams, who: Requester) {
  return { app, key, address: who.address, credentials: credentialsFrom(query.toString()) };
}

/**
 * HLS: the key's rules and the show's access for every request; admission only for a playlist request from a client
 * that is not already watching (a player reloads its playlist every few seconds, and must not lose its seat to that).
 */
function playHls(req: IncomingMessage, res: ServerResponse, ctx: ServerContext, hls: HlsRequest, query: URLSearchParams, who: Requester): void {
  const { app, key } = hls;
  const bad = streamKeyRule(key);
  if (bad !== undefined) return text(res, 400, bad.message, PUBLIC_CORS);
  const channel = liveChannel(ctx, app, key);
  const credentials = credentialsFrom(query.toString());
  const request = { app, key, address: who.address, credentials };
  const client = hlsClient(who.address, req);
  const newViewer = hls.kind !== 'segment' && channel !== undefined && !ctx.hls.knows(channel, client);
  // Without admission (a stream that "does not exist" to the policy), wouldPlay checks the link and bans only.
  const decision = !newViewer || req.method === 'HEAD' ? ctx.access.wouldPlay(request, newViewer) : ctx.access.play(request, 'hls', true);
  if (!decision.allow) return refuseOrOverflow(req, res, ctx, decision, app, key, 'm3u8', who);
  if (channel === undefined) return text(res, 404, `no stream ${quotePeer(`${app}/${key}`)}: nothing is being published there`, PUBLIC_CORS);
  // A private show's playlists name their URIs with the link's credentials, so the player can follow them.
  const link = new URLSearchParams();
  for (const name of ['sign', 'secret']) {
    const value = query.get(name);
    if (value !== null && ctx.access.config.playSecret !== undefined) link.set(name, value);
  }
  serveHls(req, res, hls, channel, ctx.hls, client, link.toString());
}

/**
 * A refused viewer: with `--overflow`, one the room has no space for is sent to the edge with a 302 (players follow it);
 * the watch page, which asks with `X-Kayak-Ask: why`, gets the refusal and the edge's URL in X-Kayak-Overflow instead,
 * since a browser's fetch cannot read a redirect's Location. Anyone else gets the refusal.
 */
function refuseOrOverflow(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: ServerContext,
  refusal: Refusal,
  app: string,
  key: string,
  format: OverflowFormat,
  who: Requester,
): void {
  if (ctx.overflow === undefined || !overflows(refusal.reason)) return refusalAnswer(res, refusal);
  const url = overflowUrl(ctx.overflow, app, key, format);
  if (req.headers['x-kayak-ask'] !== undefined) return refusalAnswer(res, refusal, { 'X-Kayak-Overflow': url });
  if (req.method === 'GET') ctx.access.overflowed(format === 'm3u8' ? 'hls' : 'http-flv', who.address, url);
  res.writeHead(302, { ...PUBLIC_CORS, Location: url, 'Cache-Control': 'no-store', 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`the room is full: watch at ${url}\n`);
}

function indexText(status: StatusStore, ctx: ServerContext): string {
  const { streams, server } = status.snapshot();
  if (streams.length === 0) return `kayak-cast ${server.version}: no live streams yet`;
  const privately = ctx.access.config.playSecret !== undefined ? ' (private: open the link the host shared)' : '';
  return [`kayak-cast ${server.version}: live streams${privately}`, ...streams.map((s) => `  /${s.path}.flv  /${s.path}.m3u8  (${s.viewers.total} watching)`)].join('\n');
}
