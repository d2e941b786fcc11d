import type { Channel } from '../media/channel.js';
import type { ChannelHub } from '../media/channel-hub.js';
import type { Clock } from '../util/clock.js';
import { type Logger, silentLogger } from '../util/logger.js';
import { safeInterval } from '../util/safe-timer.js';
import { VERSION } from '../version.js';
import { EventLog } from './event-log.js';
import { History } from './history.js';
import { ProcessSampler } from './process-sampler.js';
import { RateWindow } from './rate-window.js';
import {
  type AccessStatus,
  type RelayStatus,
  STATUS_VERSION,
  type ScheduleStatus,
  type StatusSnapshot,
  type StreamStatus,
  type ViewerStatus,
} from './status-snapshot.js';

/** How often rates and CPU are sampled. */
export const SAMPLE_INTERVAL_MS = 1000;

export interface StatusSources {
  hub: ChannelHub;
  clock: Clock;
  app: string;
  ports: () => { rtmp: number; http: number; rtmps?: number; tls?: boolean };
  connections: () => { open: number; cap: number; refused: number };
  /** Bytes waiting in viewers' own queues, server-wide, and their budget. */
  backlog?: () => { bytes: number; limit: number };
  /** Where a failing sampler reports (it never throws out of its timer). */
  logger?: Logger;
  /** Who may publish and watch, limits and refusals; absent in tests that build a bare store. */
  access?: () => AccessStatus;
  /** Recent events (the dashboard's list, /api/events); a store of its own when not given. */
  events?: EventLog;
  /** HLS clients of a channel seen recently (they hold no connection, so they are not in its viewer list). */
  hlsClients?: (channel: Channel) => number;
  /** The push targets of a stream, as their clients see them. */
  relays?: (path: string) => readonly RelaySample[];
}

/** A push target as its client reports it (epoch ms); the store adds the bitrate and ISO times. */
export interface RelaySample {
  url: string;
  state: RelayStatus['state'];
  retryAt: number | null;
  retries: number;
  lastError: string | null;
  bytesSent: number;
  droppedFrames: number;
  since: number;
}

/** What is being sent now, for admission: see ViewerLoad in src/server/access/admission.ts. */
export interface OutgoingLoad {
  viewers: number;
  /** The larger of the measured outgoing rate and the sum over streams of incoming bitrate × viewers. */
  committedBps: number;
}

interface ChannelRates {
  in: RateWindow;
  out: RateWindow;
}

/**
 * The single source of "what is happening": builds snapshots from the live objects on demand, and samples the
 * counters that rates are computed from. The API, `kayak-cast status` and the dashboard all read it.
 */
export class StatusStore {
  private readonly startedAt: number;
  private readonly rates = new Map<Channel, ChannelRates>();
  /** Outgoing rate per push target, by `path url`. */
  private readonly relayRates = new Map<string, RateWindow>();
  private readonly process = new ProcessSampler();
  private stopSampling: (() => void) | undefined;
  /** The last memory reading that worked: process.memoryUsage() reads /proc and fails with EMFILE at the fd limit. */
  private memory = { rss: 0, heapUsed: 0, heapTotal: 0, arrayBuffers: 0 };
  private schedule: (() => ScheduleStatus) | undefined;
  /** The last minute of outgoing bitrate and viewers, for the dashboard's sparklines. */
  readonly history = new History();
  private eventLog = new EventLog();

  constructor(private readonly sources: StatusSources) {
    this.startedAt = sources.clock.now();
    if (sources.events !== undefined) this.eventLog = sources.events;
  }

  start(): void {
    this.stopSampling ??= safeInterval('status sampling', SAMPLE_INTERVAL_MS, () => this.sample(), this.sources.logger ?? silentLogger);
  }

  stop(): void {
    this.stopSampling?.();
    this.stopSampling = undefined;
  }

