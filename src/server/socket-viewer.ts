import type { Socket } from 'node:net';
import type { Channel } from '../media/channel.js';
import type { JoinBurst } from '../media/join-burst.js';
import type { WireRun } from '../media/wire-run.js';
import type { MediaPacket, WireParts } from '../media/media-packet.js';
import type { PacketBatch } from '../media/packet-batch.js';
import type { Viewer, ViewerProtocol } from '../media/viewer.js';
import { type QueueLimits, ViewerQueue } from '../media/viewer-queue.js';
import type { Clock } from '../util/clock.js';
import { plainAddress } from './access/client-address.js';
import type { HeldRest, JoinRests } from './join-rests.js';
import type { ViewerBacklog } from './viewer-backlog.js';

export interface SocketViewerOptions {
  id: string;
  socket: Socket;
  channel: Channel;
  clock: Clock;
  queueLimits: QueueLimits;
  /** The server-wide count of bytes waiting in viewers' own queues; past its budget this viewer queues less. */
  backlog?: ViewerBacklog;
  /** The server's scheduler of join bursts' rests: this viewer's waits there until the joins after it pause. */
  rests: JoinRests;
  /** Called once when the viewer is cut off for falling behind. */
  onCutOff: (viewer: SocketViewer) => void;
  /** The client as the status shows it, when it is not the socket's peer (a viewer behind a trusted reverse proxy). */
  remoteAddress?: string;
  /** The client's IP address without the port, for per-address decisions (a kick bans it). */
  clientIp?: string;
}

/**
 * Bytes a viewer may have inside Node's socket stream. Beyond it, packets wait in the viewer's own queue as one
 * reference each: a stalled viewer then costs a pointer per packet instead of a stream entry per Buffer part (about
 * a hundred bytes each, three or four parts a packet), and cutting off hundreds of them at once frees little arrays,
 * not millions of pending writes.
 */
export const SOCKET_HIGH_WATER_BYTES = 128 * 1024;
/** The consumed head of a viewer's queue is dropped once it is this long (and more than half the array). */
const QUEUE_COMPACT_AT = 256;

/**
 * A viewer that writes to its socket under the bounded-queue policy. In step with its channel it is handed each
 * batch of packets as one shared Buffer (see PacketBatch); otherwise it queues the packets' own shared Buffers. Either
 * way nothing is copied per viewer.
 */
export abstract class SocketViewer implements Viewer, HeldRest {
  abstract readonly protocol: ViewerProtocol;
  readonly id: string;
  readonly remoteAddress: string;
  readonly clientIp: string;
  readonly since: number;
  bytesSent = 0;
  protected readonly socket: Socket;
  readonly channel: Channel;
  private readonly queue: ViewerQueue;
  private readonly resumeBytes: number;
  private readonly maxBytes: number;
  private readonly backlog: ViewerBacklog | undefined;
  private readonly rests: JoinRests;
  private readonly clock: Clock;
  private readonly onCutOff: (viewer: SocketViewer) => void;
  private cutOff = false;
  /**
   * The channel batch (by sequence number) this viewer takes whole at the next flush, judged then as a whole: nothing
   * of its own waits, and the channel hands it none of that batch's packets one by one (see Viewer.inStepWith). -1
   * while it is not in step (joining, behind, or just out of step): its packets then come through deliver, each
   * judged and queued on its own. Written only by this class.
   */
  inStepWith = -1;
  /** Packets waiting for room in the socket, in order, from `head` on; their wire size in `waitingBytes`. */
  private waiting: (WireParts | undefined)[] = [];
  private head = 0;
  private waitingBytes = 0;
  private waitingForDrain = false;
  /**
   * True from the join until JoinRests lets this viewer's join burst go on: nothing after the burst's head is written
   * meanwhile. `heldRest` is the burst's rest when it was taken whole; it joins the queue (and the server-wide count:
   * until then it is the channel's cached GOP, shared by every joiner, and costs nothing per viewer) when released.
   */
  private holding = false;
  private heldRest: WireRun | undefined;

