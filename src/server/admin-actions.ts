import type { ChannelHub } from '../media/channel-hub.js';
import type { Logger } from '../util/logger.js';
import type { AccessGate } from './access/access-gate.js';
import type { RtmpSession } from './rtmp-session.js';
import { SocketViewer } from './socket-viewer.js';

export type KickResult = { done: true; path: string; address: string } | { done: false; why: 'not-found' };
export type StopResult = { done: true } | { done: false; why: 'not-found' | 'playout' };
export type HookResult = { done: true } | { done: false; why: 'not-available' };

/** What the host can do to a running server: the admin API's POSTs and the dashboard's keys. */
export interface AdminActions {
  /** Disconnects a viewer and bars its address from watching for a while (KICK_BAN_MS). */
  kick(viewerId: string): KickResult;
  /** Skips to the next item of the scheduled playout. */
  skip(): HookResult;
  /** Ends a stream now (its viewers get an end of stream) and disconnects its publisher. */
  stopStream(path: string): StopResult;
  /** Stops the whole server, as Ctrl-C would. */
  shutdown(): HookResult;
}

/** The parts only the command that runs the server can supply. */
export interface AdminHooks {
  /** `schedule` registers its playout's skip; `serve` has none. */
  onSkip(handler: (() => void) | undefined): void;
  onShutdown(handler: (() => void) | undefined): void;
}

export class ServerAdmin implements AdminActions, AdminHooks {
  private skipHandler: (() => void) | undefined;
  private shutdownHandler: (() => void) | undefined;

  constructor(
    private readonly hub: ChannelHub,
    private readonly access: AccessGate,
    private readonly sessions: () => Iterable<RtmpSession>,
    private readonly logger: Logger,
  ) {}

  onSkip(handler: (() => void) | undefined): void {
    this.skipHandler = handler;
  }

  onShutdown(handler: (() => void) | undefined): void {
    this.shutdownHandler = handler;
  }

  kick(viewerId: string): KickResult {
    for (const channel of this.hub.list()) {
      for (const viewer of channel.viewerList) {
        if (viewer.id !== viewerId) continue;
        if (viewer instanceof SocketViewer) this.access.ban(viewer.clientIp);
        channel.removeViewer(viewer);
        viewer.finish('the host asked you to leave');
        this.logger.log('info', `kicked viewer ${viewer.id} (${viewer.remoteAddress}) from ${channel.path}`, { event: 'kick', viewer: viewer.id });
        return { done: true, path: channel.path, address: viewer.remoteAddress };
      }
    }
    return { done: false, why: 'not-found' };
  }

  skip(): HookResult {
    if (this.skipHandler === undefined) return { done: false, why: 'not-available' };
    this.logger.log('info', 'skip to the next item (admin request)', { event: 'skip' });
    this.skipHandler();
    return { done: true };
  }

  stopStream(path: string): StopResult {
    const channel = this.hub.get(path);
    if (channel === undefined) return { done: false, why: 'not-found' };
    if (channel.publisher?.protocol === 'playout') return { done: false, why: 'playout' };
    this.hub.stop(path, 'stopped by the host');
    for (const session of this.sessions()) if (session.publishing === channel) session.disconnect('the host stopped this stream');
    this.logger.log('info', `${path}: stopped by the host`, { event: 'stop-stream' });
    return { done: true };
  }

  shutdown(): HookResult {
    if (this.shutdownHandler === undefined) return { done: false, why: 'not-available' };
    this.shutdownHandler();
    return { done: true };
  }
}
