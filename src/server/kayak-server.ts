import { type Server as HttpServer, createServer as createHttpServer } from 'node:http';
import { type Server as NetServer, type Socket, createServer as createNetServer } from 'node:net';
import { UserError } from '../errors.js';
import { ChannelHub, DEFAULT_GRACE_MS, type HubEvent } from '../media/channel-hub.js';
import { DEFAULT_QUEUE_LIMITS, type QueueLimits } from '../media/viewer-queue.js';
import { StatusStore } from '../status/status-store.js';
import { type Clock, systemClock } from '../util/clock.js';
import { type Logger, silentLogger } from '../util/logger.js';
import { findMpegtsDist, findWebRoot } from './http-pages.js';
import { route } from './http-routes.js';
import { RtmpSession } from './rtmp-session.js';
import { WriteBatcher } from './write-batcher.js';
import { DEFAULT_HLS_OPTIONS, type HlsOptions, HlsStreams } from './hls-streams.js';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, type ServerContext } from './server-context.js';
import type { WsFlvGateway } from './ws-flv.js';

export const DEFAULT_RTMP_PORT = 1935;
export const DEFAULT_HTTP_PORT = 8000;
export const DEFAULT_APP = 'live';

export interface KayakServerOptions {
  host?: string;
  /** 0 picks a free port; read the bound one from `rtmpPort` after start(). */
  rtmpPort?: number;
  httpPort?: number;
  app?: string;
  graceMs?: number;
  handshakeTimeoutMs?: number;
  idleTimeoutMs?: number;
  queueLimits?: QueueLimits;
  /** HLS segmenting and its limits (segment length, window, idle stop, client counting). */
  hls?: Partial<HlsOptions>;
  clock?: Clock;
  logger?: Logger;
  /** Streams going live, their publishers leaving, streams ending: for the CLI's share URLs and the dashboard. */
  onStreamEvent?: (event: HubEvent) => void;
}

/** A port we could not listen on; the CLI turns `which` into the flag that changes it. */
export class PortInUseError extends UserError {
  constructor(
    readonly which: 'rtmp' | 'http',
    readonly port: number,
    code: string,
  ) {
    super(
      code === 'EADDRINUSE' ? `port ${port} (${which.toUpperCase()}) is already in use` : `cannot listen on port ${port} (${which.toUpperCase()}): ${code}`,
      `choose another port with --${which}-port`,
    );
  }
}

/**
 * The embedded streaming server: RTMP ingest and play, HTTP-FLV play, the JSON API. Everything it owns hangs off
 * this object, so several can run in one process (tests run them on port 0).
 */
export class KayakServer {
  readonly status: StatusStore;
  readonly hub: ChannelHub;
  private readonly ctx: ServerContext;
  private readonly rtmp: NetServer;
  private readonly http: HttpServer;
  /**
   * Loaded on the first WebSocket upgrade: the ws package pulls in TLS and zlib, about 14 MB of resident memory a
   * server that nobody watches over WebSocket should not pay.
   */
  private wsFlv: Promise<WsFlvGateway> | undefined;
  private readonly sessions = new Set<RtmpSession>();
  private readonly httpSockets = new Set<Socket>();
  private readonly host: string;
  private ports = { rtmp: 0, http: 0 };
  private idCounter = 0;

