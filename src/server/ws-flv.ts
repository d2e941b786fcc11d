import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { Channel } from '../media/channel.js';
import type { MediaPacket, WireParts } from '../media/media-packet.js';
import { streamKeyProblem } from '../media/stream-key.js';
import { credentialsFrom } from './access/credentials.js';
import { type RequestOrigin, refusalHeaders, refusalStatus, requester } from './http-answers.js';
import { FLV_PATH, viewerAddress } from './http-flv.js';
import { flvFileHeader } from '../protocol/flv/flv-tag.js';
import { wsBinaryFrameHeader } from '../protocol/websocket/ws-frame.js';
import { WsClose } from '../protocol/websocket/ws-frame-reader.js';
import { checkUpgrade, switchingProtocols } from '../protocol/websocket/ws-handshake.js';
import { WsConnection } from './ws-connection.js';
import { overflowUrl, overflows } from './overflow.js';
import { parseRequestTarget } from './request-target.js';
import type { ServerContext } from './server-context.js';
import { SocketViewer, type SocketViewerOptions } from './socket-viewer.js';

/** A viewer sends nothing but control frames; anything larger than this from it is refused (RFC 6455 10.4). */
export const WS_MAX_INCOMING_PAYLOAD = 1024;
/** A refused upgrade's answer gets this long to reach the client before the connection is dropped. */
export const REFUSED_UPGRADE_LINGER_MS = 2_000;

/**
 * WebSocket-FLV: the same byte stream as HTTP-FLV (FLV header, then one FLV tag per packet), carried in binary
 * messages, one unfragmented frame per tag. A server-to-client frame is not masked (RFC 6455 5.3), so the frame (its
 * header and the shared tag Buffers) is built once per packet and written as it is to every viewer's socket;
 * WsConnection reads the client's frames and runs the closing handshake.
 */
export class WsFlvViewer extends SocketViewer {
  readonly protocol = 'ws-flv' as const;
  protected readonly wireFormat = 'ws';
  private readonly ws: WsConnection;

  constructor(options: SocketViewerOptions & { ws: WsConnection }) {
    super(options);
    this.ws = options.ws;
  }

  protected endStream(reason: string): void {
    this.ws.close(WsClose.normal, reason);
  }

  protected override serialise(packet: MediaPacket): WireParts {
    return packet.wsFrame();
  }

  /** After a close frame (ours or the client's) no data frame may follow (RFC 6455 5.5.1). */
  protected override write(parts: WireParts): void {
    if (this.ws.open) super.write(parts);
  }

  /** Sends the FLV file header (FLV spec E.2) as the first message. */
  sendHeader(header: Buffer): void {
    this.write([wsBinaryFrameHeader(header.length), header]);
  }
}

/** What the gateway reads of an upgrade request: a Node request, or a head the HTTP front door read. */
export interface UpgradeRequest extends RequestOrigin {
  method?: string | undefined;
  url?: string | undefined;
  httpVersion: string;
}

/** Accepts WebSocket upgrades for `/<app>/<key>.flv` on the HTTP server; one per KayakServer. */
export class WsFlvGateway {
  constructor(private readonly ctx: ServerContext) {}

  /**
   * The HTTP server's 'upgrade' listener, and the front door's for an upgrade it read itself (`head` is then empty).
   * Anything that is not a playable stream gets a plain HTTP answer.
   */
  handleUpgrade(req: UpgradeRequest, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const target = parseRequestTarget(req.url);
    if ('problem' in target) return refuse(socket, 400, target.problem);
    const { path } = target;
    const upgrade = checkUpgrade(req.method, req.httpVersion, req.headers);
    if ('problem' in upgrade) return refuse(socket, upgrade.status, upgrade.problem, upgrade.headers);
    const match = FLV_PATH.exec(path);
    if (match === null) return refuse(socket, 404, `not found: ${path}`);
    const [, app, key] = match as unknown as [string, string, string];
    const problem = streamKeyProblem(key);
    if (problem !== undefined) return refuse(socket, 400, problem);
    const channel = app === this.ctx.app ? this.ctx.hub.get(`${app}/${key}`) : undefined;
    const who = requester(req, this.ctx.access, this.ctx.adminToken);
    const decision = this.ctx.access.play({ app, key, address: who.address, credentials: credentialsFrom(target.query.toString()) }, 'ws-flv', channel !== undefined);
    if (!decision.allow) {
      // A browser does not follow a redirect of a WebSocket upgrade: the edge's URL is said in a header (the watch page
      // learns it from its HEAD of the stream).
      const overflow: Record<string, string> = this.ctx.overflow !== undefined && overflows(decision.reason) ? { 'X-Kayak-Overflow': overflowUrl(this.ctx.overflow, app, key, 'flv') } : {};
      return refuse(socket, refusalStatus(decision.reason), decision.message, { ...refusalHeaders(decision), ...overflow });
    }
    if (channel === undefined) return refuse(socket, 404, `no stream ${app}/${key}: nothing is being published there`);
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    // The 101 answer, the FLV header's frame and the join burst's head leave in one write.
    socket.cork();
    try {
      socket.write(switchingProtocols(upgrade.key));
      this.play(socket as Socket, head, channel, who.address);
    } finally {
      socket.uncork();
    }
  }

  private play(socket: Socket, head: Buffer, channel: Channel, client: string): void {
    const { ctx } = this;
    socket.setNoDelay(true);
    const remote = viewerAddress(socket, client);
    const ws = new WsConnection(socket, head, {
      maxMessageBytes: WS_MAX_INCOMING_PAYLOAD,
      onProtocolError: (error) => ctx.logger.log('warn', `ws-flv ${remote}: ${error.message}: closed (${error.code})`, { peer: remote }),
    });
    const viewer = new WsFlvViewer({
      id: ctx.nextId('ws'),
      socket,
      remoteAddress: remote,
      clientIp: client,
      ws,
      channel,
      clock: ctx.clock,
      queueLimits: ctx.limits.queue,
      backlog: ctx.backlog,
      rests: ctx.joinRests,
      onCutOff: () => {
        ctx.logger.log('warn', `ws-flv ${remote} fell behind: disconnected`, { viewer: viewer.id, peer: remote });
        ws.terminate();
      },
    });
    socket.once('close', () => {
      if (channel.removeViewer(viewer)) ctx.logger.log('info', `ws-flv ${remote} stopped playing ${channel.path}`, { viewer: viewer.id, peer: remote });
    });
    viewer.sendHeader(flvFileHeader({ audio: channel.audio !== null || channel.video === null, video: channel.video !== null || channel.audio === null }));
    channel.addViewer(viewer);
    ctx.logger.log('info', `ws-flv ${remote} playing ${channel.path} (viewer ${viewer.id})`, { viewer: viewer.id, peer: remote });
  }
}

function refuse(socket: Duplex, code: number, message: string, headers: Record<string, string> = {}): void {
  const body = `${message}\n`;
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.end(
    `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n${extra}` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  // end() only half-closes: a client that never closes its side would hold the socket for good.
  setTimeout(() => socket.destroy(), REFUSED_UPGRADE_LINGER_MS).unref();
}
