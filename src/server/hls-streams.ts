import type { Channel } from '../media/channel.js';
import type { ChannelHub } from '../media/channel-hub.js';
import { HLS_MAX_SEGMENT_BYTES, HLS_MAX_SEGMENT_MS, HLS_TARGET_SEGMENT_MS, HLS_WINDOW_SEGMENTS } from '../media/hls-limits.js';
import type { HlsSegmenter } from '../media/hls-segmenter.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { HlsClientCounter } from './hls-clients.js';

/** A stream's segmenter stops (and frees its window) after this long without an HLS request. */
export const HLS_IDLE_STOP_MS = 30_000;
/**
 * Segments a freshly started segmenter makes before its first playlist goes out: three, so the playlist spans the
 * three target durations a client keeps from the live edge (RFC 8216 6.3.3). Chromium's own HLS player fails with
 * DEMUXER_ERROR_COULD_NOT_PARSE on a live playlist of one segment; hls.js and ffmpeg cope either way.
 */
export const HLS_FIRST_PLAYLIST_SEGMENTS = 3;
/** How long a playlist request waits for those; then it gets what there is, or a 503 when there is nothing yet. */
export const HLS_FIRST_PLAYLIST_WAIT_MS = 15_000;
/** Playlist requests waiting for a stream's first segment at once; more get a 503 with Retry-After. */
export const HLS_MAX_WAITING_REQUESTS = 256;
/** An HLS client counts as watching while it has made a request within this window. */
export const HLS_CLIENT_WINDOW_MS = 10_000;
/** Distinct HLS clients remembered per stream (see HlsClientCounter). */
export const HLS_MAX_TRACKED_CLIENTS = 4_096;

export interface HlsOptions {
  targetSegmentMs: number;
  windowSegments: number;
  maxSegmentMs: number;
  maxSegmentBytes: number;
  idleStopMs: number;
  firstPlaylistSegments: number;
  firstPlaylistWaitMs: number;
  maxWaitingRequests: number;
  clientWindowMs: number;
  maxTrackedClients: number;
}

export const DEFAULT_HLS_OPTIONS: HlsOptions = {
  targetSegmentMs: HLS_TARGET_SEGMENT_MS,
  windowSegments: HLS_WINDOW_SEGMENTS,
  maxSegmentMs: HLS_MAX_SEGMENT_MS,
  maxSegmentBytes: HLS_MAX_SEGMENT_BYTES,
  idleStopMs: HLS_IDLE_STOP_MS,
  firstPlaylistSegments: HLS_FIRST_PLAYLIST_SEGMENTS,
  firstPlaylistWaitMs: HLS_FIRST_PLAYLIST_WAIT_MS,
  maxWaitingRequests: HLS_MAX_WAITING_REQUESTS,
  clientWindowMs: HLS_CLIENT_WINDOW_MS,
  maxTrackedClients: HLS_MAX_TRACKED_CLIENTS,
};

/** One channel's HLS state; it outlives a stopped segmenter so that sequence numbers carry on. */
export interface HlsStream {
  readonly channel: Channel;
  segmenter: HlsSegmenter | undefined;
  readonly clients: HlsClientCounter;
  /** Monotonic ms of the last HLS request. */
  lastRequest: number;
  nextSequence: number;
  discontinuitySequence: number;
  readonly waiters: Set<() => void>;
  /** The last rendering of each playlist, by its ETag. */
  readonly playlists: Partial<Record<'media' | 'multivariant', { etag: string; body: Buffer }>>;
}

export type FirstSegment = 'ready' | 'timeout' | 'busy' | 'gone';

/**
 * The HLS side of a server: a segmenter per channel, started by the first playlist request (seeded from the GOP
 * cache, so the first segment is ready within about a GOP), stopped after `idleStopMs` without requests. The
 * segmenter's code is loaded by the first request that starts one: a server nobody watches over HLS never holds it.
 */
export class HlsStreams {
  private readonly streams = new Map<Channel, HlsStream>();
  private readonly timer: NodeJS.Timeout;
  private sessions = 0;
  private Segmenter: typeof HlsSegmenter | undefined;
  private loading: Promise<void> | undefined;
  /** Streams a request asked to start while the segmenter's code was loading. */
  private readonly starting = new Set<HlsStream>();
  private closed = false;

  constructor(
    private readonly deps: { hub: ChannelHub; clock: Clock; logger: Logger; options: HlsOptions },
  ) {
    this.timer = setInterval(() => this.sweep(), Math.max(250, Math.min(deps.options.idleStopMs / 4, 5_000)));
    this.timer.unref();
  }

  get options(): HlsOptions {
    return this.deps.options;
  }

  /** Records a request from `client` for `channel`; with `start`, a stopped segmenter is started. */
  touch(channel: Channel, client: string, start: boolean): HlsStream {
    const now = this.deps.clock.monotonic();
    let stream = this.streams.get(channel);
    if (stream === undefined) {
      stream = {
        channel,
        segmenter: undefined,
        clients: new HlsClientCounter(this.deps.options.clientWindowMs, this.deps.options.maxTrackedClients),
        lastRequest: now,
        nextSequence: 0,
        discontinuitySequence: 0,
        waiters: new Set(),
        playlists: {},
      };
      this.streams.set(channel, stream);
    }
    stream.lastRequest = now;
    stream.clients.seen(client, now);
    if (start && (stream.segmenter === undefined || stream.segmenter.ended) && channel.state !== 'ended') this.startSegmenter(stream);
    return stream;
  }

