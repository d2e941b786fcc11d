import type { Clock } from '../util/clock.js';
import { JoinBurst } from './join-burst.js';
import { MediaPacket, type PacketKind } from './media-packet.js';
import { PacketBatch } from './packet-batch.js';
import { type AudioInfo, StreamInfo, type VideoInfo } from './stream-info.js';
import type { ChannelSink } from './channel-sink.js';
import { Timeline, type TimelineJump } from './timeline.js';
import type { Viewer } from './viewer.js';

/** Packets kept from the last keyframe on, so a joining viewer starts on a keyframe with no wait. */
export const GOP_CACHE_MAX_PACKETS = 1024;
/** Bytes kept in the GOP cache; a longer GOP is not cached (joiners then wait for the next keyframe). */
export const GOP_CACHE_MAX_BYTES = 12 * 1024 * 1024;
/** Packets kept for joiners of an audio-only stream (about 1.5 s of AAC at 44.1 kHz). */
export const AUDIO_ONLY_CACHE_PACKETS = 64;
/** Viewers' writes are flushed at video frames at most this often (see flushViewers). */
export const FLUSH_MIN_INTERVAL_MS = 15;
/**
 * Viewers of an audio-only stream are flushed this long after the first packet of a batch: a stream is ~50 audio
 * messages a second, and writing each to every viewer at once would cost a system call per message per viewer.
 */
export const AUDIO_FLUSH_MS = 20;
/** With video, flushes come with the frames; this only catches video that stops while audio goes on. */
export const VIDEO_FLUSH_FALLBACK_MS = 100;
/** After the first jump of a publisher's timestamps is reported, further ones are counted and reported this often. */
export const JUMP_REPORT_INTERVAL_MS = 60_000;

export interface PublisherInfo {
  address: string;
  /** `rtmp`: an RTMP publisher; `playout`: this process's own scheduled playout. */
  protocol: 'rtmp' | 'playout';
  /** Epoch milliseconds. */
  since: number;
}

export type ChannelState = 'live' | 'grace' | 'ended';

export interface ChannelOptions {
  clock: Clock;
  /** The publisher's timestamps jumped (smoothed onto the timeline); `count` jumps since the last report. */
  onJump?: (channel: Channel, jump: TimelineJump & { count: number }) => void;
}

/**
 * One stream (app/key): the hub between its publisher and its viewers. It keeps what a joining viewer needs
 * (metadata, sequence headers, the GOP since the last keyframe) and one continuous timeline across publishers.
 */
export class Channel {
  readonly path: string;
  state: ChannelState = 'live';
  publisher: PublisherInfo | undefined;
  readonly since: number;
  /** Media bytes received from publishers, and sent to viewers, since the channel was created. */
  bytesIn = 0;
  bytesOut = 0;

