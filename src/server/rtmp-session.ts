import type { Socket } from 'node:net';
import type { Channel } from '../media/channel.js';
import { stripQuery } from '../media/stream-key.js';
import { ChunkReader } from '../protocol/rtmp/chunk-reader.js';
import { writeMessage } from '../protocol/rtmp/chunk-writer.js';
import { acknowledgement, parseControlMessage, userControl } from '../protocol/rtmp/control-messages.js';
import { ServerHandshake } from '../protocol/rtmp/handshake.js';
import {
  DEFAULT_CHUNK_SIZE,
  MAX_MESSAGE_LENGTH,
  MessageType,
  type RtmpMessage,
  UserControlEvent,
} from '../protocol/rtmp/message-types.js';
import { ProtocolError } from '../errors.js';
import { quotePeer } from '../util/safe-text.js';
import type { Refusal } from './access/refusals.js';
import { overflowUrl, overflows } from './overflow.js';
import { connectQueries, refusalCode, rtmpStreamRequest } from './rtmp-access.js';
import { COMMAND_MAX_MESSAGE_LENGTH, MAX_PENDING_REPLY_BYTES } from './limits.js';
import { type RtmpCommand, errorMessage, onStatusMessage, parseCommand, parseDataMessage, resultMessage } from './rtmp-commands.js';
import { OUT_CHUNK_SIZE } from './rtmp-replies.js';
import type { ServerContext } from './server-context.js';
import { RtmpViewer } from './rtmp-viewer.js';
import { formatAddress } from './socket-viewer.js';

type Role = { kind: 'none' } | { kind: 'publisher'; channel: Channel; streamId: number } | { kind: 'player'; viewer: RtmpViewer };

/**
 * One RTMP connection: handshake, chunk stream, commands, then either publishing into a channel or playing one.
 * Protocol errors close this connection only.
 */
export class RtmpSession {
  readonly id: string;
  readonly remoteAddress: string;
  private handshake: ServerHandshake | undefined = new ServerHandshake();
  /** Until the connection publishes, its messages are commands: a few hundred bytes (see COMMAND_MAX_MESSAGE_LENGTH). */
  private readonly reader = new ChunkReader({ maxMessageLength: COMMAND_MAX_MESSAGE_LENGTH });
  private connected = false;
  /** Our chunk size: the default until we have told the peer otherwise (spec 5.4.1). */
  private outChunkSize = DEFAULT_CHUNK_SIZE;
  private nextStreamId = 1;
  private peerWindowAck = 0;
  private lastAckSent = 0;
  private role: Role = { kind: 'none' };
  private closed = false;
  /** Monotonic ms: when the connection opened, and since when it has had no role (deadlines are absolute). */
  private readonly openedAt: number;
  private withoutRoleSince: number | undefined;
  /** The queries of connect's `app` and `tcUrl` (`rtmp://host/live?secret=S`): where encoders may carry credentials. */
  private connectQueries: string[] = [];

  constructor(
    private readonly socket: Socket,
    private readonly ctx: ServerContext,
    /** Plain RTMP or RTMPS (TLS around this same session), as refusals are logged. */
    private readonly door: 'rtmp' | 'rtmps' = 'rtmp',
  ) {
    this.id = ctx.nextId('rtmp');
    this.remoteAddress = formatAddress(socket.remoteAddress, socket.remotePort);
    socket.setNoDelay(true);
    this.openedAt = ctx.clock.monotonic();
    socket.on('data', (data: Buffer) => this.onData(data));
    socket.on('timeout', () => this.onTimeout());
    socket.on('error', (error: NodeJS.ErrnoException) => this.log('debug', `socket error: ${error.code ?? error.message}`));
    socket.on('close', () => this.onClose());
    // The peer will send nothing more (RTMP has no use for a half-closed connection; nginx-rtmp closes too). Node
    // ends our side as well, so a player could not be written to again: close instead of keeping a silent viewer.
    socket.on('end', () => this.fail('the peer closed its side of the connection', 'debug'));
  }

  get isPublisher(): boolean {
    return this.role.kind === 'publisher';
  }

  /** The channel this connection publishes into, if it does. */
  get publishing(): Channel | undefined {
    return this.role.kind === 'publisher' ? this.role.channel : undefined;
  }

  /** Closes the connection on the host's request (a stopped stream's publisher). */
  disconnect(reason: string): void {
    this.fail(reason, 'info');
  }

