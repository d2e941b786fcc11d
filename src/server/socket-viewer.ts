import type { Socket } from 'node:net';
import type { Channel } from '../media/channel.js';
import type { MediaPacket, WireParts } from '../media/media-packet.js';
import type { Viewer, ViewerProtocol } from '../media/viewer.js';
import { type QueueLimits, ViewerQueue } from '../media/viewer-queue.js';
import type { Clock } from '../util/clock.js';
import type { WriteBatcher } from './write-batcher.js';
import { plainAddress } from './access/client-address.js';

export interface SocketViewerOptions {
  id: string;
  socket: Socket;
  channel: Channel;
  clock: Clock;
  queueLimits: QueueLimits;
  /** Called once when the viewer is cut off for falling behind. */
  onCutOff: (viewer: SocketViewer) => void;
  /** Holds this viewer's writes together for a few ms (one writev instead of one write per message). */
  batcher?: WriteBatcher;
  /** The client as the status shows it, when it is not the socket's peer (a viewer behind a trusted reverse proxy). */
  remoteAddress?: string;
  /** The client's IP address without the port, for per-address decisions (a kick bans it). */
  clientIp?: string;
}

/**
 * A viewer that writes serialised packets straight to its socket, under the bounded-queue policy. The bytes
 * written are the packet's shared Buffer: nothing is copied per viewer.
 */
export abstract class SocketViewer implements Viewer {
  abstract readonly protocol: ViewerProtocol;
  readonly id: string;
  readonly remoteAddress: string;
  readonly clientIp: string;
  readonly since: number;
  bytesSent = 0;
  protected readonly socket: Socket;
  readonly channel: Channel;
  private readonly queue: ViewerQueue;
  private readonly clock: Clock;
  private readonly onCutOff: (viewer: SocketViewer) => void;
  private cutOff = false;
  private readonly batcher: WriteBatcher | undefined;
  /** Whether the socket is corked, waiting for the batcher's flush. */
  private holding = false;

  constructor(options: SocketViewerOptions) {
    this.id = options.id;
    this.socket = options.socket;
    this.channel = options.channel;
    this.clock = options.clock;
    this.queue = new ViewerQueue(options.queueLimits);
    this.onCutOff = options.onCutOff;
    this.batcher = options.batcher;
    this.remoteAddress = options.remoteAddress ?? formatAddress(options.socket.remoteAddress, options.socket.remotePort);
    this.clientIp = options.clientIp ?? plainAddress(options.socket.remoteAddress ?? '');
    this.since = options.clock.now();
  }

  get droppedFrames(): number {
    return this.queue.dropped;
  }

  deliver(packet: MediaPacket, channelHasVideo: boolean): void {
    if (this.cutOff || this.socket.destroyed || !this.wants(packet)) return;
    const verdict = this.queue.judge(packet, this.socket.writableLength, this.clock, channelHasVideo);
    if (verdict === 'send') {
      this.hold();
      this.write(this.serialise(packet));
    } else if (verdict === 'disconnect') {
      this.cutOff = true;
      this.onCutOff(this);
    }
  }

  /** The join burst leaves in one writev instead of one write per packet. */
  deliverBurst(packets: readonly MediaPacket[], channelHasVideo: boolean): void {
    this.socket.cork();
    for (const packet of packets) this.deliver(packet, channelHasVideo);
    this.socket.uncork();
    // A joining viewer gets its burst now, not at the next batch.
    this.flush();
  }

  /** Sends what the batcher held back. */
  flush(): void {
    if (!this.holding) return;
    this.holding = false;
    this.socket.uncork();
  }

  private hold(): void {
    if (this.holding || this.batcher === undefined) return;
    this.holding = true;
    this.socket.cork();
    this.batcher.add(this);
  }

  abstract finish(reason: string): void;

  /** The packet in this viewer's wire format; implementations return the packet's cached, shared Buffer. */
  protected abstract serialise(packet: MediaPacket): WireParts;

  /** Whether this viewer asked for this kind of packet (RTMP receiveAudio / receiveVideo). */
  protected wants(_packet: MediaPacket): boolean {
    return true;
  }

  protected write(parts: WireParts): void {
    let bytes = 0;
    if (parts.length === 1) {
      const only = parts[0] as Buffer;
      this.socket.write(only);
      bytes = only.length;
    } else {
      // Corked, the parts leave in one writev system call.
      this.socket.cork();
      for (const part of parts) {
        this.socket.write(part);
        bytes += part.length;
      }
      this.socket.uncork();
    }
    this.bytesSent += bytes;
    this.channel.bytesOut += bytes;
  }
}

export function formatAddress(address: string | undefined, port: number | undefined): string {
  if (address === undefined) return 'unknown';
  const host = address.startsWith('::ffff:') ? address.slice(7) : address;
  const shown = host.includes(':') ? `[${host}]` : host;
  return port === undefined ? shown : `${shown}:${port}`;
}