  private readonly viewers = new Set<Viewer>();
  /** Sinks that are not viewers (the HLS segmenter): fed like viewers, not counted or listed as viewers. */
  private readonly sinks = new Set<ChannelSink>();
  private readonly info = new StreamInfo();
  private metadata: MediaPacket | undefined;
  private videoHeader: MediaPacket | undefined;
  private audioHeader: MediaPacket | undefined;
  private gop: MediaPacket[] = [];
  private gopBytes = 0;
  private gopValid = false;
  private hasVideo = false;
  private readonly timeline = new Timeline();
  private jumpsUnreported = 0;
  private flushedAt = Number.NEGATIVE_INFINITY;
  private flushTimer: NodeJS.Timeout | undefined;
  /** The join burst as of the last packet, shared by every viewer joining before the next one (see JoinBurst). */
  private burst: JoinBurst | undefined;
  /** What was forwarded since the last flush (see PacketBatch). */
  private currentBatch = new PacketBatch(0);
  private jumpReportedAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly app: string,
    readonly key: string,
    publisher: PublisherInfo,
    private readonly options: ChannelOptions,
  ) {
    this.path = `${app}/${key}`;
    this.publisher = publisher;
    this.since = publisher.since;
  }

  get video(): VideoInfo | null {
    return this.info.video;
  }

  get audio(): AudioInfo | null {
    return this.info.audio;
  }

  get viewerList(): ReadonlySet<Viewer> {
    return this.viewers;
  }

  /** A publisher (re)attaches. Its timestamps will be shifted to continue this channel's timeline. */
  attachPublisher(publisher: PublisherInfo): void {
    this.publisher = publisher;
    this.state = 'live';
    this.timeline.rebase();
  }

  /** The publisher left; viewers stay for the grace period. The old GOP is useless to anyone joining now. */
  detachPublisher(): void {
    this.publisher = undefined;
    this.state = 'grace';
    this.clearGop();
  }

  pushData(timestamp: number, payload: Buffer, isMetadata: boolean): void {
    // onMetaData always goes out at time 0: ffmpeg's FLV reader takes metadata at any other time for a data stream.
    const packet = new MediaPacket('data', isMetadata ? 0 : this.timeline.untimed(), payload);
    if (isMetadata) {
      this.metadata = packet;
      this.info.takeMetadata(payload);
    }
    this.forward(packet);
  }

  pushVideo(timestamp: number, payload: Buffer): void {
    const tag = this.info.takeVideo(payload);
    if (tag === undefined) return;
    const packet = new MediaPacket('video', tag.sequenceHeader ? this.timeline.untimed() : this.place('video', timestamp), payload, tag.keyframe, tag.sequenceHeader);
    this.hasVideo = true;
    if (!tag.sequenceHeader) this.info.countFrame(packet.timestamp);
    if (tag.sequenceHeader) this.videoHeader = packet;
    else if (packet.isVideoKeyframe && !tag.endOfSequence) this.startGop();
    this.forward(packet);
  }

  pushAudio(timestamp: number, payload: Buffer): void {
    const tag = this.info.takeAudio(payload);
    if (tag === undefined) return;
    const packet = new MediaPacket('audio', tag.sequenceHeader ? this.timeline.untimed() : this.place('audio', timestamp), payload, false, tag.sequenceHeader);
    if (tag.sequenceHeader) this.audioHeader = packet;
    // An audio-only stream can start anywhere: keep a short rolling window instead of a GOP.
    else if (!this.hasVideo && (!this.gopValid || this.gop.length >= AUDIO_ONLY_CACHE_PACKETS)) this.startGop();
    this.forward(packet);
  }

  /** The packets forwarded since the viewers were last flushed. */
  get batch(): PacketBatch {
    return this.currentBatch;
  }

  /** Sends a new viewer what it needs to start decoding at once, then adds it to the live fan-out. */
  addViewer(viewer: Viewer): void {
    const burst = this.joinBurst();
    viewer.deliverBurst(burst.packets, this.hasVideo, burst);
    this.viewers.add(viewer);
  }

  removeViewer(viewer: Viewer): boolean {
    if (!this.viewers.delete(viewer)) return false;
    viewer.release?.();
    return true;
  }

  /** Adds a sink that is not a viewer (see `sinks`), starting it with the same burst a joining viewer gets. */
  addSink(sink: ChannelSink): void {
    sink.deliverBurst(this.joinBurst().packets, this.hasVideo);
    this.sinks.add(sink);
  }

  removeSink(sink: ChannelSink): boolean {
    return this.sinks.delete(sink);
  }

  /** Metadata, the sequence headers restamped to the start of the cached GOP, then the GOP. */
  private joinBurst(): JoinBurst {
    if (this.burst !== undefined) return this.burst;
    const start = this.gop[0]?.timestamp ?? Math.max(this.timeline.lastTimestamp, 0);
    const burst: MediaPacket[] = [];
    if (this.metadata !== undefined) burst.push(this.metadata);
    for (const header of [this.videoHeader, this.audioHeader]) if (header !== undefined) burst.push(header.at(start));
    burst.push(...this.gop);
    this.burst = new JoinBurst(burst);
    return this.burst;
  }

  /** The channel is over: every viewer gets a clean end of stream. */
  end(reason: string): void {
    this.state = 'ended';
    this.flushViewers(true);
    for (const viewer of [...this.viewers]) viewer.finish(reason);
    this.viewers.clear();
    for (const sink of [...this.sinks]) sink.finish(reason);
    this.sinks.clear();
    this.clearGop();
  }

  private place(kind: PacketKind, sourceTimestamp: number): number {
    const now = this.options.clock.monotonic();
    return this.timeline.place(kind, sourceTimestamp, now, this.info.frameMs, (jump) => this.reportJump(jump, now));
  }

  /** The first jump is reported at once, later ones counted and reported at most every JUMP_REPORT_INTERVAL_MS. */
  private reportJump(jump: TimelineJump, now: number): void {
    this.jumpsUnreported++;
    if (now - this.jumpReportedAt < JUMP_REPORT_INTERVAL_MS) return;
    this.options.onJump?.(this, { ...jump, count: this.jumpsUnreported });
    this.jumpsUnreported = 0;
    this.jumpReportedAt = now;
  }

  private forward(packet: MediaPacket): void {
    this.bytesIn += packet.payload.length;
    // Metadata, a sequence header or a GOP packet: whatever arrives changes what a joiner needs.
    this.burst = undefined;
    if (!packet.sequenceHeader && packet.kind !== 'data') this.cache(packet);
    if (this.viewers.size > 0) {
      const batch = this.currentBatch;
      batch.add(packet, this.hasVideo);
      // A viewer in step with the batch takes it whole at the flush and judges it then: with hundreds of viewers that
      // is one check per viewer per packet here instead of a call.
      for (const viewer of this.viewers) if (viewer.inStepWith !== batch.seq) viewer.deliver(packet, this.hasVideo);
      if (packet.kind === 'video' && !packet.sequenceHeader) this.flushViewers(false);
      if (this.flushTimer === undefined && this.currentBatch.packets.length > 0) {
        this.flushTimer = setTimeout(() => this.flushViewers(true), this.hasVideo ? VIDEO_FLUSH_FALLBACK_MS : AUDIO_FLUSH_MS);
        this.flushTimer.unref();
      }
    }
    for (const sink of this.sinks) sink.deliver(packet, this.hasVideo);
  }

  /**
   * Viewers' held writes go out at each video frame, but not more often than FLUSH_MIN_INTERVAL_MS: a publisher
   * faster than real time (or at 120 fps) must not cost a system call per frame per viewer.
   */
  private flushViewers(always: boolean): void {
    const now = this.options.clock.monotonic();
    if (!always && now - this.flushedAt < FLUSH_MIN_INTERVAL_MS) return;
    this.flushedAt = now;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const batch = this.currentBatch;
    if (batch.packets.length === 0) return;
    this.currentBatch = new PacketBatch(batch.seq + 1);
    for (const viewer of this.viewers) viewer.flush?.(batch);
  }

  private startGop(): void {
    this.gop = [];
    this.gopBytes = 0;
    this.gopValid = true;
  }

  private cache(packet: MediaPacket): void {
    if (!this.gopValid) return;
    if (this.gop.length >= GOP_CACHE_MAX_PACKETS || this.gopBytes + packet.payload.length > GOP_CACHE_MAX_BYTES) {
      this.clearGop();
      return;
    }
    this.gop.push(packet);
    this.gopBytes += packet.payload.length;
  }

  private clearGop(): void {
    this.burst = undefined;
    this.gop = [];
    this.gopBytes = 0;
    this.gopValid = false;
  }
}
