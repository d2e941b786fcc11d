/**
 * Counts HLS clients, which make short requests rather than holding a connection: distinct clients (address and
 * User-Agent) seen within the last `windowMs`. Behind a caching proxy or CDN this counts the proxies, not the people.
 * At most `maxTracked` clients are remembered (a stranger can make up any number of User-Agents); past that the count
 * stops growing until older entries expire.
 */
export class HlsClientCounter {
  private readonly lastSeen = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly maxTracked: number,
  ) {}

  seen(client: string, now: number): void {
    if (!this.lastSeen.has(client) && this.lastSeen.size >= this.maxTracked) {
      this.expire(now);
      if (this.lastSeen.size >= this.maxTracked) return;
    }
    // Delete first so the Map's insertion order stays oldest-seen first, which lets expire() stop early.
    this.lastSeen.delete(client);
    this.lastSeen.set(client, now);
  }

  /** Whether `client` was seen within the window: a player already watching, not a new viewer. */
  knows(client: string, now: number): boolean {
    const at = this.lastSeen.get(client);
    return at !== undefined && now - at <= this.windowMs;
  }

  count(now: number): number {
    this.expire(now);
    return this.lastSeen.size;
  }

  private expire(now: number): void {
    for (const [client, at] of this.lastSeen) {
      if (now - at <= this.windowMs) break;
      this.lastSeen.delete(client);
    }
  }
}

/** Longest User-Agent kept in a client's identity. */
const CLIENT_AGENT_MAX_CHARS = 120;

/** The identity of one HLS client: its address and (truncated) User-Agent. */
export function hlsClientKey(address: string | undefined, userAgent: string | undefined): string {
  return `${address ?? '?'} ${(userAgent ?? '').slice(0, CLIENT_AGENT_MAX_CHARS)}`;
}