  constructor(options: SocketViewerOptions) {
    this.id = options.id;
    this.socket = options.socket;
    this.channel = options.channel;
    this.clock = options.clock;
    this.queue = new ViewerQueue(options.queueLimits);
    this.resumeBytes = options.queueLimits.resumeBytes;
    this.maxBytes = options.queueLimits.maxBytes;
    this.backlog = options.backlog;
    this.rests = options.rests;
    // However the viewer ends (cut off, finished, its client gone), what it queued leaves the server-wide count.
    options.socket.once('close', this.release);
    this.onCutOff = options.onCutOff;
    this.remoteAddress = options.remoteAddress ?? formatAddress(options.socket.remoteAddress, options.socket.remotePort);
    this.clientIp = options.clientIp ?? plainAddress(options.socket.remoteAddress ?? '');
    this.since = options.clock.now();
  }

  get droppedFrames(): number {
    return this.queue.dropped;
  }

  /** A packet this viewer is not in step for (see inStepWith): judged on its own and queued. */
  deliver(packet: MediaPacket, channelHasVideo: boolean): void {
    if (this.cutOff || this.socket.destroyed || !this.wants(packet)) return;
    const waiting = this.socket.writableLength + this.waitingBytes;
    // Past the server-wide budget, a viewer with more than a little of its own waiting skips instead of queueing.
    const crowded = this.waitingBytes > this.resumeBytes && this.backlog !== undefined && this.backlog.over;
    const verdict = this.queue.judge(packet, waiting, this.clock, channelHasVideo, crowded);
    if (verdict === 'send') this.enqueue(this.serialise(packet));
    else if (verdict === 'disconnect') {
      this.cutOff = true;
      this.inStepWith = -1;
      this.release();
      this.onCutOff(this);
    }
  }

  /**
   * The join burst: what a player needs to show a picture (metadata, sequence headers, the keyframe) leaves at once;
   * the rest of the cached GOP waits in JoinRests until the joins after this one pause. When hundreds join at the same
   * moment, each join then costs a keyframe's write, not a GOP's, and the last of them sees a picture sooner. With
   * `shared`, each of the two parts is one queue entry listed once for all joiners (when the queue policy would let
   * every packet of it through anyway): no judging and queueing packet by packet. The viewer takes batches whole once
   * it has caught up.
   */
  deliverBurst(packets: readonly MediaPacket[], channelHasVideo: boolean, shared?: JoinBurst): void {
    this.inStepWith = -1;
    if (shared !== undefined && this.takeWhole(shared.head)) {
      this.writeWaiting(1);
      if (shared.rest.packets.length > 0 && this.fitsWhole(shared.rest, false)) this.heldRest = shared.rest;
      else for (const packet of shared.rest.packets) this.deliver(packet, channelHasVideo);
    } else {
      for (const packet of packets) this.deliver(packet, channelHasVideo);
      const keyframe = packets.findIndex((packet) => packet.isVideoKeyframe);
      this.writeWaiting(keyframe === -1 ? Number.POSITIVE_INFINITY : keyframe + 1);
    }
    if (this.heldRest !== undefined || this.head < this.waiting.length) {
      this.holding = true;
      this.rests.hold(this);
    }
  }

  /** JoinRests lets the rest of this viewer's join burst go, and what came after it. */
  releaseRest(): void {
    if (!this.holding) return;
    this.takeHeldRest();
    this.flush();
  }

