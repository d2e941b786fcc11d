/**
 * A plain GET request head read strictly (RFC 9112 2-5, RFC 9110 5): the request line, then header fields, then an
 * empty line, CRLF everywhere, ASCII only. It is a gatekeeper's reading, not a general parser: anything outside the
 * narrow form a player sends for an endless stream reads as `undefined`, and the caller hands those bytes to a full
 * HTTP parser (Node's), which answers them as it always has. So this reader never accepts what Node would refuse.
 */
export interface GetRequestHead {
  /** The request target as sent (RFC 9112 3.2). */
  target: string;
  version: '1.0' | '1.1';
  /** Field names lowercased; each name at most once. */
  headers: Record<string, string>;
  /** A protocol upgrade (RFC 9110 7.8): an Upgrade field and a Connection field naming it. */
  upgrade: boolean;
}

/** More fields than this and the head is not one a player sends: it is left to the full parser. */
export const REQUEST_HEAD_MAX_FIELDS = 64;

/**
 * Fields that change how a GET's bytes are framed or when they come: a body (Content-Length, Transfer-Encoding), a
 * wait for 100-continue (Expect). A head with any of them is left to the full parser.
 */
const FIELDS_LEFT_TO_NODE = new Set(['content-length', 'transfer-encoding', 'expect']);

const CR = 0x0d;
const LF = 0x0a;

/** RFC 9110 5.6.2 tchar. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** RFC 9110 5.5 field-value, without obs-text: visible ASCII, spaces and tabs. */
const FIELD_VALUE = /^[\t\x20-\x7e]*$/;
/** RFC 9112 3: GET, one space, a target of visible ASCII, one space, HTTP/1.0 or HTTP/1.1. */
const REQUEST_LINE = /^GET ([\x21-\x7e]+) HTTP\/1\.([01])$/;

/**
 * Reads `bytes` as exactly one complete GET head and nothing after it (no body, no pipelined request), at most
 * `maxBytes` long. `undefined` for anything else, including a head that is merely incomplete.
 */
export function readGetRequestHead(bytes: Buffer, maxBytes: number): GetRequestHead | undefined {
  const n = bytes.length;
  if (n < 18 || n > maxBytes) return undefined;
  if (bytes[n - 4] !== CR || bytes[n - 3] !== LF || bytes[n - 2] !== CR || bytes[n - 1] !== LF) return undefined;
  const lines = bytes.toString('latin1', 0, n - 4).split('\r\n');
  const requestLine = REQUEST_LINE.exec(lines[0] as string);
  if (requestLine === null) return undefined;
  if (lines.length - 1 > REQUEST_HEAD_MAX_FIELDS) return undefined;
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    // A bare CR or LF inside a line, or an obs-fold continuation (RFC 9112 5.2), is not the narrow form.
    if (line.includes('\n') || line.includes('\r')) return undefined;
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) return undefined;
    const value = line.slice(colon + 1);
    if (!FIELD_VALUE.test(value)) return undefined;
    const key = name.toLowerCase();
    if (key in headers || FIELDS_LEFT_TO_NODE.has(key)) return undefined;
    headers[key] = value.replace(/^[\t ]+|[\t ]+$/g, '');
  }
  // Both, as Node's parser (llhttp) reads an upgrade; either alone leaves a plain GET there too (a proxy that always
  // sends `Connection: upgrade` is common).
  const upgrade = headers['upgrade'] !== undefined && /(?:^|,)[\t ]*upgrade[\t ]*(?:,|$)/i.test(headers['connection'] ?? '');
  const version = requestLine[2] === '1' ? '1.1' : '1.0';
  // RFC 9112 3.2: an HTTP/1.1 request carries a Host field (Node answers 400 without one).
  if (version === '1.1' && headers['host'] === undefined) return undefined;
  return { target: requestLine[1] as string, version, headers, upgrade };
}
