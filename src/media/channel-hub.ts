import type { Clock } from '../util/clock.js';
import { Channel, type PublisherInfo } from './channel.js';

/** How long viewers of a stream whose publisher left wait for it to come back, by default. */
export const DEFAULT_GRACE_MS = 10_000;

export type HubEvent =
  | { type: 'publish'; path: string; address: string; resumed: boolean }
  | { type: 'unpublish'; path: string; address: string; graceMs: number }
  | { type: 'end'; path: string; reason: string }
  /** The publisher's timestamps jumped by `byMs` (and `count` - 1 more times since the last such event): smoothed. */
  | { type: 'timestamp-jump'; path: string; byMs: number; count: number };

export interface HubOptions {
  graceMs: number;
  clock: Clock;
  onEvent: (event: HubEvent) => void;
}

/**
 * Every channel of a server, by `app/key`: one publisher per key; a key whose publisher left is held for the grace
 * period so that a returning publisher continues the same viewers.
 */
export class ChannelHub {
  private readonly channels = new Map<string, Channel>();
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly options: HubOptions) {}

  get(path: string): Channel | undefined {
    return this.channels.get(path);
  }

  list(): Channel[] {
    return [...this.channels.values()];
  }

  /** Claims `app/key` for a publisher. Undefined when someone is already publishing there. */
  publish(app: string, key: string, address: string, protocol: PublisherInfo['protocol'] = 'rtmp'): Channel | undefined {
    const path = `${app}/${key}`;
    const publisher: PublisherInfo = { address, protocol, since: this.options.clock.now() };
    const existing = this.channels.get(path);
    if (existing !== undefined) {
      if (existing.state === 'live') return undefined;
      clearTimeout(this.graceTimers.get(path));
      this.graceTimers.delete(path);
      existing.attachPublisher(publisher);
      this.options.onEvent({ type: 'publish', path, address, resumed: true });
      return existing;
    }
    const channel = new Channel(app, key, publisher, {
      clock: this.options.clock,
      onJump: (jumped, jump) => this.options.onEvent({ type: 'timestamp-jump', path: jumped.path, byMs: jump.byMs, count: jump.count }),
    });
    this.channels.set(path, channel);
    this.options.onEvent({ type: 'publish', path, address, resumed: false });
    return channel;
  }

  /** The publisher of `channel` left: its viewers wait for the grace period, then get an end of stream. */
  unpublish(channel: Channel): void {
    if (this.channels.get(channel.path) !== channel || channel.state !== 'live') return;
    const address = channel.publisher?.address ?? '';
    channel.detachPublisher();
    const { graceMs } = this.options;
    this.options.onEvent({ type: 'unpublish', path: channel.path, address, graceMs });
    const timer = setTimeout(() => this.end(channel, 'the publisher did not come back'), graceMs);
    timer.unref();
    this.graceTimers.set(channel.path, timer);
  }

  /** Ends one stream now (the host stopped it): its viewers get an end of stream. False when there is no such stream. */
  stop(path: string, reason: string): boolean {
    const channel = this.channels.get(path);
    if (channel === undefined) return false;
    this.end(channel, reason);
    return true;
  }

  /** Ends every channel: the server is stopping. */
  close(reason: string): void {
    for (const channel of this.list()) this.end(channel, reason);
  }

  private end(channel: Channel, reason: string): void {
    clearTimeout(this.graceTimers.get(channel.path));
    this.graceTimers.delete(channel.path);
    this.channels.delete(channel.path);
    channel.end(reason);
    this.options.onEvent({ type: 'end', path: channel.path, reason });
  }
}
