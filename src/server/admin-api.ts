import type { IncomingMessage, ServerResponse } from 'node:http';
import { EVENT_LOG_CAPACITY } from '../status/event-log.js';
import { STATUS_VERSION, publicView } from '../status/status-snapshot.js';
import type { StatusStore } from '../status/status-store.js';
import { quotePeer } from '../util/safe-text.js';
import type { AccessGate } from './access/access-gate.js';
import { refuse } from './access/refusals.js';
import type { AdminActions } from './admin-actions.js';
import { PUBLIC_CORS, type Requester, json, refusalAnswer, seesAddresses, text } from './http-answers.js';

/**
 * The JSON API under /api/. GETs are read-only: anyone gets counts, a local caller or the admin token gets addresses
 * too. Actions are POSTs that need the admin token, whoever sends them (a page in the host's own browser included):
 *
 *   POST /api/viewers/<id>/kick          disconnect a viewer and bar its address for a while
 *   POST /api/skip                       skip to the next scheduled item
 *   POST /api/streams/<app>/<key>/stop   end a stream and disconnect its publisher
 *   POST /api/shutdown                   stop the server
 *
 * Answers that hold addresses carry no CORS header, so no other site's page can read them.
 */
export function serveApi(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams, who: Requester, api: ApiContext): void {
  const readOnly = READ_ONLY.some((pattern) => pattern.test(path));
  if (req.method === 'POST' && !readOnly) return serveAction(req, res, path, who, api);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const allow = readOnly ? 'GET, HEAD' : 'GET, HEAD, POST';
    return text(res, 405, `${quotePeer(req.method ?? '')} is not allowed here: ${readOnly ? 'this is read with GET' : 'GET reads, POST acts (with the admin token)'}`, { Allow: allow });
  }
  const full = seesAddresses(who);
  const cors = full ? {} : PUBLIC_CORS;
  if (path === '/api/status') {
    const snapshot = api.status.snapshot();
    return json(res, 200, full ? snapshot : publicView(snapshot), cors);
  }
  if (path === '/api/history') return json(res, 200, { version: STATUS_VERSION, history: api.status.history.series() }, PUBLIC_CORS);
  if (path === '/api/events') {
    if (!full) return text(res, 403, 'events name addresses: ask from this machine or with the admin token (Authorization: Bearer <token>)');
    const limit = Math.min(Number(query.get('limit') ?? EVENT_LOG_CAPACITY) || EVENT_LOG_CAPACITY, EVENT_LOG_CAPACITY);
    return json(res, 200, { version: STATUS_VERSION, events: api.status.events.recent(limit) });
  }
  const stream = /^\/api\/streams\/([^/]+)\/([^/]+)$/.exec(path);
  if (stream !== null) {
    const found = api.status.stream(`${stream[1]}/${stream[2]}`);
    if (found === undefined) return text(res, 404, `no stream ${quotePeer(`${stream[1]}/${stream[2]}`)}`, cors);
    if (full) return json(res, 200, found, cors);
    const { viewerList: _hidden, ...counts } = found;
    return json(res, 200, { ...counts, publisher: counts.publisher === null ? null : { ...counts.publisher, address: null } }, cors);
  }
  text(res, 404, `not found: ${quotePeer(path)}`, cors);
}

/** What GET reads: a POST here is a mistake (405), not an action. */
const READ_ONLY = [/^\/api\/(status|history|events)$/, /^\/api\/streams\/[^/]+\/[^/]+$/];

export interface ApiContext {
  status: StatusStore;
  access: AccessGate;
  admin: AdminActions;
}

function serveAction(req: IncomingMessage, res: ServerResponse, path: string, who: Requester, api: ApiContext): void {
  // The body, if any, says nothing we need; drain it so the connection can be reused.
  req.resume();
  if (!who.admin) {
    const refusal = api.access.refused(refuse('admin-token', 'this needs the admin token: Authorization: Bearer <token> (kayak-cast reads it from its runtime file)'), 'http', who.address);
    return refusalAnswer(res, refusal);
  }
  const kick = /^\/api\/viewers\/([^/]+)\/kick$/.exec(path);
  if (kick !== null) {
    const result = api.admin.kick(kick[1] as string);
    return result.done ? json(res, 200, { kicked: kick[1], stream: result.path, address: result.address }) : text(res, 404, `no viewer ${quotePeer(kick[1] as string)}`);
  }
  const stop = /^\/api\/streams\/([^/]+)\/([^/]+)\/stop$/.exec(path);
  if (stop !== null) {
    const target = `${stop[1]}/${stop[2]}`;
    const result = api.admin.stopStream(target);
    if (result.done) return json(res, 200, { stopped: target });
    if (result.why === 'playout') return text(res, 409, `${target} is the scheduled playout: skip its items, or stop kayak-cast schedule`);
    return text(res, 404, `no stream ${quotePeer(target)}`);
  }
  if (path === '/api/skip') {
    const result = api.admin.skip();
    return result.done ? json(res, 200, { skipped: true }) : text(res, 409, 'nothing is scheduled on this server: skip works while kayak-cast schedule plays');
  }
  if (path === '/api/shutdown') {
    const result = api.admin.shutdown();
    return result.done ? json(res, 202, { stopping: true }) : text(res, 409, 'this server cannot be stopped from here');
  }
  text(res, 404, `no such action: ${quotePeer(path)}`);
}
