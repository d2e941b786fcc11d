import { type ClientRequest, type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { UserError } from '../errors.js';
import { STATUS_VERSION, type StatusSnapshot } from '../status/status-snapshot.js';
import { type RuntimeInfo, findRunningServer } from './runtime-file.js';
import { ADMIN_TOKEN_ENV } from './server-flags.js';

/** Exit code when no server can be reached: scripts can tell "not running" from other failures. */
export const EXIT_NO_SERVER = 3;
/** A server that does not answer within this is treated as not there. */
const REQUEST_TIMEOUT_MS = 5_000;
/** Largest answer read from a server: a status with thousands of viewers is far below it. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/** A running server as the CLI reaches it: its base URL, the admin token if known, the certificate to pin if local. */
export interface ServerEndpoint {
  base: URL;
  token?: string;
  /** SHA-256 fingerprint of the local server's certificate (from its runtime file). */
  pin?: string;
}

/**
 * Where to find the server: `--url` (with `--token`, KAYAK_ADMIN_TOKEN, or the runtime file when the URL is this
 * machine's server), else the server running on this machine, found through its runtime file.
 */
export function resolveEndpoint(options: { url?: string; token?: string }): ServerEndpoint {
  const envToken = process.env[ADMIN_TOKEN_ENV];
  const given = options.token ?? (envToken !== undefined && envToken !== '' ? envToken : undefined);
  if (options.url === undefined) {
    const running = findRunningServer();
    if (running === undefined) {
      throw new UserError('no kayak-cast server is running on this machine', 'start one with `kayak-cast serve`, or pass --url http://host:8000', EXIT_NO_SERVER);
    }
    return withToken(localEndpoint(running), given);
  }
  let base: URL;
  try {
    base = new URL(options.url);
  } catch {
    throw new UserError(`'${options.url}' is not a URL`, 'pass it like --url http://192.168.1.10:8000');
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new UserError(`'${options.url}' is not an http:// or https:// URL`);
  const running = findRunningServer();
  const local = running !== undefined && isLoopbackHost(base.hostname) && Number(base.port || (base.protocol === 'https:' ? 443 : 80)) === running.httpPort;
  return withToken(local ? { ...localEndpoint(running), base } : { base }, given);
}

function withToken(endpoint: ServerEndpoint, token: string | undefined): ServerEndpoint {
  return token === undefined ? endpoint : { ...endpoint, token };
}

function localEndpoint(running: RuntimeInfo): ServerEndpoint {
  const host = running.host === '0.0.0.0' || running.host === '::' ? '127.0.0.1' : running.host;
  const base = new URL(`${running.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${running.httpPort}`);
  return {
    base,
    ...(running.adminToken !== undefined ? { token: running.adminToken } : {}),
    ...(running.certificateSha256 !== undefined ? { pin: running.certificateSha256 } : {}),
  };
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
}

export interface Answer {
  status: number;
  body: string;
}

/** One request to the server's API; the admin token goes along when known. Throws UserError when nobody answers. */
export function apiRequest(endpoint: ServerEndpoint, method: 'GET' | 'POST', path: string): Promise<Answer> {
  const url = new URL(path, endpoint.base);
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (endpoint.token !== undefined) headers['Authorization'] = `Bearer ${endpoint.token}`;
  return new Promise<Answer>((resolve, reject) => {
    const onAnswer = (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) req.destroy(new Error('the answer is too large'));
        else chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    };
    const options = { method, headers, timeout: REQUEST_TIMEOUT_MS, agent: false as const };
    let req: ClientRequest;
    if (url.protocol === 'https:' && endpoint.pin !== undefined) {
      // This machine's server: its certificate may be self-signed, so it is pinned by the fingerprint its runtime file
      // holds, and nothing (the token least of all) is sent before the pin matched.
      const pin = endpoint.pin;
      // No agent: node uses `createConnection` only for a request without one.
      const { agent: _none, ...direct } = options;
      req = httpsRequest(url, { ...direct, createConnection: (_opts: unknown, done: (error: Error | null, socket?: TLSSocket) => void) => pinned(url, pin, done) } as never, onAnswer);
    } else {
      req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, onAnswer);
    }
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
    req.on('error', (error: Error) => reject(noServer(endpoint, error)));
    req.end();
  });
}

function pinned(url: URL, pin: string, done: (error: Error | null, socket?: TLSSocket) => void): undefined {
  const socket = tlsConnect({ host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port || 443), rejectUnauthorized: false });
  socket.once('secureConnect', () => {
    if (socket.getPeerCertificate().fingerprint256 === pin) return done(null, socket);
    socket.destroy();
    done(new Error('the certificate is not the one the runtime file names (another program on that port?)'));
  });
  socket.once('error', (error) => done(error));
  return undefined;
}

function noServer(endpoint: ServerEndpoint, error: Error): UserError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const tlsHint = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code) ? ' (its certificate is not trusted: use an SSH tunnel, or a certificate from a CA)' : '';
  return new UserError(`no kayak-cast server answers at ${endpoint.base.origin}: ${code || error.message}${tlsHint}`, 'check the address and port, or start one with `kayak-cast serve`', EXIT_NO_SERVER);
}

/** GET of a JSON endpoint of the API; a non-200 answer is reported with the server's one-line reason. */
export async function getJson<T>(endpoint: ServerEndpoint, path: string): Promise<T> {
  const answer = await apiRequest(endpoint, 'GET', path);
  if (answer.status !== 200) throw new UserError(`${endpoint.base.origin}${path} answered ${answer.status}: ${firstLine(answer.body)}`, undefined, EXIT_NO_SERVER);
  try {
    return JSON.parse(answer.body) as T;
  } catch {
    throw new UserError(`${endpoint.base.origin}${path} did not answer JSON: is this a kayak-cast server?`, undefined, EXIT_NO_SERVER);
  }
}

/** The server's status snapshot, refused when it speaks another version of the contract. */
export async function fetchSnapshot(endpoint: ServerEndpoint): Promise<StatusSnapshot> {
  const snapshot = await getJson<StatusSnapshot>(endpoint, '/api/status');
  if (snapshot.version !== STATUS_VERSION) {
    throw new UserError(`the server speaks status version ${String(snapshot.version)}, this kayak-cast reads version ${STATUS_VERSION}`, 'use the same kayak-cast version on both sides');
  }
  return snapshot;
}

/** An admin action (POST); returns the server's JSON answer, or throws its one-line reason. */
export async function postAction(endpoint: ServerEndpoint, path: string): Promise<Record<string, unknown>> {
  if (endpoint.token === undefined) {
    throw new UserError('this needs the admin token', `pass --token (or set ${ADMIN_TOKEN_ENV}); on the server's machine kayak-cast reads it from the runtime file`);
  }
  const answer = await apiRequest(endpoint, 'POST', path);
  if (answer.status === 401) throw new UserError(`the server refused the admin token: ${firstLine(answer.body)}`, 'check --token');
  if (answer.status < 200 || answer.status >= 300) throw new UserError(firstLine(answer.body) || `the server answered ${answer.status}`);
  return JSON.parse(answer.body) as Record<string, unknown>;
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').slice(0, 300);
}