  /**
   * Checked about once a second for every connection by the server (one timer for all): absolute deadlines that no
   * trickle of bytes or stream of small messages can keep resetting.
   */
  checkDeadlines(now: number): void {
    if (this.closed) return;
    const { limits } = this.ctx;
    if (this.handshake !== undefined) {
      if (now - this.openedAt > limits.handshakeTimeoutMs) this.fail(`handshake not finished within ${seconds(limits.handshakeTimeoutMs)}`);
      return;
    }
    if (this.role.kind === 'none' && this.withoutRoleSince !== undefined && now - this.withoutRoleSince > limits.roleDeadlineMs) {
      return this.fail(`neither published nor played within ${seconds(limits.roleDeadlineMs)} of connecting`);
    }
    const oldest = this.reader.oldestOpenSince();
    if (oldest !== undefined && now - oldest > limits.messageDeadlineMs) {
      this.fail(`a message took more than ${seconds(limits.messageDeadlineMs)} to arrive`);
    }
  }

  /** Server shutdown: players get an end of stream, everyone is disconnected. */
  close(): void {
    if (this.role.kind === 'player') this.role.viewer.finish('the server is stopping');
    this.socket.end();
    this.socket.destroySoon();
  }

  private onData(data: Buffer): void {
    if (this.closed) return;
    // Every reply to what arrived here (S0+S1+S2; connect's four messages; play's four and the join burst's head)
    // leaves in one write. A publisher's socket only ever carries an occasional Acknowledgement.
    const cork = this.role.kind !== 'publisher';
    if (cork) this.socket.cork();
    try {
      this.receive(data);
    } finally {
      // end() (a failure) has uncorked already; uncork of a socket that is not corked does nothing.
      if (cork) this.socket.uncork();
    }
  }

  private receive(data: Buffer): void {
    try {
      let rest = data;
      if (this.handshake !== undefined) {
        const step = this.handshake.push(data);
        for (const bytes of step.send) this.socket.write(bytes);
        if (!step.done) return;
        this.handshake = undefined;
        this.withoutRoleSince = this.ctx.clock.monotonic();
        this.socket.setTimeout(this.ctx.limits.idleTimeoutMs);
        rest = step.rest;
      }
      if (rest.length === 0) return;
      for (const message of this.reader.push(rest, this.ctx.clock.monotonic())) {
        this.onMessage(message);
        if (this.closed) return;
      }
      if (this.role.kind !== 'publisher' && !this.ctx.buffered.update(this, this.reader.bufferedBytes)) {
        return this.fail(`unfinished messages would pass the server's budget of ${this.ctx.limits.serverBufferedBytes} bytes`);
      }
      this.acknowledge();
    } catch (error) {
      if (error instanceof ProtocolError) return this.fail(`${error.message} (${error.code})`);
      // A fault of ours must cost this connection only, never the server and everyone else's stream.
      this.ctx.logger.log('error', `rtmp ${this.remoteAddress}: internal error, connection closed: ${String(error)}`, {
        stack: error instanceof Error ? error.stack : undefined,
      });
      this.fail('internal error');
    }
  }

  private onMessage(message: RtmpMessage): void {
    switch (message.typeId) {
      case MessageType.Audio:
      case MessageType.Video:
        return this.onMedia(message);
      case MessageType.DataAmf0:
      case MessageType.DataAmf3:
        return this.onData0(message);
      case MessageType.CommandAmf0:
      case MessageType.CommandAmf3:
        return this.onCommand(parseCommand(message));
      case MessageType.SetChunkSize:
      case MessageType.Abort:
      case MessageType.Acknowledgement:
      case MessageType.SetPeerBandwidth:
        return; // applied by the chunk reader, or nothing for a server to do
      case MessageType.WindowAckSize: {
        const control = parseControlMessage(message);
        if (control.type === 'window-ack-size') this.peerWindowAck = control.size;
        return;
      }
      case MessageType.UserControl: {
        const control = parseControlMessage(message);
        if (control.type === 'user-control' && control.event === UserControlEvent.PingRequest) {
          this.send(userControl(UserControlEvent.PingResponse, control.value));
        }
        return;
      }
      default:
        this.log('debug', `ignored message type ${message.typeId}`);
    }
  }

  private onMedia(message: RtmpMessage): void {
    if (this.role.kind !== 'publisher' || message.payload.length === 0) return;
    if (message.typeId === MessageType.Video) this.role.channel.pushVideo(message.timestamp, message.payload);
    else this.role.channel.pushAudio(message.timestamp, message.payload);
  }

  private onData0(message: RtmpMessage): void {
    if (this.role.kind !== 'publisher') return;
    const payload = message.typeId === MessageType.DataAmf3 ? message.payload.subarray(1) : message.payload;
    const { name, body } = parseDataMessage(payload);
    this.role.channel.pushData(message.timestamp, body, name === 'onMetaData');
  }

