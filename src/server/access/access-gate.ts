import type { AccessStatus } from '../../status/status-snapshot.js';
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import type { AccessConfig } from './access-config.js';
import { type AccessDecision, type ExistingStream, type StreamRequest, decidePlay, decidePublish } from './access-policy.js';
import { type ViewerLoad, decideAdmission, decideConnection } from './admission.js';
import { type ClientAddress, clientAddress, plainAddress } from './client-address.js';
import { type Refusal, RefusalCounter, refuse } from './refusals.js';

/** Refusal log lines per minute at most: someone hammering the door must not flood the log (the counts stay exact). */
export const MAX_REFUSAL_LINES_PER_MINUTE = 60;
/** A kicked viewer's address may not watch again for this long (the watch page would otherwise be back in a second). */
export const KICK_BAN_MS = 10 * 60_000;
/** Addresses banned at once, at most; the oldest ban goes first. */
export const MAX_BANNED_ADDRESSES = 1024;
const MINUTE_MS = 60_000;

export interface AccessGateOptions {
  config: AccessConfig;
  clock: Clock;
  logger: Logger;
  /** The streams of the server's app that exist now. */
  streams: () => Iterable<ExistingStream>;
  /** What is being sent now, and the bitrate of the stream at `path`. */
  load: (path: string) => ViewerLoad;
  /** The server-wide connection cap, shown in the status (enforced by the server). */
  maxConnections?: number;
}

/** The ways in, as refusals name them in the log. */
export type Door = 'rtmp' | 'rtmps' | 'http' | 'https' | 'http-flv' | 'ws-flv' | 'hls' | 'watch page';

/**
 * The access policy at work for one server: sessions ask it before they attach, it answers with the pure decisions of
 * access-policy.ts and admission.ts, and it logs (with the remote address) and counts every refusal.
 */
export class AccessGate {
  readonly refusals = new RefusalCounter();
  /** Viewers a full room sent to the overflow edge (`--overflow`) instead of refusing them. */
  private overflowedCount = 0;
  private readonly openByAddress = new Map<string, number>();
  /** Address → monotonic ms its ban ends; in insertion order, so the oldest is first. */
  private readonly banned = new Map<string, number>();
  private logWindowStart = Number.NEGATIVE_INFINITY;
  private linesInWindow = 0;
  private unlogged = 0;

  constructor(private readonly options: AccessGateOptions) {}

  get config(): AccessConfig {
    return this.options.config;
  }

  /** Who an HTTP request comes from (a trusted proxy's forwarded client), and whether it is a local caller. */
  client(peer: string | undefined, headers: Record<string, string | string[] | undefined>): ClientAddress {
    return clientAddress(peer, headers, this.options.config.trustProxy);
  }

  /**
   * A new TCP connection from `peer`: admitted under the per-address cap (a trusted proxy is not capped: it carries
   * many clients), or refused. An admitted connection must call `release` once when it closes.
   */
  admitConnection(peer: string | undefined, door: Door): { allow: true; release: () => void } | Refusal {
    const address = plainAddress(peer ?? '');
    if (this.options.config.trustProxy.contains(address)) return { allow: true, release: () => {} };
    const open = this.openByAddress.get(address) ?? 0;
    const decision = decideConnection(address, open, this.options.config);
    if (!decision.allow) return this.refused(decision, door, address);
    this.openByAddress.set(address, open + 1);
    let released = false;
    return {
      allow: true,
      release: () => {
        if (released) return;
        released = true;
        const left = (this.openByAddress.get(address) ?? 1) - 1;
        if (left > 0) this.openByAddress.set(address, left);
        else this.openByAddress.delete(address);
      },
    };
  }

  /** Open connections from `address` that count against its cap. */
  openFrom(address: string): number {
    return this.openByAddress.get(plainAddress(address)) ?? 0;
  }

  publish(request: StreamRequest, door: Door): AccessDecision {
    const decision = decidePublish(request, this.options.config, this.options.streams(), this.options.clock.now());
    return decision.allow ? decision : this.refused(decision, door, request.address);
  }

  /**
   * Whether the show lets this viewer in, then, when the stream exists, whether the room has space for one more (for a
   * stream that does not exist the caller answers "not found"). A refusal is logged and counted.
   */
  play(request: StreamRequest, door: Door, streamExists = true): AccessDecision {
    const decision = this.wouldPlay(request, streamExists);
    return decision.allow ? decision : this.refused(decision, door, request.address);
  }

  /** The same decision as play() without logging or counting it: a HEAD asking whether it would be let in. */
  wouldPlay(request: StreamRequest, streamExists = true): AccessDecision {
    const address = plainAddress(request.address);
    const banEnds = this.banned.get(address);
    const now = this.options.clock.monotonic();
    if (banEnds !== undefined && banEnds <= now) this.banned.delete(address);
    else if (banEnds !== undefined) return refuse('kicked', 'the host asked you to leave; try again later', Math.ceil((banEnds - now) / 1000));
    const decision = decidePlay(request, this.options.config, this.options.clock.now());
    if (!decision.allow || !streamExists) return decision;
    const admitted = decideAdmission(this.options.load(`${request.app}/${request.key}`), this.options.config);
    return admitted.allow ? decision : admitted;
  }

  /** A viewer the room had no space for was sent to the edge at `url` (it was counted as refused already). */
  overflowed(door: Door, address: string, url: string): void {
    this.overflowedCount++;
    this.logRefusal(`${door} ${address}: the room is full: sent to ${url}`, 'overflow');
  }

  /** Bars `address` from watching for KICK_BAN_MS (a kick). */
  ban(address: string): void {
    const ip = plainAddress(address);
    this.banned.delete(ip);
    this.banned.set(ip, this.options.clock.monotonic() + KICK_BAN_MS);
    if (this.banned.size > MAX_BANNED_ADDRESSES) this.banned.delete(this.banned.keys().next().value as string);
  }

  /** Counts and logs a refusal decided elsewhere (the server's total connection cap). */
  refused(refusal: Refusal, door: Door, address: string): Refusal {
    this.refusals.add(refusal.reason);
    this.logRefusal(`${door} ${address}: refused (${refusal.reason}): ${refusal.message}`, refusal.reason);
    return refusal;
  }

  status(): AccessStatus {
    const { config } = this.options;
    const limit = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? null : value);
    return {
      privateShow: config.playSecret !== undefined,
      publishSecret: config.publishSecret !== undefined,
      publishAllow: [...config.publishAllow.entries],
      limits: {
        maxViewers: limit(config.maxViewers),
        maxBandwidth: limit(config.maxBandwidthBps),
        maxConnectionsPerIp: limit(config.maxConnectionsPerIp),
        maxConnections: limit(this.options.maxConnections),
      },
      refusals: this.refusals.snapshot(),
      overflowed: this.overflowedCount,
      committedBandwidth: this.options.load('').committedBps,
    };
  }

  private logRefusal(line: string, reason: string): void {
    const now = this.options.clock.monotonic();
    if (now - this.logWindowStart >= MINUTE_MS) {
      if (this.unlogged > 0) {
        this.options.logger.log('warn', `${this.unlogged} more refusals in the last minute were not logged (see the status for counts)`, { event: 'refused' });
      }
      this.logWindowStart = now;
      this.linesInWindow = 0;
      this.unlogged = 0;
    }
    if (this.linesInWindow >= MAX_REFUSAL_LINES_PER_MINUTE) {
      this.unlogged++;
      return;
    }
    this.linesInWindow++;
    this.options.logger.log('warn', line, { event: 'refused', reason });
  }
}