  constructor(private readonly options: KayakServerOptions = {}) {
    const clock = options.clock ?? systemClock;
    const logger = options.logger ?? silentLogger;
    const app = options.app ?? DEFAULT_APP;
    this.host = options.host ?? '0.0.0.0';
    this.hub = new ChannelHub({
      graceMs: options.graceMs ?? DEFAULT_GRACE_MS,
      clock,
      onEvent: (event) => {
        logger.log('info', describeHubEvent(event), { event: event.type, stream: event.path });
        options.onStreamEvent?.(event);
      },
    });
    this.ctx = {
      app,
      hub: this.hub,
      clock,
      logger,
      limits: {
        handshakeTimeoutMs: options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
        idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
        queue: options.queueLimits ?? DEFAULT_QUEUE_LIMITS,
      },
      writeBatcher: new WriteBatcher(),
      hls: new HlsStreams({ hub: this.hub, clock, logger, options: { ...DEFAULT_HLS_OPTIONS, ...options.hls } }),
      nextId: (prefix) => `${prefix}-${++this.idCounter}`,
    };
    this.status = new StatusStore({
      hub: this.hub,
      clock,
      app,
      ports: () => this.ports,
      connections: () => this.sessions.size + this.httpSockets.size,
      hlsClients: (channel) => this.ctx.hls.clientCount(channel),
    });
    this.rtmp = createNetServer((socket) => this.accept(socket));
    const pages = { app, status: this.status, webRoot: findWebRoot(), mpegtsPath: findMpegtsDist() };
    this.http = createHttpServer((req, res) => route(req, res, this.ctx, this.status, pages));
    this.http.on('upgrade', (req, socket, head: Buffer) => {
      socket.pause();
      this.wsFlv ??= import('./ws-flv.js').then(({ WsFlvGateway }) => new WsFlvGateway(this.ctx));
      void this.wsFlv.then((gateway) => {
        socket.resume();
        gateway.handleUpgrade(req, socket, head);
      });
    });
    this.http.on('connection', (socket: Socket) => {
      this.httpSockets.add(socket);
      socket.once('close', () => this.httpSockets.delete(socket));
    });
    this.http.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
      logger.log('debug', `http: bad request: ${error.code ?? error.message}`);
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
  }

  get rtmpPort(): number {
    return this.ports.rtmp;
  }

  get httpPort(): number {
    return this.ports.http;
  }

  get app(): string {
    return this.ctx.app;
  }

  async start(): Promise<void> {
    this.ports.rtmp = await listen(this.rtmp, this.host, this.options.rtmpPort ?? DEFAULT_RTMP_PORT, 'rtmp');
    try {
      this.ports.http = await listen(this.http, this.host, this.options.httpPort ?? DEFAULT_HTTP_PORT, 'http');
    } catch (error) {
      this.rtmp.close();
      throw error;
    }
    this.status.start();
    this.ctx.logger.log('debug', `listening: rtmp ${this.host}:${this.ports.rtmp}, http ${this.host}:${this.ports.http}`);
  }

  /** Ends every stream cleanly (viewers get an end of stream), closes every connection, stops listening. */
  async stop(): Promise<void> {
    this.status.stop();
    this.ctx.writeBatcher.flushAll();
    this.ctx.hls.close();
    this.hub.close('the server is stopping');
    for (const session of this.sessions) session.close();
    void this.wsFlv?.then((gateway) => gateway.close());
    const closed = Promise.all([closeServer(this.rtmp), closeServer(this.http)]);
    this.http.closeIdleConnections();
    for (const socket of this.httpSockets) socket.end();
    const forced = setTimeout(() => {
      this.http.closeAllConnections();
      for (const socket of this.httpSockets) socket.destroy();
    }, 1000);
    await closed;
    clearTimeout(forced);
  }

  private accept(socket: Socket): void {
    const session = new RtmpSession(socket, this.ctx);
    this.sessions.add(session);
    socket.once('close', () => this.sessions.delete(session));
  }
}

function listen(server: NetServer | HttpServer, host: string, port: number, which: 'rtmp' | 'http'): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => reject(new PortInUseError(which, port, error.code ?? error.message));
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

function closeServer(server: NetServer | HttpServer): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
}

function describeHubEvent(event: HubEvent): string {
  switch (event.type) {
    case 'publish':
      return `${event.path}: ${event.resumed ? 'publisher is back' : 'live'} (from ${event.address})`;
    case 'unpublish':
      return `${event.path}: publisher left; viewers wait ${Math.round(event.graceMs / 1000)} s for it to come back`;
    case 'end':
      return `${event.path}: ended (${event.reason})`;
  }
}