  private onCommand(command: RtmpCommand): void {
    if (command.name !== 'connect' && !this.connected) {
      return this.fail(`${quotePeer(command.name)} before 'connect'`);
    }
    switch (command.name) {
      case 'connect':
        return this.onConnect(command);
      case 'createStream':
        return this.send(resultMessage(command.transactionId, null, this.nextStreamId++));
      case 'releaseStream':
      case 'FCPublish':
      case 'getStreamLength':
        return this.send(resultMessage(command.transactionId, null, command.name === 'getStreamLength' ? 0 : undefined));
      case 'publish':
        return this.onPublish(command);
      case 'play':
        return this.onPlay(command);
      case 'FCUnpublish':
      case 'deleteStream':
      case 'closeStream':
        return this.leaveRole();
      case 'FCSubscribe': // librtmp asks for live streams this way; the play that follows is what counts
        return;
      case 'receiveAudio':
      case 'receiveVideo':
        if (this.role.kind === 'player') {
          const on = command.args[0] !== false;
          if (command.name === 'receiveAudio') this.role.viewer.receiveAudio = on;
          else this.role.viewer.receiveVideo = on;
        }
        return;
      default:
        this.log('debug', `unhandled command ${quotePeer(command.name)}`);
        if (command.transactionId > 0) {
          this.send(errorMessage(command.transactionId, 'NetConnection.Call.Failed', `unknown command ${quotePeer(command.name)}`));
        }
    }
  }

  private onConnect(command: RtmpCommand): void {
    const requested = typeof command.object?.['app'] === 'string' ? command.object['app'] : '';
    const app = stripQuery(requested).replace(/\/+$/, '');
    if (app !== this.ctx.app) {
      this.send(
        errorMessage(command.transactionId, 'NetConnection.Connect.Rejected', `unknown app ${quotePeer(app)}: this server serves '${this.ctx.app}'`),
      );
      return this.fail(`connect to unknown app ${quotePeer(app)} (this server serves '${this.ctx.app}')`, 'info');
    }
    this.connected = true;
    this.connectQueries = connectQueries(command.object, requested);
    const objectEncoding = typeof command.object?.['objectEncoding'] === 'number' ? command.object['objectEncoding'] : 0;
    // Window Acknowledgement Size, Set Peer Bandwidth, Set Chunk Size and _result, chunked at OUT_CHUNK_SIZE.
    this.sendBytes(this.ctx.rtmpReplies.connect(command.transactionId, objectEncoding));
    this.outChunkSize = OUT_CHUNK_SIZE;
  }

  private onPublish(command: RtmpCommand): void {
    const streamId = command.streamId;
    if (this.role.kind !== 'none') return this.refuse(streamId, 'NetStream.Publish.BadConnection', 'publish refused: this connection already has a stream');
    const name = typeof command.args[0] === 'string' ? command.args[0] : '';
    const key = stripQuery(name);
    // Asked every time, also of a publisher coming back within the grace period: it passes the same check as a new one.
    const decision = this.ctx.access.publish(rtmpStreamRequest(this.ctx.app, name, this.socket.remoteAddress, this.connectQueries), this.door);
    if (!decision.allow) return this.refuseAccess(streamId, decision, 'Publish');
    const channel = this.ctx.hub.publish(this.ctx.app, key, this.remoteAddress);
    if (channel === undefined) {
      return this.refuse(streamId, 'NetStream.Publish.BadName', `publish refused: ${this.ctx.app}/${key} is already being published`);
    }
    this.role = { kind: 'publisher', channel, streamId };
    // A publisher sends media: keyframes of hundreds of kB. Its unfinished messages leave the shared budget.
    this.reader.setMaxMessageLength(MAX_MESSAGE_LENGTH);
    this.ctx.buffered.release(this);
    this.send(userControl(UserControlEvent.StreamBegin, streamId));
    this.send(onStatusMessage(streamId, 'status', 'NetStream.Publish.Start', `${channel.path} is now published.`));
  }

