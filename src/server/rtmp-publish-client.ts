import { createRequire } from 'node:module';
import { type Socket, connect } from 'node:net';
import type { MediaSink } from '../playout/media-sink.js';
import { ChunkReader } from '../protocol/rtmp/chunk-reader.js';
import { writeMessage } from '../protocol/rtmp/chunk-writer.js';
import { parseControlMessage, setChunkSize, userControl, windowAckSize } from '../protocol/rtmp/control-messages.js';
import { ClientHandshake } from '../protocol/rtmp/handshake.js';
import { DEFAULT_CHUNK_SIZE, MessageType, type RtmpMessage, UserControlEvent } from '../protocol/rtmp/message-types.js';
import { UserError } from '../errors.js';
import { parseAudioTag } from '../protocol/flv/audio-tag.js';
import { parseVideoTag } from '../protocol/flv/video-tag.js';
import type { RelaySample } from '../status/status-store.js';
import type { Logger } from '../util/logger.js';
import { describeError } from '../util/safe-timer.js';
import { relayBackoffMs } from './relay/backoff.js';
import { redactPushUrl } from './relay/push-spec.js';
import { commandMessage, parseCommand } from './rtmp-commands.js';

/** Bytes waiting for a slow server above which media is dropped until the next keyframe (headers still go). */
export const RELAY_MAX_PENDING_BYTES = 4 * 1024 * 1024;
/** A skipping relay resumes at a keyframe once its backlog is below this. */
const RELAY_RESUME_BYTES = 1024 * 1024;
/** A target that has not taken our bytes for this long is treated as gone: the connection is dropped and retried. */
export const RELAY_STALL_MS = 30_000;
const CONNECT_TIMEOUT_MS = 10_000;
/**
 * The chunk size we publish with. Players get larger chunks (rtmp-session.ts) for the sake of join bursts; one
 * relayed stream has no bursts, and 4096 is what nginx-rtmp itself sends with by default.
 */
const PUSH_CHUNK_SIZE = 4096;

export interface RtmpTarget {
  host: string;
  port: number;
  app: string;
  key: string;
  tcUrl: string;
  /** rtmps:// (RTMP over TLS). */
  tls: boolean;
  /** The URL as given, for messages (redacted before it is shown). */
  url: string;
}

/** rtmp[s]://host[:port]/app[/inst]/key → where to connect and what to publish. */
export function parseRtmpUrl(url: string): RtmpTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(`'${redactPushUrl(url)}' is not an RTMP URL`, 'write it like rtmp://host:1935/live/key');
  }
  const parts = parsed.pathname.split('/').filter(Boolean);
  const tls = parsed.protocol === 'rtmps:';
  if ((parsed.protocol !== 'rtmp:' && !tls) || parts.length < 2 || parsed.hostname === '') {
    throw new UserError(`'${redactPushUrl(url)}' is not an RTMP URL with an app and a key`, 'write it like rtmp://host:1935/live/key');
  }
  const key = `${decodeURIComponent(parts.at(-1) as string)}${parsed.search}`;
  const app = parts.slice(0, -1).map(decodeURIComponent).join('/');
  // RTMPS has no registered port of its own; services run it on 443 (YouTube, Facebook, Twitch).
  const port = parsed.port === '' ? (tls ? 443 : 1935) : Number(parsed.port);
  return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port, app, key, tcUrl: `${parsed.protocol}//${parsed.host}/${app}`, tls, url };
}

export type RelayState = RelaySample['state'];
export type { RelaySample };

/**
 * Publishes a stream to another RTMP server (another kayak-cast, nginx-rtmp, SRS, a CDN or platform ingest) as one
 * continuous publish. A refused, dropped or unreachable target is retried with capped exponential backoff and
 * jitter, forever, resuming with the metadata, the sequence headers and the next keyframe; a target that cannot
 * keep up skips to the next keyframe, so what waits for it stays bounded.
 */
export class RtmpPublishClient implements MediaSink {
  private socket: Socket | undefined;
  private state: RelayState = 'retrying';
  private streamId = 0;
  private outChunkSize = DEFAULT_CHUNK_SIZE;
  private needKeyframe = true;
  private skippingSince: number | undefined;
  private attempt = 0;
  private metadata: Buffer | undefined;
  private videoHeader: Buffer | undefined;
  private audioHeader: Buffer | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readyWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private readonly info: Omit<RelaySample, 'url' | 'state'> = { retryAt: null, retries: 0, lastError: null, bytesSent: 0, droppedFrames: 0, since: Date.now() };

  constructor(
    private readonly target: RtmpTarget,
    private readonly logger: Logger,
    private readonly random: () => number = Math.random,
  ) {}

  get connected(): boolean {
    return this.state === 'live';
  }

