import type { Socket } from 'node:net';
import { WsClose, WsFrameReader, WsProtocolError } from '../protocol/websocket/ws-frame-reader.js';
import { wsCloseFrame, wsControlFrame, WsOpcode } from '../protocol/websocket/ws-frame.js';

/** After our close frame, the client gets this long to answer with its own before the connection is dropped. */
export const WS_CLOSE_HANDSHAKE_MS = 2_000;
/**
 * A ping is answered only while less than this waits in the socket: a client that pings without reading would
 * otherwise have the server queue a pong per ping (RFC 6455 5.5.3 lets an endpoint answer only the latest).
 */
export const WS_PONG_MAX_PENDING_BYTES = 256 * 1024;

export interface WsConnectionOptions {
  /** The largest message a client may send, all its fragments together. */
  maxMessageBytes: number;
  /** A client broke the protocol; the connection is being failed (for the log). */
  onProtocolError?: (error: WsProtocolError) => void;
}

/**
 * The server's side of an accepted WebSocket (RFC 6455) on its socket, after the 101 answer: reads the client's
 * frames, answers pings, runs the closing handshake (5.5.1, 7.1) and fails the connection on a protocol error (7.1.7).
 * Data frames are the owner's to write, whole, while `open`.
 */
export class WsConnection {
  private readonly reader: WsFrameReader;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private dropTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: Socket,
    head: Buffer,
    private readonly options: WsConnectionOptions,
  ) {
    this.reader = new WsFrameReader(options.maxMessageBytes);
    socket.setTimeout(0);
    socket.on('data', this.onData);
    // The client half-closed: nothing more will come, so the server's side ends too.
    socket.on('end', () => socket.end());
    socket.once('close', () => {
      this.state = 'closed';
      clearTimeout(this.dropTimer);
    });
    if (head.length > 0) this.onData(head);
    socket.resume();
  }

  /** Data frames may still be sent: no close frame has gone either way. */
  get open(): boolean {
    return this.state === 'open' && !this.socket.destroyed;
  }

  /** Starts the closing handshake; the client's close frame, or the timeout, ends the connection. */
  close(code: number, reason: string): void {
    if (this.state !== 'open') return;
    this.state = 'closing';
    if (this.socket.writable) this.socket.write(wsCloseFrame(code, reason));
    this.dropLater();
  }

  /** Drops the connection at once, without a closing handshake. */
  terminate(): void {
    this.state = 'closed';
    this.socket.destroy();
  }

  private readonly onData = (data: Buffer): void => {
    let events;
    try {
      events = this.reader.push(data);
    } catch (error) {
      // A client's breach of the protocol, or (never expected) a bug of ours: either way it costs this connection only.
      const failure = error instanceof WsProtocolError ? error : new WsProtocolError(WsClose.internalError, `internal error: ${String(error)}`);
      this.options.onProtocolError?.(failure);
      return this.fail(failure.code, failure.message);
    }
    for (const event of events) {
      if (event.kind === 'ping') this.pong(event.payload);
      else if (event.kind === 'close') this.answerClose(event.code);
    }
  };

  private pong(payload: Buffer): void {
    if (this.state !== 'open' || !this.socket.writable || this.socket.writableLength >= WS_PONG_MAX_PENDING_BYTES) return;
    this.socket.write(wsControlFrame(WsOpcode.pong, payload));
  }

  /** The client's close frame: echoed with its code (RFC 6455 5.5.1) unless ours went first, then the TCP side ends. */
  private answerClose(code: number | undefined): void {
    if (this.state === 'open' && this.socket.writable) this.socket.write(wsCloseFrame(code ?? WsClose.normal, ''));
    this.state = 'closed';
    this.socket.end();
    this.dropLater();
  }

  /** RFC 6455 7.1.7: a close frame with the reason, then the TCP connection is closed without waiting for an answer. */
  private fail(code: number, reason: string): void {
    this.socket.off('data', this.onData);
    if (this.state === 'open' && this.socket.writable) this.socket.write(wsCloseFrame(code, reason));
    this.state = 'closed';
    this.socket.end();
    this.dropLater();
  }

  /** end() only half-closes: a client that never closes its side would hold the socket for good. */
  private dropLater(): void {
    clearTimeout(this.dropTimer);
    this.dropTimer = setTimeout(() => this.socket.destroy(), WS_CLOSE_HANDSHAKE_MS).unref();
  }
}