  private onPlay(command: RtmpCommand): void {
    const streamId = command.streamId;
    if (this.role.kind !== 'none') return this.refuse(streamId, 'NetStream.Play.Failed', 'play refused: this connection already has a stream');
    const name = typeof command.args[0] === 'string' ? command.args[0] : '';
    const path = `${this.ctx.app}/${stripQuery(name)}`;
    const channel = this.ctx.hub.get(path);
    const decision = this.ctx.access.play(rtmpStreamRequest(this.ctx.app, name, this.socket.remoteAddress, this.connectQueries), this.door, channel !== undefined);
    if (!decision.allow) {
      if (this.ctx.overflow === undefined || !overflows(decision.reason)) return this.refuseAccess(streamId, decision, 'Play');
      // RTMP has no redirect a player follows: the edge's address goes in the refusal's description.
      const url = overflowUrl(this.ctx.overflow, this.ctx.app, stripQuery(name), 'rtmp');
      this.ctx.access.overflowed(this.door, this.remoteAddress, url);
      return this.refuse(streamId, refusalCode(decision.reason, 'Play'), `${decision.message}; watch at ${url}`, 'debug');
    }
    if (channel === undefined) {
      return this.refuse(streamId, 'NetStream.Play.StreamNotFound', `play refused: no stream ${path}`);
    }
    const viewer = new RtmpViewer(
      {
        id: this.id,
        socket: this.socket,
        channel,
        clock: this.ctx.clock,
        queueLimits: this.ctx.limits.queue,
        backlog: this.ctx.backlog,
        rests: this.ctx.joinRests,
        onCutOff: () => this.fail(`fell behind for ${Math.round(this.ctx.limits.queue.maxBehindMs / 1000)} s: disconnected`, 'warn'),
        remoteAddress: this.remoteAddress,
      },
      streamId,
      OUT_CHUNK_SIZE,
    );
    this.role = { kind: 'player', viewer };
    // StreamBegin, NetStream.Play.Reset, NetStream.Play.Start and |RtmpSampleAccess (connect set OUT_CHUNK_SIZE).
    this.sendBytes(this.ctx.rtmpReplies.play(streamId, path));
    // A reply that found the peer not reading failed the connection, which left its role before the viewer joined.
    if (this.closed) return;
    // A player's liveness is its queue's business (onTimeout ignores players), and an idle timer would be refreshed by
    // every write of the stream: it comes back when the connection stops playing.
    this.socket.setTimeout(0);
    channel.addViewer(viewer);
    this.log('info', `playing ${path} (viewer ${viewer.id})`);
  }

  private refuse(streamId: number, code: string, reason: string, level: 'debug' | 'warn' = 'warn'): void {
    this.send(onStatusMessage(streamId, 'error', code, reason));
    this.fail(reason, level);
  }

  /** A refusal of the access policy, which has logged and counted it: the client gets the reason in the status code's description. */
  private refuseAccess(streamId: number, decision: Refusal, what: 'Publish' | 'Play'): void {
    this.refuse(streamId, refusalCode(decision.reason, what), decision.message, 'debug');
  }

  /** The client stopped publishing or playing but may keep the connection (deleteStream, FCUnpublish). */
  private leaveRole(): void {
    const role = this.role;
    this.role = { kind: 'none' };
    this.withoutRoleSince = this.ctx.clock.monotonic();
    if (role.kind === 'publisher') {
      this.ctx.hub.unpublish(role.channel);
      this.log('info', `stopped publishing ${role.channel.path}`);
    } else if (role.kind === 'player') {
      if (role.viewer.channel.removeViewer(role.viewer)) this.log('info', `stopped playing ${role.viewer.channel.path}`);
      if (!this.closed) this.socket.setTimeout(this.ctx.limits.idleTimeoutMs);
    }
  }

  /** Spec 5.4.3: acknowledge once the peer's window of bytes has been received. */
  private acknowledge(): void {
    const received = this.reader.bytesReceived;
    if (this.peerWindowAck > 0 && received - this.lastAckSent >= this.peerWindowAck) {
      this.lastAckSent = received;
      this.send(acknowledgement(received >>> 0));
    }
  }

  private send(message: RtmpMessage): void {
    this.sendBytes(writeMessage(message, this.outChunkSize));
  }

  /**
   * Replies pile up in the socket when the peer does not read them. A player's socket also holds its media, which its
   * queue policy bounds; anyone else may have MAX_PENDING_REPLY_BYTES waiting before the connection is closed.
   */
  private sendBytes(bytes: Buffer): void {
    if (this.socket.destroyed || this.closed) return;
    const allowed = MAX_PENDING_REPLY_BYTES + (this.role.kind === 'player' ? this.ctx.limits.queue.maxBytes : 0);
    if (this.socket.writableLength > allowed) return this.fail(`does not read its replies (${this.socket.writableLength} bytes waiting)`);
    this.socket.write(bytes);
  }

  private fail(reason: string, level: 'debug' | 'info' | 'warn' = 'warn'): void {
    if (this.closed) return;
    this.log(level, `closed: ${reason}`);
    this.closed = true;
    this.leaveRole();
    this.socket.end();
    this.socket.destroySoon();
    // A peer that never reads would keep a half-closed socket forever.
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  /** No traffic either way for a while. A player's liveness is judged by its queue instead (it may be in grace). */
  private onTimeout(): void {
    if (this.role.kind !== 'player') this.fail('idle timeout');
  }

  private onClose(): void {
    this.closed = true;
    this.ctx.buffered.release(this);
    this.leaveRole();
    this.log('debug', 'disconnected');
  }

  private log(level: 'debug' | 'info' | 'warn', message: string): void {
    this.ctx.logger.log(level, `rtmp ${this.remoteAddress} ${message}`, { session: this.id, peer: this.remoteAddress });
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
