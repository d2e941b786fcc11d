import type { IncomingMessage, ServerResponse } from 'node:http';
import { streamKeyRule } from '../media/stream-key.js';
import type { StatusStore } from '../status/status-store.js';
import { describeError } from '../util/safe-timer.js';
import { quotePeer } from '../util/safe-text.js';
import { credentialsFrom } from './access/credentials.js';
import type { AdminActions } from './admin-actions.js';
import { serveApi } from './admin-api.js';
import { serveFlv } from './http-flv.js';
import { PUBLIC_CORS, type Requester, refusalAnswer, requester, text } from './http-answers.js';
import { serveHls } from './http-hls.js';
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

  if (serveHls(req, res, path, ctx)) return;

  const flv = /^\/([^/]+)\/([^/]+)\.flv$/.exec(path);
  if (flv !== null) return playFlv(req, res, ctx, flv[1] as string, flv[2] as string, query, who);

  if (servePage(req, res, path, query, who, pages)) return;
  if (path === '/') return text(res, 200, indexText(status, ctx), PUBLIC_CORS);
  text(res, 404, `not found: ${quotePeer(path)}`, PUBLIC_CORS);
}

/** HTTP-FLV: the key's rules, the show's access and the room's admission, then the stream. */
function playFlv(req: IncomingMessage, res: ServerResponse, ctx: ServerContext, app: string, key: string, query: URLSearchParams, who: Requester): void {
  const bad = streamKeyRule(key);
  if (bad !== undefined) return text(res, 400, bad.message, PUBLIC_CORS);
  const channel = app === ctx.app ? ctx.hub.get(`${app}/${key}`) : undefined;
  const request = { app, key, address: who.address, credentials: credentialsFrom(query.toString()) };
  // HEAD asks whether this caller would be let in (the watch page asks why a stream failed); it takes no seat, and a
  // "no" to it is not a refusal to count.
  const decision = req.method === 'HEAD' ? ctx.access.wouldPlay(request, channel !== undefined) : ctx.access.play(request, 'http-flv', channel !== undefined);
  if (!decision.allow) return refusalAnswer(res, decision);
  if (channel === undefined) return text(res, 404, `no stream ${quotePeer(`${app}/${key}`)}: nothing is being published there`, PUBLIC_CORS);
  serveFlv(req, res, channel, ctx, who.address);
}

function indexText(status: StatusStore, ctx: ServerContext): string {
  const { streams, server } = status.snapshot();
  if (streams.length === 0) return `kayak-cast ${server.version}: no live streams yet`;
  const privately = ctx.access.config.playSecret !== undefined ? ' (private: open the link the host shared)' : '';
  return [`kayak-cast ${server.version}: live streams${privately}`, ...streams.map((s) => `  /${s.path}.flv  /${s.path}.m3u8  (${s.viewers.total} watching)`)].join('\n');
}