  /**
   * Resolves once the stream's window can be served (firstPlaylistSegments segments, or after firstPlaylistWaitMs
   * at least one), or says why not.
   */
  waitUntilPlayable(stream: HlsStream, signal: AbortSignal): Promise<FirstSegment> {
    const { firstPlaylistWaitMs, maxWaitingRequests } = this.deps.options;
    const count = (): number => stream.segmenter?.window.segments.length ?? 0;
    const enough = (): boolean => this.playable(stream);
    if (enough()) return Promise.resolve('ready');
    if (stream.waiters.size >= maxWaitingRequests) return Promise.resolve('busy');
    return new Promise((resolve) => {
      const done = (result: FirstSegment): void => {
        clearTimeout(timer);
        stream.waiters.delete(wake);
        signal.removeEventListener('abort', abort);
        resolve(result);
      };
      const wake = (): void => {
        if (stream.segmenter === undefined || stream.segmenter.ended) done('gone');
        else if (enough()) done('ready');
      };
      const abort = (): void => done('gone');
      const timer = setTimeout(() => done(count() > 0 ? 'ready' : 'timeout'), firstPlaylistWaitMs);
      stream.waiters.add(wake);
      signal.addEventListener('abort', abort, { once: true });
    });
  }

  /** Whether the stream's window can be served now (enough segments for a player's first playlist). */
  playable(stream: HlsStream): boolean {
    const { firstPlaylistSegments, windowSegments } = this.deps.options;
    return (stream.segmenter?.window.segments.length ?? 0) >= Math.min(firstPlaylistSegments, windowSegments);
  }

  /** Whether `client` already watches `channel` over HLS (seen within the client window). */
  knows(channel: Channel, client: string): boolean {
    return this.streams.get(channel)?.clients.knows(client, this.deps.clock.monotonic()) ?? false;
  }

  /** HLS clients of `channel` seen within the client window. */
  clientCount(channel: Channel): number {
    return this.streams.get(channel)?.clients.count(this.deps.clock.monotonic()) ?? 0;
  }

  /** Bytes of segments held for `channel` (0 when its segmenter is stopped). */
  windowBytes(channel: Channel): number {
    return this.streams.get(channel)?.segmenter?.window.bytes ?? 0;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    for (const stream of this.streams.values()) this.stopSegmenter(stream);
    this.streams.clear();
    this.starting.clear();
  }

  private startSegmenter(stream: HlsStream): void {
    const Segmenter = this.Segmenter;
    if (Segmenter === undefined) {
      this.starting.add(stream);
      this.loadSegmenter();
      return;
    }
    const { options, clock } = this.deps;
    const session = `${clock.now().toString(36)}${(++this.sessions).toString(36)}`;
    const resumed = stream.nextSequence > 0;
    const segmenter = new Segmenter({
      ...options,
      clock,
      session,
      firstSequence: stream.nextSequence,
      discontinuitySequence: stream.discontinuitySequence,
      startWithDiscontinuity: resumed,
      onSegment: (segment) => {
        stream.nextSequence = segment.sequence + 1;
        stream.discontinuitySequence = segmenter.window.discontinuitySequence;
        for (const wake of [...stream.waiters]) wake();
      },
      onEnd: () => {
        for (const wake of [...stream.waiters]) wake();
      },
    });
    stream.segmenter = segmenter;
    stream.channel.addSink(segmenter);
    this.deps.logger.log('info', `${stream.channel.path}: HLS started`, { stream: stream.channel.path });
  }

  /** Settles once the segmenter's code has loaded (or failed to): a request need not wait for it, its waiters do. */
  segmenterLoaded(): Promise<void> {
    return this.loading ?? Promise.resolve();
  }

  /**
   * Loads the segmenter's code once (a few milliseconds); the streams asked for meanwhile start then, and the
   * waiters of one whose channel ended meanwhile are told at once.
   */
  private loadSegmenter(): void {
    this.loading ??= import('../media/hls-segmenter.js').then(
      (module) => {
        this.Segmenter = module.HlsSegmenter;
        const starting = [...this.starting];
        this.starting.clear();
        if (this.closed) return;
        for (const stream of starting) {
          if (stream.segmenter !== undefined) continue;
          if (this.streams.get(stream.channel) === stream && stream.channel.state !== 'ended') this.startSegmenter(stream);
          else for (const wake of [...stream.waiters]) wake();
        }
      },
      (error: unknown) => {
        // Not expected (the file ships with the server): the waiting requests get their 503 when they time out, and
        // the next request tries again.
        this.loading = undefined;
        this.starting.clear();
        this.deps.logger.log('warn', `HLS unavailable: cannot load the segmenter: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
  }

  private stopSegmenter(stream: HlsStream): void {
    const segmenter = stream.segmenter;
    if (segmenter === undefined) return;
    stream.channel.removeSink(segmenter);
    stream.segmenter = undefined;
    segmenter.finish();
  }

  private sweep(): void {
    const now = this.deps.clock.monotonic();
    for (const [channel, stream] of this.streams) {
      if (this.deps.hub.get(channel.path) !== channel) {
        this.stopSegmenter(stream);
        this.streams.delete(channel);
      } else if (stream.segmenter !== undefined && stream.waiters.size === 0 && now - stream.lastRequest > this.deps.options.idleStopMs) {
        this.stopSegmenter(stream);
        this.deps.logger.log('info', `${channel.path}: HLS stopped (no requests for ${Math.round(this.deps.options.idleStopMs / 1000)} s)`, { stream: channel.path });
      }
    }
  }
}
