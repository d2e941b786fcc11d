import { BlockList, isIP } from 'node:net';
import { UserError } from '../../errors.js';

/** `loopback` in a list: this machine. */
export const LOOPBACK_NETWORKS = ['127.0.0.0/8', '::1/128'] as const;
/** The usual address of a reverse proxy on the same machine: nginx or Caddy connecting to 127.0.0.1 or ::1. */
export const LOCAL_PROXY_ADDRESSES = ['127.0.0.1/32', '::1/128'] as const;
/** More entries than any real allow-list needs; a longer list is a mistake (or an attack on the config). */
export const MAX_NETWORK_ENTRIES = 256;
/**
 * Answers remembered per list (every HTTP request asks whether its peer is loopback or a trusted proxy, and
 * BlockList.check builds a SocketAddress each time); the memory is emptied when it reaches this many addresses.
 */
export const NETWORK_MEMO_ADDRESSES = 1024;

/**
 * A set of networks (CIDR blocks and single addresses, IPv4 and IPv6). An IPv4 entry also matches the same address
 * written IPv4-mapped (`::ffff:10.1.2.3`), as a dual-stack socket reports IPv4 peers.
 */
export class NetworkList {
  private readonly blocks = new BlockList();
  private readonly memo = new Map<string, boolean>();

  private constructor(readonly entries: readonly string[]) {
    for (const entry of entries) {
      const [address, bits] = entry.split('/') as [string, string];
      const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
      this.blocks.addSubnet(address, Number(bits), family);
    }
  }

  /**
   * `none`, or a comma-separated list of `loopback`, addresses and CIDR blocks: `loopback,192.168.1.0/24,fd00::/8`.
   * Throws a UserError naming the entry that is not one.
   */
  static parse(text: string | readonly string[]): NetworkList {
    const items = (typeof text === 'string' ? text.split(',') : text).map((item) => item.trim()).filter((item) => item !== '');
    if (items.length === 1 && items[0]?.toLowerCase() === 'none') return new NetworkList([]);
    if (items.length === 0) throw new UserError("an empty network list: write 'none' to allow no network");
    if (items.length > MAX_NETWORK_ENTRIES) throw new UserError(`more than ${MAX_NETWORK_ENTRIES} networks in one list`);
    const entries: string[] = [];
    for (const item of items) {
      if (item.toLowerCase() === 'loopback') entries.push(...LOOPBACK_NETWORKS);
      else entries.push(normaliseEntry(item));
    }
    return new NetworkList([...new Set(entries)]);
  }

  static of(entries: readonly string[]): NetworkList {
    return NetworkList.parse(entries.length === 0 ? 'none' : entries);
  }

  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  /** Whether `address` (as a socket reports it, IPv4, IPv6 or IPv4-mapped) is in one of the networks. */
  contains(address: string | undefined): boolean {
    if (address === undefined || this.entries.length === 0) return false;
    const known = this.memo.get(address);
    if (known !== undefined) return known;
    const family = isIP(address);
    const inside = family !== 0 && this.blocks.check(address, family === 4 ? 'ipv4' : 'ipv6');
    if (this.memo.size >= NETWORK_MEMO_ADDRESSES) this.memo.clear();
    this.memo.set(address, inside);
    return inside;
  }

  toString(): string {
    return this.entries.length === 0 ? 'none' : this.entries.join(',');
  }
}

function normaliseEntry(item: string): string {
  const slash = item.indexOf('/');
  const address = slash === -1 ? item : item.slice(0, slash);
  const family = isIP(address);
  if (family === 0) throw new UserError(`'${item}' is not an IP address or CIDR block (e.g. 192.168.1.0/24, fd00::/8, loopback)`);
  const max = family === 4 ? 32 : 128;
  const bitsText = slash === -1 ? String(max) : item.slice(slash + 1);
  const bits = Number(bitsText);
  if (!/^\d{1,3}$/.test(bitsText) || bits > max) throw new UserError(`'${item}': the prefix length must be 0 to ${max}`);
  return `${address.toLowerCase()}/${bits}`;
}
