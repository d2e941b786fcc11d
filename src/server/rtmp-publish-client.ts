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
import type { Logger } from '../util/logger.js';
import { commandMessage, parseCommand } from './rtmp-commands.js';
import { OUT_CHUNK_SIZE } from './rtmp-session.js';

/** Waits between reconnection attempts, in ms: the relay never gives up while the show runs. */
const RECONNECT_BACKOFF_MS = [1000, 2000, 4000, 8000, 10_000];
/** Bytes waiting for a slow server above which media is dropped until the next keyframe. */
const MAX_PENDING_BYTES = 8 * 1024 * 1024;
const CONNECT_TIMEOUT_MS = 10_000;

export interface RtmpTarget {
  host: string;
  port: number;
  app: string;
  key: string;
  tcUrl: string;
}

/** rtmp://host[:port]/app[/inst]/key → where to connect and what to publish. */
export function parseRtmpUrl(url: string): RtmpTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(`'${url}' is not an RTMP URL`, 'write it like rtmp://host:1935/live/key');
  }
  const parts = parsed.pathname.split('/').filter(Boolean);
  if (parsed.protocol !== 'rtmp:' || parts.length < 2 || parsed.hostname === '') {
    throw new UserError(`'${url}' is not an RTMP URL with an app and a key`, 'write it like rtmp://host:1935/live/key');
  }
  const key = `${parts.at(-1) as string}${parsed.search}`;
  const app = parts.slice(0, -1).join('/');
  const port = parsed.port === '' ? 1935 : Number(parsed.port);
  return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port, app, key, tcUrl: `rtmp://${parsed.host}/${app}` };
}

type State = 'connecting' | 'publishing' | 'waiting' | 'closed';

/**
 * Publishes a stream to another RTMP server (another kayak-cast, nginx-rtmp, a CDN ingest) as one continuous
 * publish. It reconnects with backoff when the connection drops and resumes with the sequence headers and the next
 * keyframe, so the show goes on at the far end too.
 */
export class RtmpPublishClient implements MediaSink {
  private socket: Socket | undefined;
  private state: State = 'waiting';
  private streamId = 0;
  private outChunkSize = DEFAULT_CHUNK_SIZE;
  private needKeyframe = true;
  private attempt = 0;
  private metadata: Buffer | undefined;
  private videoHeader: Buffer | undefined;
  private audioHeader: Buffer | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readyWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];

  constructor(
    private readonly target: RtmpTarget,
    private readonly logger: Logger,
  ) {}

  get connected(): boolean {
    return this.state === 'publishing';
  }

  /** Connects and starts publishing; resolves once the server said NetStream.Publish.Start. */
  start(): Promise<void> {
    const ready = new Promise<void>((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
    this.open();
    return ready;
  }

  close(): void {
    this.state = 'closed';
    clearTimeout(this.reconnectTimer);
    if (this.socket !== undefined && !this.socket.destroyed) {
      this.send(commandMessage(this.streamId, 'FCUnpublish', 0, null, this.target.key));
      this.send(commandMessage(this.streamId, 'deleteStream', 0, null, this.streamId));
      this.socket.end();
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
    if (this.state === 'publishing') this.send(this.dataMessage(timestamp, payload, isMetadata));
  }

  private media(typeId: number, timestamp: number, payload: Buffer, isHeader: boolean, keyframe: boolean): void {
    if (this.state !== 'publishing' || this.socket === undefined) return;
    if (!isHeader && this.socket.writableLength > MAX_PENDING_BYTES) this.needKeyframe = true;
    if (!isHeader && this.needKeyframe) {
      if (typeId !== MessageType.Video || !keyframe || this.socket.writableLength > MAX_PENDING_BYTES / 4) return;
      this.needKeyframe = false;
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
    this.state = 'connecting';
    this.outChunkSize = DEFAULT_CHUNK_SIZE;
    const socket = connect({ host, port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setTimeout(CONNECT_TIMEOUT_MS);
    const handshake = new ClientHandshake();
    const reader = new ChunkReader();
    let handshaking = true;
    socket.once('connect', () => socket.write(handshake.start()));
    socket.on('data', (data: Buffer) => {
      try {
        let rest = data;
        if (handshaking) {
          const step = handshake.push(data);
          for (const bytes of step.send) socket.write(bytes);
          if (!step.done) return;
          handshaking = false;
          rest = step.rest;
          this.send(setChunkSize(OUT_CHUNK_SIZE));
          this.outChunkSize = OUT_CHUNK_SIZE;
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
        this.fail(`${this.describe()}: ${(error as Error).message}`);
      }
    });
    socket.on('timeout', () => {
      if (this.state === 'connecting') this.fail(`${this.describe()}: no answer in ${CONNECT_TIMEOUT_MS / 1000} s`);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => this.fail(`${this.describe()}: ${error.code ?? error.message}`));
    socket.on('close', () => this.fail(`${this.describe()}: connection closed`));
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
      this.fail(`${this.describe()}: refused: ${String(info['description'] ?? info['code'] ?? 'error')}`);
    } else if (command.name === 'onStatus' && info['code'] === 'NetStream.Publish.Start') {
      this.state = 'publishing';
      this.attempt = 0;
      this.needKeyframe = true;
      this.socket?.setTimeout(0);
      this.logger.log('info', `publishing to ${this.describe()}`);
      if (this.metadata !== undefined) this.send(this.dataMessage(0, this.metadata, true));
      for (const [typeId, header] of [[MessageType.Video, this.videoHeader], [MessageType.Audio, this.audioHeader]] as const) {
        if (header !== undefined) this.send({ csid: typeId === MessageType.Video ? 6 : 4, timestamp: 0, typeId, streamId: this.streamId, payload: header });
      }
      for (const waiter of this.readyWaiters.splice(0)) waiter.resolve();
    }
  }

  private fail(reason: string): void {
    if (this.state === 'closed' || this.state === 'waiting') return;
    const wasPublishing = this.state === 'publishing';
    this.state = 'waiting';
    this.socket?.destroy();
    const delay = RECONNECT_BACKOFF_MS[Math.min(this.attempt, RECONNECT_BACKOFF_MS.length - 1)] as number;
    this.attempt++;
    this.logger.log('warn', `${reason}; ${wasPublishing ? 'reconnecting' : 'retrying'} in ${delay / 1000} s`);
    if (this.readyWaiters.length > 0 && this.attempt >= 3) {
      for (const waiter of this.readyWaiters.splice(0)) waiter.reject(new UserError(`cannot publish to ${this.describe()}: ${reason}`));
    }
    this.reconnectTimer = setTimeout(() => {
      if (this.state === 'waiting') this.open();
    }, delay);
    this.reconnectTimer.unref();
  }

  private send(message: RtmpMessage): void {
    if (this.socket !== undefined && !this.socket.destroyed) this.socket.write(writeMessage(message, this.outChunkSize));
  }

  private describe(): string {
    return `rtmp://${this.target.host}:${this.target.port}/${this.target.app}/${this.target.key.split('?')[0] ?? ''}`;
  }
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
