import type { Channel } from '../media/channel.js';
import type { ChannelHub } from '../media/channel-hub.js';
import type { Clock } from '../util/clock.js';
import { VERSION } from '../version.js';
import { EventLog } from './event-log.js';
import { History } from './history.js';
import { ProcessSampler } from './process-sampler.js';
import { RateWindow } from './rate-window.js';
import type { ScheduleStatus, StatusSnapshot, StreamStatus, ViewerStatus } from './status-snapshot.js';

/** How often rates and CPU are sampled. */
export const SAMPLE_INTERVAL_MS = 1000;

export interface StatusSources {
  hub: ChannelHub;
  clock: Clock;
  app: string;
  ports: () => { rtmp: number; http: number };
  connections: () => number;
  /** HLS clients of a channel seen recently (they hold no connection, so they are not in its viewer list). */
  hlsClients?: (channel: Channel) => number;
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
  private readonly process = new ProcessSampler();
  private timer: NodeJS.Timeout | undefined;
  private schedule: (() => ScheduleStatus) | undefined;
  /** The last minute of outgoing bitrate and viewers, for the dashboard's sparklines. */
  readonly history = new History();
  private eventLog = new EventLog();

  constructor(private readonly sources: StatusSources) {
    this.startedAt = sources.clock.now();
  }

  start(): void {
    this.timer ??= setInterval(() => this.sample(), SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
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
    const memory = process.memoryUsage();
    const ports = this.sources.ports();
    const channels = this.sources.hub.list();
    return {
      server: {
        version: VERSION,
        pid: process.pid,
        startedAt: new Date(this.startedAt).toISOString(),
        uptimeSeconds: Math.round((now - this.startedAt) / 1000),
        memory: { rss: memory.rss, heapUsed: memory.heapUsed, heapTotal: memory.heapTotal },
        cpuPercent: this.process.cpuPercent,
        rtmpPort: ports.rtmp,
        httpPort: ports.http,
        app: this.sources.app,
        connections: this.sources.connections(),
      },
      streams: channels.map((channel) => this.streamStatus(channel)),
      // Newest first. Sorted on numbers: String#localeCompare would page in ICU's collation data (about 3 MB).
      viewers: channels.flatMap((channel) => viewerStatuses(channel)).sort((a, b) => Date.parse(b.since) - Date.parse(a.since)),
      ...(this.schedule !== undefined ? { schedule: this.schedule() } : {}),
    };
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
    };
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
