import { createHash } from 'node:crypto';

/** RFC 6455 1.3: appended to the client's key before hashing it into Sec-WebSocket-Accept. */
const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** The only version RFC 6455 defines (4.1); a client asking for another is told this one (4.2.2). */
export const WS_VERSION = '13';

export type UpgradeVerdict = { key: string } | { status: number; problem: string; headers?: Record<string, string> };

type Headers = Record<string, string | string[] | undefined>;

/**
 * Whether an HTTP request is a WebSocket opening handshake this server can accept (RFC 6455 4.2.1): a GET of
 * HTTP/1.1 or later, `Upgrade: websocket`, `Connection: Upgrade`, a key of 16 base64 bytes, version 13. Subprotocols
 * and extensions the client offers are declined by not naming any in the answer (4.2.2).
 */
export function checkUpgrade(method: string | undefined, httpVersion: string, headers: Headers): UpgradeVerdict {
  if (method !== 'GET') return { status: 405, problem: 'a WebSocket opening handshake is a GET', headers: { Allow: 'GET' } };
  if (!/^(?:1\.[1-9]|[2-9]\.\d)$/.test(httpVersion)) return { status: 400, problem: 'a WebSocket opening handshake needs HTTP/1.1' };
  if (!hasToken(headers.upgrade, 'websocket')) return { status: 400, problem: 'only WebSocket upgrades are served' };
  if (!hasToken(headers.connection, 'upgrade')) return { status: 400, problem: 'the Connection header does not name Upgrade' };
  const version = headers['sec-websocket-version'];
  if (version !== WS_VERSION) {
    return { status: 426, problem: `WebSocket version ${String(version ?? 'missing')} is not served; version ${WS_VERSION} is`, headers: { 'Sec-WebSocket-Version': WS_VERSION } };
  }
  const key = headers['sec-websocket-key'];
  if (typeof key !== 'string' || !/^[A-Za-z0-9+/]{22}==$/.test(key.trim())) return { status: 400, problem: 'Sec-WebSocket-Key is not 16 bytes in base64' };
  return { key: key.trim() };
}

/** The server's answer to an accepted handshake (RFC 6455 4.2.2), as the bytes to write. */
export function switchingProtocols(key: string): string {
  const accept = createHash('sha1').update(key + ACCEPT_GUID).digest('base64');
  return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`;
}

/** Whether a comma-separated header (RFC 9110 5.6.1) lists `token`, case-insensitively. */
function hasToken(value: string | string[] | undefined, token: string): boolean {
  if (value === undefined) return false;
  const list = Array.isArray(value) ? value.join(',') : value;
  return list.split(',').some((item) => item.trim().toLowerCase() === token);
}
