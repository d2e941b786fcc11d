import type { Channel } from '../../media/channel.js';
import type { Logger } from '../../util/logger.js';
import type { RelaySample } from '../rtmp-publish-client.js';
import { type PushSpec, pushUrlsFor } from './push-spec.js';
import type { RelayPush } from './relay-push.js';

type RelayPushClass = typeof RelayPush;

/**
 * The server's push targets (`--push`): when a stream goes live, one RelayPush per target it matches is added to
 * its channel; they end with the channel (after its grace period), so a publisher that reconnects in time, or the
 * next playlist item, continues the same publish at every target.
 */
export class Relays {
  private readonly byPath = new Map<string, RelayPush[]>();
  /** The RTMP client's code, loaded by load() only when there are targets (a server without --push never holds it). */
  private Push: RelayPushClass | undefined;

  constructor(
    private readonly specs: readonly PushSpec[],
    private readonly logger: Logger,
  ) {}

  /** Loads the push code if any target is configured; the server awaits it before it listens. */
  async load(): Promise<void> {
    if (this.specs.length > 0) this.Push ??= (await import('./relay-push.js')).RelayPush;
  }

  /** A new channel (not a returning publisher): start pushing it where the specs say. */
  attach(channel: Channel): void {
    const Push = this.Push;
    if (Push === undefined || this.byPath.has(channel.path)) return;
    const pushes = pushUrlsFor(this.specs, channel.app, channel.key).map((url) => new Push(channel.path, url, this.logger));
    if (pushes.length === 0) return;
    this.byPath.set(channel.path, pushes);
    for (const push of pushes) channel.addSink(push);
  }

  /** The channel ended (it finished its sinks): forget its pushes. */
  detach(path: string): void {
    this.byPath.delete(path);
  }

  status(path: string): RelaySample[] {
    return (this.byPath.get(path) ?? []).map((push) => push.status());
  }

  close(): void {
    for (const pushes of this.byPath.values()) for (const push of pushes) push.finish();
    this.byPath.clear();
  }
}
