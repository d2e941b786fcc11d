import type { ServerResponse } from 'node:http';
import type { AccessGate } from './access/access-gate.js';
import type { Refusal, RefusalReason } from './access/refusals.js';
import { secretMatches } from './access/signed-token.js';

/** Answers anyone may read from any page: no addresses, no secrets. */
export const PUBLIC_CORS = { 'Access-Control-Allow-Origin': '*' } as const;

/** Who sent an HTTP request, as far as access is concerned. */
export interface Requester {
  /** The client's IP address (a trusted proxy's forwarded client). */
  address: string;
  /** A caller on this machine that came straight to us, by an address (not a name a page could rebind). */
  local: boolean;
  /** Presented the admin token (`Authorization: Bearer <token>`). */
  admin: boolean;
}

/** What `requester` reads of a request: its peer and its fields (a Node request, or a head the front door read). */
export interface RequestOrigin {
  socket: { remoteAddress?: string | undefined };
  headers: Record<string, string | string[] | undefined>;
}

export function requester(req: RequestOrigin, access: AccessGate, adminToken: string): Requester {
  const client = access.client(req.socket.remoteAddress, req.headers);
  const { authorization, host } = req.headers;
  const bearer = typeof authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(authorization)?.[1] : undefined;
  return {
    address: client.address,
    // DNS rebinding lets a web page reach 127.0.0.1 under a name of its own; a Host that is an address or localhost cannot be that page.
    local: client.local && isLocalHost(typeof host === 'string' ? host : undefined),
    admin: bearer !== undefined && secretMatches(bearer, adminToken),
  };
}

/** Whether the caller may see addresses: a local caller or one with the admin token. */
export function seesAddresses(who: Requester): boolean {
  return who.local || who.admin;
}

function isLocalHost(host: string | undefined): boolean {
  const name = (host ?? '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return name === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(name) || name === '::1';
}

/** A bodiless answer written straight to a socket no Node response holds (a bad or late request head). */
export function closingAnswer(status: string): string {
  return `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`;
}

export function text(res: ServerResponse, code: number, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(code, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(`${body}\n`);
}

export function json(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(code, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(`${JSON.stringify(body)}\n`);
}

/** The HTTP status for a refusal: a bad name 400, missing rights 401/403, a full room 503 (with Retry-After). */
export function refusalStatus(reason: RefusalReason): number {
  switch (reason) {
    case 'bad-key':
    case 'look-alike-key':
      return 400;
    case 'admin-token':
      return 401;
    case 'max-viewers':
    case 'max-bandwidth':
    case 'max-connections':
    case 'max-connections-per-ip':
      return 503;
    default:
      return 403;
  }
}

/** Headers of a refusal: Retry-After for a full room, and the reason for the watch page to read. */
export function refusalHeaders(refusal: Refusal): Record<string, string> {
  return {
    'X-Kayak-Refusal': refusal.reason,
    ...(refusal.retryAfterS !== undefined ? { 'Retry-After': String(refusal.retryAfterS) } : {}),
  };
}

export function refusalAnswer(res: ServerResponse, refusal: Refusal, extra: Record<string, string> = {}): void {
  text(res, refusalStatus(refusal.reason), refusal.message, {
    ...PUBLIC_CORS,
    ...refusalHeaders(refusal),
    ...extra,
    'Access-Control-Expose-Headers': 'Retry-After, X-Kayak-Refusal, X-Kayak-Overflow',
  });
}
