import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Channel } from '../media/channel.js';
import { flvFileHeader } from '../protocol/flv/flv-tag.js';
import { FlvViewer } from './flv-viewer.js';
import type { ServerContext } from './server-context.js';
import { formatAddress } from './socket-viewer.js';

export const FLV_HEADERS = {
  'Content-Type': 'video/x-flv',
  'Access-Control-Allow-Origin': '*',
  'Cache-Control': 'no-cache, no-store',
} as const;

/** `/<app>/<key>.flv`, the path of a stream's FLV (HTTP and WebSocket alike). */
export const FLV_PATH = /^\/([^/]+)\/([^/]+)\.flv$/;

/**
 * Serves `channel` as an endless FLV body. After the response head, tags are written straight to the socket with no
 * chunked framing: the body ends when the connection does, so each tag Buffer goes out as it is, shared by all.
 */
export function serveFlv(req: IncomingMessage, res: ServerResponse, channel: Channel, ctx: ServerContext, client?: string): void {
  res.useChunkedEncodingByDefault = false;
  res.shouldKeepAlive = false;
  res.writeHead(200, FLV_HEADERS);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  // A request pipelined behind another on the same connection (RFC 9112 9.3.2) is answered after it: its response
  // has no socket until the earlier one is done. The response head is written just after the 'socket' event, so
  // the tags start on the next tick.
  const socket = res.socket;
  if (socket !== null) {
    // The response head, the FLV header and the join burst's head leave in one write.
    socket.cork();
    try {
      res.flushHeaders();
      play(socket, channel, ctx, client);
    } finally {
      socket.uncork();
    }
    return;
  }
  res.flushHeaders();
  res.once('socket', (socket: Socket) =>
    process.nextTick(() => {
      if (channel.state === 'ended' || socket.destroyed) socket.end();
      else play(socket, channel, ctx, client);
    }),
  );
}

/**
 * Serves `channel` on a connection the HTTP front door took before Node's HTTP server saw it: the same bytes as
 * serveFlv's answer (Node's response head for it, `Connection: close`, no chunked framing), then the same viewer.
 */
export function serveFlvOnSocket(socket: Socket, channel: Channel, ctx: ServerContext, client: string): void {
  socket.on('error', () => socket.destroy());
  // The server's sockets are half-open capable (node:http's listener): a player that closes its side has stopped.
  socket.on('end', () => socket.end());
  // A player has nothing to say after its GET; bytes after it (a second request, anything) close the connection.
  socket.on('data', () => {
    ctx.logger.log('debug', `http-flv ${formatAddress(socket.remoteAddress, socket.remotePort)}: sent bytes after its request: closed`);
    socket.destroy();
  });
  // The response head, the FLV header and the join burst's head leave in one write.
  socket.cork();
  try {
    socket.write(flvResponseHead(new Date()));
    play(socket, channel, ctx, client);
  } finally {
    socket.uncork();
  }
}

/** The response head Node writes for serveFlv's answer, for a connection Node's HTTP server never had. */
function flvResponseHead(date: Date): string {
  const fields = Object.entries(FLV_HEADERS).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 200 OK\r\n${fields.join('')}Date: ${date.toUTCString()}\r\nConnection: close\r\n\r\n`;
}

/** `client`: the viewer's address when it is not the socket's peer (behind a trusted reverse proxy). */
function play(socket: Socket, channel: Channel, ctx: ServerContext, client: string | undefined): void {
  socket.setNoDelay(true);
  const remote = viewerAddress(socket, client);
  const viewer = new FlvViewer({
    id: ctx.nextId('flv'),
    socket,
    remoteAddress: remote,
    ...(client !== undefined ? { clientIp: client } : {}),
    channel,
    clock: ctx.clock,
    queueLimits: ctx.limits.queue,
    backlog: ctx.backlog,
    rests: ctx.joinRests,
    onCutOff: () => {
      ctx.logger.log('warn', `http-flv ${remote} fell behind: disconnected`, { viewer: viewer.id, peer: remote });
      socket.destroy();
    },
  });
  socket.write(flvFileHeader({ audio: channel.audio !== null || channel.video === null, video: channel.video !== null || channel.audio === null }));
  channel.addViewer(viewer);
  ctx.logger.log('info', `http-flv ${remote} playing ${channel.path} (viewer ${viewer.id})`, { viewer: viewer.id, peer: remote });
  socket.once('close', () => {
    if (channel.removeViewer(viewer)) {
      ctx.logger.log('info', `http-flv ${remote} stopped playing ${channel.path}`, { viewer: viewer.id, peer: remote });
    }
  });
}

/** How the status names a viewer: its address and port, or behind a proxy the forwarded address and the proxy's note. */
export function viewerAddress(socket: Socket, client: string | undefined): string {
  const peer = formatAddress(socket.remoteAddress, socket.remotePort);
  if (client === undefined || formatAddress(socket.remoteAddress, undefined) === formatAddress(client, undefined)) return peer;
  return `${formatAddress(client, undefined)} (via proxy)`;
}
