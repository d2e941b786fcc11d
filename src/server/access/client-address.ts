import { isIP } from 'node:net';
import { LOOPBACK_NETWORKS, NetworkList } from './networks.js';

/** X-Forwarded-For entries looked at, from the right: more hops than any real chain of proxies. */
export const MAX_FORWARDED_HOPS = 16;
/** Headers a reverse proxy adds: a request that carries one came from elsewhere, whatever its TCP peer. */
const PROXY_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip', 'via', 'x-forwarded-host', 'x-forwarded-proto'] as const;
/** Never changed after it is built. */
const LOOPBACK = NetworkList.of(LOOPBACK_NETWORKS);

export interface ClientAddress {
  /** The client's IP address as far as we can tell (for limits, refusals and the status). */
  address: string;
  /**
   * True only for a caller on this machine that came straight to us: a loopback peer with no proxy headers. A reverse
   * proxy on this machine connects from loopback too, so anything it forwards is never local.
   */
  local: boolean;
}

/**
 * Who is asking. A peer in `trustProxy` that sends X-Forwarded-For is believed: the client is the rightmost address
 * that is not itself a trusted proxy (the left part of the header is whatever the client claimed). Anyone else's
 * forwarding headers are ignored.
 */
export function clientAddress(peer: string | undefined, headers: Record<string, string | string[] | undefined>, trustProxy: NetworkList): ClientAddress {
  const peerAddress = plainAddress(peer ?? '');
  const proxied = PROXY_HEADERS.some((name) => headers[name] !== undefined);
  if (!proxied) return { address: peerAddress, local: LOOPBACK.contains(peerAddress) };
  if (!trustProxy.contains(peerAddress)) return { address: peerAddress, local: false };
  const forwarded = headers['x-forwarded-for'];
  const hops = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',').map((hop) => plainAddress(hop.trim())).filter(Boolean);
  let client = peerAddress;
  for (const hop of hops.reverse().slice(0, MAX_FORWARDED_HOPS)) {
    client = hop;
    if (!trustProxy.contains(hop)) break;
  }
  return { address: client, local: false };
}

/** An address as a socket or X-Forwarded-For writes it, without brackets, port or IPv4-mapped prefix. */
export function plainAddress(text: string): string {
  let address = text;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed !== null) address = bracketed[1] as string;
  else if (/^[\d.]+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(':'));
  if (address.toLowerCase().startsWith('::ffff:') && isIP(address.slice(7)) === 4) address = address.slice(7);
  return address;
}