  /**
   * Writes `batch` whole when this viewer is in step with it, then what waits of its own, as far as the socket has
   * room; the rest goes when it drains. A viewer left with nothing waiting takes the next batch whole.
   */
  flush(batch?: PacketBatch): void {
    const socket = this.socket;
    if (socket.destroyed || !socket.writable || this.cutOff) return this.release();
    // Behind its join burst's rest until JoinRests lets it go (or the channel ends: see finish).
    if (this.holding) return;
    if (batch !== undefined && this.inStepWith === batch.seq) {
      if (this.takesWhole(batch)) {
        const wire = batch.wire(this.wireFormat, this.serialiser);
        // In step, nothing of its own waits: with room in the socket the batch goes straight out, one write, uncorked
        // (the common case, once per video frame for each of hundreds of viewers).
        if (socket.writableLength < SOCKET_HIGH_WATER_BYTES) {
          this.writeOne(wire);
          this.inStepWith = batch.seq + 1;
          return;
        }
        this.enqueue([wire]);
      } else {
        // Out of step: the batch's packets are judged one by one, as they would have been on arrival.
        this.inStepWith = -1;
        for (const packet of batch.packets) this.deliver(packet, batch.hasVideo);
        if (this.cutOff) return;
      }
    }
    this.writeWaiting(Number.POSITIVE_INFINITY);
    if (this.head === this.waiting.length) {
      // Caught up: from the next batch on, this viewer takes batches whole. Without a batch (the rest of a join
      // burst, a drain) the channel's current batch is the one to skip, unless this viewer is already in step with
      // it: a flush in between may have caught it up, and what it took in step since is sent only with that batch.
      const current = this.channel.batch.seq;
      if (batch !== undefined) this.inStepWith = batch.seq + 1;
      else if (this.inStepWith !== current) this.inStepWith = current + 1;
    } else if (!this.waitingForDrain) {
      // Above the stream's own high-water mark a write has returned false, so 'drain' will come.
      this.waitingForDrain = true;
      socket.once('drain', this.drained);
    }
  }

  private readonly drained = (): void => {
    this.waitingForDrain = false;
    this.flush();
  };

  /** The channel is over: what this viewer holds since its join goes first, then its protocol's end of stream. */
  finish(reason: string): void {
    this.releaseRest();
    this.endStream(reason);
  }

  protected abstract endStream(reason: string): void;

  /** Lets go of the packets waiting for this viewer (it is leaving, or was cut off); safe to call more than once. */
  readonly release = (): void => {
    // An RTMP connection may play, stop and play again on one socket: each viewer takes its listeners with it.
    this.socket.off('close', this.release);
    this.socket.off('drain', this.drained);
    this.waitingForDrain = false;
    this.backlog?.change(-this.waitingBytes);
    this.waiting = [];
    this.head = 0;
    this.waitingBytes = 0;
    this.holding = false;
    this.heldRest = undefined;
  };

  /** The name of this viewer's wire format: viewers with the same one share a batch's bytes. */
  protected abstract readonly wireFormat: string;

  /** The packet in this viewer's wire format; implementations return the packet's cached, shared Buffer. */
  protected abstract serialise(packet: MediaPacket): WireParts;

  /** serialise as a function, made once: batches and runs ask for it at every flush. */
  private readonly serialiser = (packet: MediaPacket): WireParts => this.serialise(packet);

  /** Whether this viewer asked for this kind of packet (RTMP receiveAudio / receiveVideo). */
  protected wants(_packet: MediaPacket): boolean {
    return true;
  }

  /** Whether wants() is true of every packet, so that runs and batches need no look at each one. */
  protected wantsEverything(): boolean {
    return true;
  }

  private wantsAll(packets: readonly MediaPacket[]): boolean {
    if (this.wantsEverything()) return true;
    for (const packet of packets) if (!this.wants(packet)) return false;
    return true;
  }

  /** Writes one packet's parts (or a batch's one Buffer); the caller corks the socket when it writes several. */
  protected write(parts: WireParts): void {
    for (const part of parts) this.writeOne(part);
  }

  /** One Buffer to the socket (a batch's, once a frame for each viewer in step: nothing is allocated for it here). */
  private writeOne(part: Buffer): void {
    this.socket.write(part);
    this.bytesSent += part.length;
    this.channel.bytesOut += part.length;
  }