  status(): RelaySample {
    return { url: redactPushUrl(this.target.url), state: this.state, ...this.info };
  }

  /** Connects and starts publishing; resolves once the server said NetStream.Publish.Start, rejects after 3 failures. */
  start(): Promise<void> {
    const ready = new Promise<void>((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
    this.open();
    return ready;
  }

  close(): void {
    this.setState('closed');
    clearTimeout(this.reconnectTimer);
    if (this.socket !== undefined && !this.socket.destroyed) {
      this.send(commandMessage(this.streamId, 'FCUnpublish', 0, null, this.target.key));
      this.send(commandMessage(this.streamId, 'deleteStream', 0, null, this.streamId));
      this.socket.end();
      const socket = this.socket;
      setTimeout(() => socket.destroy(), 2_000).unref();
    }
  }

  pushVideo(timestamp: number, payload: Buffer): void {
    const tag = tagFacts(() => parseVideoTag(payload));
    if (tag.sequenceHeader) this.videoHeader = payload;
    this.media(MessageType.Video, timestamp, payload, tag.sequenceHeader, tag.keyframe);
  }

  pushAudio(timestamp: number, payload: Buffer): void {
    const tag = tagFacts(() => parseAudioTag(payload));
    if (tag.sequenceHeader) this.audioHeader = payload;
    this.media(MessageType.Audio, timestamp, payload, tag.sequenceHeader, false);
  }

  pushData(timestamp: number, payload: Buffer, isMetadata: boolean): void {
    if (isMetadata) this.metadata = payload;
    if (this.state === 'live') this.send(this.dataMessage(timestamp, payload, isMetadata));
  }

  private media(typeId: number, timestamp: number, payload: Buffer, isHeader: boolean, keyframe: boolean): void {
    if (this.state !== 'live' || this.socket === undefined) return;
    const waiting = this.socket.writableLength;
    if (!isHeader) {
      if (waiting > RELAY_MAX_PENDING_BYTES && !this.needKeyframe) {
        this.needKeyframe = true;
        this.skippingSince = Date.now();
      }
      if (this.needKeyframe) {
        const canResume = typeId === MessageType.Video ? keyframe : this.videoHeader === undefined;
        if (!canResume || waiting > RELAY_RESUME_BYTES) {
          // Waiting for the first keyframe after (re)connecting is not a drop; skipping a backlog is.
          if (typeId === MessageType.Video && this.skippingSince !== undefined) this.info.droppedFrames++;
          if (this.skippingSince !== undefined && Date.now() - this.skippingSince > RELAY_STALL_MS) {
            this.fail(`has taken nothing for ${RELAY_STALL_MS / 1000} s`);
          }
          return;
        }
        this.needKeyframe = false;
        this.skippingSince = undefined;
      }
    }
    this.send({ csid: typeId === MessageType.Video ? 6 : 4, timestamp, typeId, streamId: this.streamId, payload });
  }

  private dataMessage(timestamp: number, payload: Buffer, isMetadata: boolean): RtmpMessage {
    // Publishers wrap onMetaData in @setDataFrame so the server keeps it for later viewers.
    const body = isMetadata ? Buffer.concat([Buffer.from([0x02, 0x00, 0x0d]), Buffer.from('@setDataFrame'), payload]) : payload;
    return { csid: 5, timestamp, typeId: MessageType.DataAmf0, streamId: this.streamId, payload: body };
  }

  private open(): void {
    const { host, port } = this.target;
    this.setState('connecting');
    this.info.retryAt = null;
    this.outChunkSize = DEFAULT_CHUNK_SIZE;
    // node:tls is loaded only for an rtmps:// target (about a megabyte a server without one need not hold).
    const tls = this.target.tls ? (createRequire(import.meta.url)('node:tls') as typeof import('node:tls')) : undefined;
    const socket = tls !== undefined ? tls.connect({ host, port, ...(isIp(host) ? {} : { servername: host }) }) : connect({ host, port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setTimeout(CONNECT_TIMEOUT_MS);
    const handshake = new ClientHandshake();
    const reader = new ChunkReader();
    let handshaking = true;
    socket.once(this.target.tls ? 'secureConnect' : 'connect', () => this.write(socket, handshake.start()));
    socket.on('data', (data: Buffer) => {
      if (socket !== this.socket) return;
      try {
        let rest = data;
        if (handshaking) {
          const step = handshake.push(data);
          for (const bytes of step.send) this.write(socket, bytes);
          if (!step.done) return;
          handshaking = false;
          rest = step.rest;
          this.send(setChunkSize(PUSH_CHUNK_SIZE));
          this.outChunkSize = PUSH_CHUNK_SIZE;
          this.send(windowAckSize(5_000_000));
          this.send(
            commandMessage(0, 'connect', 1, {
              app: this.target.app,
              type: 'nonprivate',
              flashVer: 'FMLE/3.0 (compatible; kayak-cast)',
              tcUrl: this.target.tcUrl,
            }),
          );
        }
        for (const message of reader.push(rest)) this.onMessage(message);
      } catch (error) {
        this.fail(describeError(error));
      }
    });
    socket.on('timeout', () => {
      if (this.state === 'connecting') this.fail(`no answer in ${CONNECT_TIMEOUT_MS / 1000} s`);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (socket === this.socket) this.fail(describeError(error));
    });
    socket.on('close', () => {
      if (socket === this.socket) this.fail('connection closed');
    });
  }

  private onMessage(message: RtmpMessage): void {
    if (message.typeId === MessageType.UserControl) {
      const control = parseControlMessage(message);
      if (control.type === 'user-control' && control.event === UserControlEvent.PingRequest) {
        this.send(userControl(UserControlEvent.PingResponse, control.value));
      }
      return;
    }
    if (message.typeId !== MessageType.CommandAmf0) return;
    const command = parseCommand(message);
    const info = command.args[0] !== null && typeof command.args[0] === 'object' ? (command.args[0] as Record<string, unknown>) : {};
    if (command.name === '_result' && command.transactionId === 1) {
      this.send(commandMessage(0, 'releaseStream', 2, null, this.target.key));
      this.send(commandMessage(0, 'FCPublish', 3, null, this.target.key));
      this.send(commandMessage(0, 'createStream', 4, null));
    } else if (command.name === '_result' && command.transactionId === 4) {
      this.streamId = typeof command.args[0] === 'number' ? command.args[0] : 1;
      this.send(commandMessage(this.streamId, 'publish', 5, null, this.target.key, 'live'));
    } else if (command.name === '_error' || (command.name === 'onStatus' && info['level'] === 'error')) {
      this.fail(`refused: ${String(info['description'] ?? info['code'] ?? 'error').slice(0, 200)}`);
    } else if (command.name === 'onStatus' && info['code'] === 'NetStream.Publish.Start') {
      this.setState('live');
      this.attempt = 0;
      this.needKeyframe = true;
      this.skippingSince = undefined;
      this.socket?.setTimeout(0);
      this.logger.log('info', `pushing to ${redactPushUrl(this.target.url)}`, { event: 'relay-live' });
      if (this.metadata !== undefined) this.send(this.dataMessage(0, this.metadata, true));
      for (const [typeId, header] of [[MessageType.Video, this.videoHeader], [MessageType.Audio, this.audioHeader]] as const) {
        if (header !== undefined) this.send({ csid: typeId === MessageType.Video ? 6 : 4, timestamp: 0, typeId, streamId: this.streamId, payload: header });
      }
      for (const waiter of this.readyWaiters.splice(0)) waiter.resolve();
    }
  }

  private fail(reason: string): void {
    if (this.state === 'closed' || this.state === 'retrying') return;
    const wasLive = this.state === 'live';
    this.socket?.destroy();
    const delay = relayBackoffMs(this.attempt, this.random);
    this.attempt++;
    this.info.retries++;
    this.info.lastError = reason;
    this.info.retryAt = Date.now() + delay;
    this.setState('retrying');
    this.logger.log('warn', `push to ${redactPushUrl(this.target.url)}: ${reason}; ${wasLive ? 'reconnecting' : 'retrying'} in ${(delay / 1000).toFixed(1)} s`, {
      event: 'relay-retry',
    });
    if (this.readyWaiters.length > 0 && this.attempt >= 3) {
      for (const waiter of this.readyWaiters.splice(0)) waiter.reject(new UserError(`cannot publish to ${redactPushUrl(this.target.url)}: ${reason}`));
    }
    this.reconnectTimer = setTimeout(() => {
      if (this.state === 'retrying') this.open();
    }, delay);
    this.reconnectTimer.unref();
  }

  private setState(state: RelayState): void {
    if (state !== this.state) this.info.since = Date.now();
    this.state = state;
  }

  private send(message: RtmpMessage): void {
    if (this.socket !== undefined) this.write(this.socket, writeMessage(message, this.outChunkSize));
  }

  private write(socket: Socket, bytes: Buffer): void {
    if (socket.destroyed) return;
    socket.write(bytes);
    this.info.bytesSent += bytes.length;
  }
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

/** Header and keyframe flags of a tag; a tag we cannot read is sent on as a plain frame. */
function tagFacts(parse: () => { sequenceHeader: boolean; keyframe?: boolean }): { sequenceHeader: boolean; keyframe: boolean } {
  try {
    const tag = parse();
    return { sequenceHeader: tag.sequenceHeader, keyframe: tag.keyframe === true && !tag.sequenceHeader };
  } catch {
    return { sequenceHeader: false, keyframe: false };
  }
}