  /** The playout whose schedule the snapshot shows. */
  setScheduleSource(source: () => ScheduleStatus): void {
    this.schedule = source;
  }

  /** Recent events; the CLI's logger tees into the log it sets here (it exists before the server does). */
  get events(): EventLog {
    return this.eventLog;
  }

  setEventLog(events: EventLog): void {
    this.eventLog = events;
  }

  snapshot(): StatusSnapshot {
    const now = this.sources.clock.now();
    const memory = this.readMemory();
    const connections = this.sources.connections();
    const backlog = this.sources.backlog?.();
    const ports = this.sources.ports();
    const channels = this.sources.hub.list();
    return {
      version: STATUS_VERSION,
      view: 'full',
      server: {
        version: VERSION,
        pid: process.pid,
        startedAt: new Date(this.startedAt).toISOString(),
        uptimeSeconds: Math.round((now - this.startedAt) / 1000),
        memory: { rss: memory.rss, heapUsed: memory.heapUsed, heapTotal: memory.heapTotal, arrayBuffers: memory.arrayBuffers },
        cpuPercent: this.process.cpuPercent,
        rtmpPort: ports.rtmp,
        httpPort: ports.http,
        ...(ports.rtmps !== undefined ? { rtmpsPort: ports.rtmps } : {}),
        ...(ports.tls ? { tls: true } : {}),
        app: this.sources.app,
        connections: connections.open,
        connectionCap: connections.cap,
        connectionsRefused: connections.refused,
        ...(backlog !== undefined ? { viewerBacklog: backlog } : {}),
      },
      streams: channels.map((channel) => this.streamStatus(channel)),
      // Newest first. Sorted on numbers: String#localeCompare would page in ICU's collation data (about 3 MB).
      viewers: channels.flatMap((channel) => viewerStatuses(channel)).sort((a, b) => Date.parse(b.since) - Date.parse(a.since)),
      ...(this.schedule !== undefined ? { schedule: this.schedule() } : {}),
      ...(this.sources.access !== undefined ? { access: this.sources.access() } : {}),
    };
  }

  /** Viewers and committed outgoing bandwidth over all streams, read when a viewer asks to be admitted. */
  load(): OutgoingLoad {
    const now = this.sources.clock.monotonic();
    let viewers = 0;
    let measured = 0;
    let committed = 0;
    for (const channel of this.sources.hub.list()) {
      // HLS clients hold no connection but take the stream's bitrate all the same.
      const count = channel.viewerList.size + (this.sources.hlsClients?.(channel) ?? 0);
      viewers += count;
      measured += this.rates.get(channel)?.out.bitsPerSecond(now, channel.bytesOut) ?? 0;
      committed += this.bitrateIn(channel) * count;
    }
    return { viewers, committedBps: Math.max(measured, committed) };
  }

  /**
   * A stream's incoming bitrate: the 5-second average, or while that has no samples yet (the first second or two of a
   * stream), the average since the stream began.
   */
  streamBitrate(path: string): number {
    const channel = this.sources.hub.get(path);
    return channel === undefined ? 0 : this.bitrateIn(channel);
  }

  private bitrateIn(channel: Channel): number {
    const measured = this.rates.get(channel)?.in.bitsPerSecond(this.sources.clock.monotonic(), channel.bytesIn) ?? 0;
    if (measured > 0) return measured;
    const ageMs = this.sources.clock.now() - channel.since;
    return ageMs > 0 ? Math.round((channel.bytesIn * 8 * 1000) / ageMs) : 0;
  }

  /** One stream's status, or undefined when there is no such stream. */
  stream(path: string): (StreamStatus & { viewerList: ViewerStatus[] }) | undefined {
    const channel = this.sources.hub.get(path);
    if (channel === undefined) return undefined;
    return { ...this.streamStatus(channel), viewerList: viewerStatuses(channel) };
  }