  /** Writes up to `count` waiting entries, as far as the socket has room; corked, they leave in one writev. */
  private writeWaiting(count: number): void {
    const socket = this.socket;
    if (this.head === this.waiting.length || socket.destroyed || socket.writableLength >= SOCKET_HIGH_WATER_BYTES) return;
    const end = Math.min(this.waiting.length, this.head + count);
    socket.cork();
    while (this.head < end && socket.writableLength < SOCKET_HIGH_WATER_BYTES) {
      const parts = this.waiting[this.head] as WireParts;
      this.waiting[this.head++] = undefined;
      const bytes = sizeOf(parts);
      this.waitingBytes -= bytes;
      this.backlog?.change(-bytes);
      this.write(parts);
    }
    socket.uncork();
    this.compact();
  }

  /**
   * Queues `run` as one entry, its shared list of Buffers, when the queue policy would send each of its packets (see
   * fitsWhole). Otherwise nothing is queued and the caller delivers the packets one by one.
   */
  private takeWhole(run: WireRun): boolean {
    if (run.packets.length === 0) return true;
    if (!this.fitsWhole(run, true)) return false;
    const wire = run.wire(this.wireFormat, this.serialiser);
    this.enqueue(wire.parts, wire.bytes);
    return true;
  }

  /**
   * Whether deliver would send every packet of `run`, judged packet by packet: this viewer asked for every one, is not
   * skipping, and all of it fits under its limits (`counted`: and under the server-wide budget, for a run that counts
   * towards it now).
   */
  private fitsWhole(run: WireRun, counted: boolean): boolean {
    if (this.cutOff || this.socket.destroyed || this.queue.skipping || !this.wantsAll(run.packets)) return false;
    const wire = run.wire(this.wireFormat, this.serialiser);
    if (this.socket.writableLength + this.waitingBytes + wire.bytes > this.maxBytes) return false;
    // Past the server-wide budget, deliver might skip once more than a little of this viewer's own waits.
    return !counted || this.backlog?.over !== true || this.waitingBytes + wire.bytes <= this.resumeBytes;
  }

  /** The held rest goes into the queue before what arrived since the join, and counts from now on. */
  private takeHeldRest(): void {
    this.holding = false;
    const rest = this.heldRest;
    this.heldRest = undefined;
    if (rest === undefined) return;
    const wire = rest.wire(this.wireFormat, this.serialiser);
    this.waiting.splice(this.head, 0, wire.parts);
    this.waitingBytes += wire.bytes;
    this.backlog?.change(wire.bytes);
  }

  /**
   * Whether deliver would have sent every packet of `batch` had it judged them on arrival: this viewer asked for
   * every one, is not skipping, and the batch fits under its limit with what its socket holds. Nothing of its own
   * waits while it is in step, so the server-wide budget cannot make it skip.
   */
  private takesWhole(batch: PacketBatch): boolean {
    if (this.queue.skipping || this.socket.writableLength + batch.payloadBytes > this.maxBytes) return false;
    return this.wantsAll(batch.packets);
  }

  private enqueue(parts: WireParts, bytes = sizeOf(parts)): void {
    this.waiting.push(parts);
    this.waitingBytes += bytes;
    this.backlog?.change(bytes);
  }

  private compact(): void {
    if (this.head === this.waiting.length) {
      this.waiting.length = 0;
      this.head = 0;
    } else if (this.head >= QUEUE_COMPACT_AT && this.head * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
  }
}

function sizeOf(parts: WireParts): number {
  let bytes = 0;
  for (const part of parts) bytes += part.length;
  return bytes;
}

export function formatAddress(address: string | undefined, port: number | undefined): string {
  if (address === undefined) return 'unknown';
  const host = address.startsWith('::ffff:') ? address.slice(7) : address;
  const shown = host.includes(':') ? `[${host}]` : host;
  return port === undefined ? shown : `${shown}:${port}`;
}
