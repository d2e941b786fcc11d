import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import { BugError } from '../errors.js';
import { type GetRequestHead, readGetRequestHead } from '../protocol/http/request-head.js';
import type { Logger } from '../util/logger.js';
import { describeError } from '../util/safe-timer.js';
import { closingAnswer } from './http-answers.js';
import { formatAddress } from './socket-viewer.js';

export interface FrontDoorOptions {
  /** Lets a new connection in under the server's caps, or closes it and says false (HTTPS admits on 'connection'). */
  admit(socket: Socket): boolean;
  /** Serves `head` on `socket` and says true, or says false having written and listened to nothing. */
  take(head: GetRequestHead, socket: Socket): boolean;
  /** The largest request head (Node's `maxHeaderSize`); a larger first read goes to Node, which answers 431. */
  maxHeadBytes: number;
  /**
   * A connection that sends nothing this long is answered 408 and closed. Node's own head deadline starts when it is
   * handed the connection, so it cannot cover the wait for the first byte.
   */
  firstByteTimeoutMs: number;
  logger: Logger;
}

/**
 * The HTTP port's front door. Most of a busy server's HTTP connections are players: one small GET (HTTP-FLV) or
 * WebSocket opening handshake (WebSocket-FLV), then hours of reading. Node's HTTP server keeps a request, a response
 * and an HTTP parser for an HTTP-FLV connection's whole life (about 3 KiB more heap and 11 KiB more resident memory
 * than a bare socket, bench/RESULTS.md), and for every connection it sets up a parser, a request object and a slot
 * in its timeout list first. The door reads each connection's first bytes: when they are exactly one complete, plain
 * GET head (`readGetRequestHead`) that `take` serves, Node's server never has the connection. Anything else (other
 * paths, a head split over reads, malformed, too large, pipelined, a refused HTTP-FLV GET, a HEAD) goes to Node's
 * server with its bytes put back, and is answered as before.
 *
 * It takes the place of the listener Node's HTTP server puts on its own 'connection' event, and calls that listener
 * to hand a connection over (the event's documented use: "emitted by users to inject connections into the HTTP
 * server"), so Node keeps listening, timing requests out and closing idle connections itself.
 */
export function installFrontDoor(server: HttpServer, options: FrontDoorOptions, event: FrontDoorEvent = 'connection'): void {
  const listeners = server.listeners(event);
  if (listeners.length !== 1) throw new BugError(`the HTTP front door goes on a new server, which has one '${event}' listener (this one has ${listeners.length})`);
  const nodeListener = listeners[0] as (socket: Socket) => void;
  server.removeListener(event, nodeListener);
  const handOver = (socket: Socket) => nodeListener.call(server, socket);
  server.on(event, (socket: Socket) => {
    if (options.admit(socket)) awaitFirstBytes(socket, options, handOver);
  });
}

/**
 * Where Node's HTTP server takes a connection in: 'connection' for plain HTTP; 'secureConnection' for HTTPS, once the
 * TLS handshake is done (the door then reads the decrypted bytes).
 */
export type FrontDoorEvent = 'connection' | 'secureConnection';

function awaitFirstBytes(socket: Socket, options: FrontDoorOptions, handOver: (socket: Socket) => void): void {
  const onData = (chunk: Buffer) => {
    leave();
    if (taken(chunk)) return;
    // Node reads the bytes as if they had just arrived: put back, then the socket flows again once Node listens.
    socket.pause();
    socket.unshift(chunk);
    handOver(socket);
    socket.resume();
  };
  const taken = (chunk: Buffer): boolean => {
    const head = readGetRequestHead(chunk, options.maxHeadBytes);
    if (head === undefined) return false;
    try {
      return options.take(head, socket);
    } catch (error) {
      const peer = formatAddress(socket.remoteAddress, socket.remotePort);
      options.logger.log('error', `http ${peer}: internal error answering a request, closed: ${describeError(error)}`, {
        stack: error instanceof Error ? error.stack : undefined,
      });
      socket.destroy();
      return true;
    }
  };
  const onTimeout = () => {
    leave();
    socket.end(closingAnswer('408 Request Timeout'));
    socket.destroySoon();
  };
  // Closed or failed before a byte: nothing to answer.
  const onGone = () => {
    leave();
    socket.destroy();
  };
  const leave = () => {
    socket.setTimeout(0);
    socket.off('data', onData);
    socket.off('timeout', onTimeout);
    socket.off('end', onGone);
    socket.off('error', onGone);
  };
  socket.setTimeout(options.firstByteTimeoutMs);
  socket.on('data', onData);
  socket.on('timeout', onTimeout);
  socket.on('end', onGone);
  socket.on('error', onGone);
}