  private streamStatus(channel: Channel): StreamStatus {
    const now = this.sources.clock.monotonic();
    const rates = this.rates.get(channel);
    const hls = this.sources.hlsClients?.(channel) ?? 0;
    const viewers = { rtmp: 0, 'http-flv': 0, 'ws-flv': 0, hls, total: hls };
    for (const viewer of channel.viewerList) {
      viewers[viewer.protocol]++;
      viewers.total++;
    }
    return {
      app: channel.app,
      key: channel.key,
      path: channel.path,
      state: channel.state === 'live' ? 'live' : 'grace',
      publisher:
        channel.publisher === undefined
          ? null
          : { address: channel.publisher.address, protocol: channel.publisher.protocol, since: iso(channel.publisher.since) },
      since: iso(channel.since),
      video: channel.video,
      audio: channel.audio,
      bitrateIn: rates?.in.bitsPerSecond(now, channel.bytesIn) ?? 0,
      bitrateOut: rates?.out.bitsPerSecond(now, channel.bytesOut) ?? 0,
      viewers,
      relays: (this.sources.relays?.(channel.path) ?? []).map((relay) => ({
        url: relay.url,
        state: relay.state,
        retryAt: relay.retryAt === null ? null : iso(relay.retryAt),
        retries: relay.retries,
        lastError: relay.lastError,
        bytesSent: relay.bytesSent,
        bitrate: this.relayRates.get(`${channel.path} ${relay.url}`)?.bitsPerSecond(now, relay.bytesSent) ?? 0,
        droppedFrames: relay.droppedFrames,
        since: iso(relay.since),
      })),
    };
  }

  private readMemory(): { rss: number; heapUsed: number; heapTotal: number; arrayBuffers: number } {
    try {
      const { rss, heapUsed, heapTotal, arrayBuffers } = process.memoryUsage();
      this.memory = { rss, heapUsed, heapTotal, arrayBuffers };
    } catch {
      // Out of file descriptors for a moment: the last reading stands.
    }
    return this.memory;
  }

  private sampleRelays(live: ReadonlySet<Channel>, now: number): void {
    const seen = new Set<string>();
    for (const channel of live) {
      for (const relay of this.sources.relays?.(channel.path) ?? []) {
        const key = `${channel.path} ${relay.url}`;
        seen.add(key);
        let window = this.relayRates.get(key);
        if (window === undefined) this.relayRates.set(key, (window = new RateWindow()));
        window.sample(now, relay.bytesSent);
      }
    }
    for (const key of this.relayRates.keys()) if (!seen.has(key)) this.relayRates.delete(key);
  }

  private sample(): void {
    this.process.sample();
    const now = this.sources.clock.monotonic();
    const live = new Set(this.sources.hub.list());
    for (const channel of live) {
      let rates = this.rates.get(channel);
      if (rates === undefined) {
        rates = { in: new RateWindow(), out: new RateWindow() };
        this.rates.set(channel, rates);
      }
      rates.in.sample(now, channel.bytesIn);
      rates.out.sample(now, channel.bytesOut);
    }
    for (const channel of this.rates.keys()) if (!live.has(channel)) this.rates.delete(channel);
    this.sampleRelays(live, now);
    let bitrateOut = 0;
    let viewers = 0;
    for (const channel of live) {
      bitrateOut += this.rates.get(channel)?.out.bitsPerSecond(now, channel.bytesOut) ?? 0;
      viewers += channel.viewerList.size + (this.sources.hlsClients?.(channel) ?? 0);
    }
    this.history.record(bitrateOut, viewers);
  }
}

function viewerStatuses(channel: Channel): ViewerStatus[] {
  return [...channel.viewerList].map((viewer) => ({
    id: viewer.id,
    path: channel.path,
    protocol: viewer.protocol,
    remoteAddress: viewer.remoteAddress,
    since: iso(viewer.since),
    bytesSent: viewer.bytesSent,
    droppedFrames: viewer.droppedFrames,
  }));
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
