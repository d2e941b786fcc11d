import { randomBytes } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import type { Server as NetServer, Socket } from 'node:net';
import { ChannelHub, DEFAULT_GRACE_MS, type HubEvent } from '../media/channel-hub.js';
import { describeHubEvent } from './hub-events.js';
import { DEFAULT_QUEUE_LIMITS, type QueueLimits } from '../media/viewer-queue.js';
import { EventLog } from '../status/event-log.js';
import { StatusStore } from '../status/status-store.js';
import { type Clock, systemClock } from '../util/clock.js';
import { openFileLimit } from '../util/fd-limit.js';
import { limitPeerLines } from '../util/log-limiter.js';
import { type Logger, silentLogger } from '../util/logger.js';
import { redactingLogger } from '../util/redact.js';
import { type AccessConfig, defaultAccess } from './access/access-config.js';
import { AccessGate } from './access/access-gate.js';
import { type AdminActions, type AdminHooks, ServerAdmin } from './admin-actions.js';
import { describeError, safeInterval } from '../util/safe-timer.js';
import { BufferBudget } from './buffer-budget.js';
import { JoinRests } from './join-rests.js';
import { RtmpReplies } from './rtmp-replies.js';
import { ViewerBacklog } from './viewer-backlog.js';
import { ConnectionGate } from './connection-gate.js';
import { findHlsDist, findMpegtsDist, findWebRoot } from './http-pages.js';
import { closingAnswer } from './http-answers.js';
import { installFrontDoor } from './http-front-door.js';
import { route, takeFlvGet } from './http-routes.js';
import {
  DEADLINE_SWEEP_MS,
  DEFAULT_LIMITS,
  DEFAULT_MAX_CONNECTIONS,
  HTTP_HEADERS_TIMEOUT_MS,
  HTTP_KEEP_ALIVE_TIMEOUT_MS,
  HTTP_MAX_HEADER_BYTES,
  HTTP_MAX_REQUESTS_PER_SOCKET,
  HTTP_REQUEST_TIMEOUT_MS,
  fitConnectionCap,
} from './limits.js';
import { type TlsFiles, closeServer, createRtmpServer, createRtmpsServer, createWebServer, listen } from './listeners.js';
import type { PushSpec } from './relay/push-spec.js';
import { Relays } from './relay/relays.js';
import { RtmpSession } from './rtmp-session.js';
import { formatAddress } from './socket-viewer.js';
import type { ServerContext } from './server-context.js';
import { DEFAULT_HLS_OPTIONS, type HlsOptions, HlsStreams } from './hls-streams.js';
import { WsFlvGateway } from './ws-flv.js';

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
  /** An unfinished incoming message older than this closes its connection. */
  messageDeadlineMs?: number;
  /** A connection that neither publishes nor plays this long after its handshake is closed. */
  roleDeadlineMs?: number;
  /** Bytes of unfinished incoming messages all non-publishing connections may hold together. */
  serverBufferedBytes?: number;
  /** Bytes all viewers may hold in their own queues together (see viewer-backlog.ts). */
  viewerBacklogBytes?: number;
  /** Total open connections (RTMP + HTTP); lowered to fit the file-descriptor limit. Default DEFAULT_MAX_CONNECTIONS. */
  maxConnections?: number;
  /** The soft file-descriptor limit; read from the system when not given (tests pass one). */
  fileLimit?: number;
  queueLimits?: QueueLimits;
  /** Where to push live streams (`--push`): every stream, or one. */
  push?: readonly PushSpec[];
  /** HLS segmenting and its limits (segment length, window, idle stop, client counting). */
  hls?: Partial<HlsOptions>;
  clock?: Clock;
  logger?: Logger;
  /** Streams going live, their publishers leaving, streams ending: for the CLI's share URLs and the dashboard. */
  onStreamEvent?: (event: HubEvent) => void;
  /** Who may publish and watch, and admission limits; unset fields keep their safe defaults (see access-config.ts). */
  access?: Partial<AccessConfig>;
  /** Serve HTTPS on the HTTP port and RTMPS on `rtmpsPort` with this certificate. */
  tls?: TlsFiles;
  /** RTMPS port (with `tls`); 0 picks a free one. Default DEFAULT_RTMPS_PORT. */
  rtmpsPort?: number;
  /** The admin API's bearer token; a random one when not given (read it from `adminToken`). */
  adminToken?: string;
  /** Where viewers a full room cannot take are sent with a 302 (`--overflow`; {app}, {key}, {format}). */
  overflow?: string;
  /** Where recent events are kept when `logger` already feeds one (the CLI's); else the server keeps its own. */
  events?: EventLog;
}

export const DEFAULT_RTMPS_PORT = 1936;
/** Bytes of randomness in a generated admin token. */
const ADMIN_TOKEN_BYTES = 32;

export { PortInUseError } from './listeners.js';

/**
 * The embedded streaming server: RTMP ingest and play, HTTP-FLV play, the JSON API. Everything it owns hangs off
 * this object, so several can run in one process (tests run them on port 0).
 */
export class KayakServer {
  readonly status: StatusStore;
  readonly hub: ChannelHub;
  private readonly ctx: ServerContext;
  readonly access: AccessGate;
  /** Kick, skip, stop a stream, shut down: what the admin API and the dashboard's keys do. */
  readonly admin: AdminActions & AdminHooks;
  private readonly rtmp: NetServer;
  private readonly rtmps: NetServer | undefined;
  private readonly http: HttpServer;
  /** WebSocket-FLV upgrades on the HTTP server (our own RFC 6455 handling: no library, no TLS or zlib loaded). */
  private readonly wsFlv: WsFlvGateway;
  private readonly sessions = new Set<RtmpSession>();
  private readonly httpSockets = new Set<Socket>();
  private readonly host: string;
  private ports: { rtmp: number; http: number; rtmps?: number; tls?: boolean } = { rtmp: 0, http: 0 };
  private idCounter = 0;
  readonly gate: ConnectionGate;
  /** The push targets of every live stream. */
  readonly relays: Relays;
  private stopTimers: (() => void)[] = [];

  constructor(private readonly options: KayakServerOptions = {}) {
    const clock = options.clock ?? systemClock;
    // Redacted before anything else sees a line: no secret or signed link reaches a log, an event or the dashboard.
    // The dashboard's and /api/events' recent events: the caller's log (which its own logger already feeds), or one
    // of ours that the server's lines go into.
    const events = options.events ?? new EventLog();
    const base = options.events === undefined ? events.tee(options.logger ?? silentLogger) : (options.logger ?? silentLogger);
    const logger = limitPeerLines(redactingLogger(base));
    const app = options.app ?? DEFAULT_APP;
    const fileLimit = options.fileLimit ?? openFileLimit();
    const fitted = fitConnectionCap(options.maxConnections ?? DEFAULT_MAX_CONNECTIONS, fileLimit);
    if (fitted.limitedBy !== undefined) {
      logger.log('warn', `connections capped at ${fitted.cap}: the file-descriptor limit is ${fitted.limitedBy} (raise it with ulimit -n or LimitNOFILE=)`, {
        event: 'connection-cap',
      });
    }
    this.gate = new ConnectionGate(fitted.cap, logger);
    this.relays = new Relays(options.push ?? [], logger);
    this.host = options.host ?? '0.0.0.0';
    this.hub = new ChannelHub({
      graceMs: options.graceMs ?? DEFAULT_GRACE_MS,
      clock,
      onEvent: (event) => {
        logger.log(event.type === 'timestamp-jump' ? 'warn' : 'info', describeHubEvent(event), { event: event.type, stream: event.path });
        if (event.type === 'publish' && !event.resumed) {
          const channel = this.hub.get(event.path);
          if (channel !== undefined) this.relays.attach(channel);
        } else if (event.type === 'end') this.relays.detach(event.path);
        options.onStreamEvent?.(event);
      },
    });
    this.access = new AccessGate({
      config: { ...defaultAccess(), ...options.access },
      clock,
      logger,
      streams: () => this.hub.list().filter((channel) => channel.app === app).map((channel) => ({ key: channel.key, live: channel.state === 'live' })),
      load: (path) => ({ ...this.status.load(), streamBps: this.status.streamBitrate(path) }),
      maxConnections: fitted.cap,
    });
    this.ctx = {
      app,
      hub: this.hub,
      clock,
      logger,
      access: this.access,
      adminToken: options.adminToken ?? randomBytes(ADMIN_TOKEN_BYTES).toString('base64url'),
      ...(options.overflow !== undefined ? { overflow: options.overflow } : {}),
      limits: {
        handshakeTimeoutMs: options.handshakeTimeoutMs ?? DEFAULT_LIMITS.handshakeTimeoutMs,
        idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_LIMITS.idleTimeoutMs,
        messageDeadlineMs: options.messageDeadlineMs ?? DEFAULT_LIMITS.messageDeadlineMs,
        roleDeadlineMs: options.roleDeadlineMs ?? DEFAULT_LIMITS.roleDeadlineMs,
        serverBufferedBytes: options.serverBufferedBytes ?? DEFAULT_LIMITS.serverBufferedBytes,
        viewerBacklogBytes: options.viewerBacklogBytes ?? DEFAULT_LIMITS.viewerBacklogBytes,
        maxConnections: fitted.cap,
        queue: options.queueLimits ?? DEFAULT_QUEUE_LIMITS,
      },
      buffered: new BufferBudget(options.serverBufferedBytes ?? DEFAULT_LIMITS.serverBufferedBytes),
      backlog: new ViewerBacklog(options.viewerBacklogBytes ?? DEFAULT_LIMITS.viewerBacklogBytes),
      joinRests: new JoinRests(logger),
      rtmpReplies: new RtmpReplies(),
      hls: new HlsStreams({ hub: this.hub, clock, logger, options: { ...DEFAULT_HLS_OPTIONS, ...options.hls } }),
      nextId: (prefix) => `${prefix}-${++this.idCounter}`,
    };
    this.status = new StatusStore({
      hub: this.hub,
      clock,
      app,
      ports: () => this.ports,
      connections: () => ({ open: this.gate.open, cap: this.gate.cap, refused: this.gate.refused }),
      backlog: () => ({ bytes: this.ctx.backlog.bytes, limit: this.ctx.backlog.limit }),
      logger,
      events,
      relays: (path) => this.relays.status(path),
      hlsClients: (channel) => this.ctx.hls.clientCount(channel),
      access: () => {
        const status = this.access.status();
        // The total cap is the connection gate's; its refusals are counted there.
        if (this.gate.refused > 0) status.refusals['max-connections'] = this.gate.refused;
        return status;
      },
    });
    this.admin = new ServerAdmin(this.hub, this.access, () => this.sessions, logger);
    this.rtmp = createRtmpServer((socket) => {
      if (this.admitSocket(socket, 'rtmp')) this.startSession(socket, 'rtmp');
    });
    const handshakeMs = this.ctx.limits.handshakeTimeoutMs;
    if (options.tls !== undefined) {
      this.rtmps = createRtmpsServer(options.tls, handshakeMs, (socket) => this.startSession(socket, 'rtmps'));
      this.rtmps.on('connection', (socket: Socket) => this.admitSocket(socket, 'rtmps'));
    }
    const pages = { app, status: this.status, webRoot: findWebRoot(), mpegtsPath: findMpegtsDist(), hlsPath: findHlsDist(), access: this.access };
    this.http = createWebServer(
      {
        headersTimeout: HTTP_HEADERS_TIMEOUT_MS,
        requestTimeout: HTTP_REQUEST_TIMEOUT_MS,
        keepAliveTimeout: HTTP_KEEP_ALIVE_TIMEOUT_MS,
        maxHeaderSize: HTTP_MAX_HEADER_BYTES,
        // Stale or half-open requests are checked for this often (Node's default is 30 s).
        connectionsCheckingInterval: 2_000,
      },
      (req, res) => route(req, res, this.ctx, this.status, pages, this.admin),
      options.tls,
      handshakeMs,
    );
    this.http.maxRequestsPerSocket = HTTP_MAX_REQUESTS_PER_SOCKET;
    this.wsFlv = new WsFlvGateway(this.ctx);
    this.http.on('upgrade', (req, socket: Socket, head: Buffer) => this.wsFlv.handleUpgrade(req, socket, head));
    const admitHttp = (socket: Socket): boolean => {
      if (!this.admitSocket(socket, options.tls === undefined ? 'http' : 'https')) return false;
      this.httpSockets.add(socket);
      socket.once('close', () => this.httpSockets.delete(socket));
      return true;
    };
    // HTTPS admits the TCP connection before its TLS handshake, and the front door reads what comes after it.
    if (options.tls !== undefined) this.http.on('connection', admitHttp);
    installFrontDoor(
      this.http,
      {
        admit: options.tls === undefined ? admitHttp : () => true,
        take: (head, socket) => {
          if (!head.upgrade) return takeFlvGet(head, socket, this.ctx);
          // Every upgrade is the gateway's to answer, as Node's 'upgrade' event hands them all to it.
          this.wsFlv.handleUpgrade({ method: 'GET', url: head.target, httpVersion: head.version, headers: head.headers, socket }, socket, Buffer.alloc(0));
          return true;
        },
        maxHeadBytes: HTTP_MAX_HEADER_BYTES,
        firstByteTimeoutMs: HTTP_HEADERS_TIMEOUT_MS,
        logger,
      },
      options.tls === undefined ? 'connection' : 'secureConnection',
    );
    this.http.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
      const peer = formatAddress(socket.remoteAddress, socket.remotePort);
      logger.log('debug', `http ${peer}: bad request: ${error.code ?? error.message}`, { peer });
      const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
      if (socket.writable && !(socket as Socket & { _httpMessage?: unknown })._httpMessage) {
        socket.end(closingAnswer(status));
      }
      socket.destroySoon();
    });
    // After listen(), an 'error' is a failed accept (EMFILE when other descriptors use up the limit): log it, go on.
    for (const [name, server] of [['rtmp', this.rtmp], ['rtmps', this.rtmps], ['http', this.http]] as const) {
      server?.on('error', (error: NodeJS.ErrnoException) => {
        if (server.listening) logger.log('warn', `${name}: cannot accept a connection: ${describeError(error)}`, { event: 'accept-error', peer: 'accept' });
      });
    }
  }

  get rtmpPort(): number {
    return this.ports.rtmp;
  }

  get httpPort(): number {
    return this.ports.http;
  }

  get rtmpsPort(): number | undefined {
    return this.ports.rtmps;
  }

  get app(): string {
    return this.ctx.app;
  }

  /** The admin API's bearer token (the CLI writes it to the runtime file). */
  get adminToken(): string {
    return this.ctx.adminToken;
  }

  async start(): Promise<void> {
    await this.relays.load();
    this.ports.rtmp = await listen(this.rtmp, this.host, this.options.rtmpPort ?? DEFAULT_RTMP_PORT, 'rtmp');
    try {
      this.ports.http = await listen(this.http, this.host, this.options.httpPort ?? DEFAULT_HTTP_PORT, 'http');
      if (this.rtmps !== undefined) {
        this.ports.rtmps = await listen(this.rtmps, this.host, this.options.rtmpsPort ?? DEFAULT_RTMPS_PORT, 'rtmps');
        this.ports.tls = true;
      }
    } catch (error) {
      await Promise.all([closeServer(this.rtmp), closeServer(this.http)]);
      throw error;
    }
    this.status.start();
    this.stopTimers.push(
      safeInterval('the connection deadline check', DEADLINE_SWEEP_MS, () => {
        const now = this.ctx.clock.monotonic();
        for (const session of this.sessions) session.checkDeadlines(now);
      }, this.ctx.logger),
    );
    this.ctx.logger.log('debug', `listening: rtmp ${this.host}:${this.ports.rtmp}, http ${this.host}:${this.ports.http}`);
  }

  /** Ends every stream cleanly (viewers get an end of stream), closes every connection, stops listening. */
  async stop(): Promise<void> {
    this.status.stop();
    for (const stop of this.stopTimers) stop();
    this.stopTimers = [];
    this.ctx.hls.close();
    this.ctx.joinRests.close();
    this.hub.close('the server is stopping');
    this.relays.close();
    for (const session of this.sessions) session.close();
    const closed = Promise.all([closeServer(this.rtmp), closeServer(this.rtmps), closeServer(this.http)]);
    this.http.closeIdleConnections();
    for (const socket of this.httpSockets) socket.end();
    const forced = setTimeout(() => {
      this.http.closeAllConnections();
      for (const socket of this.httpSockets) socket.destroy();
    }, 1000);
    await closed;
    clearTimeout(forced);
  }

  /**
   * A new TCP connection, before a byte is read: under the server's cap, then under the per-address cap. A refused
   * one is closed at once (nothing can be said before an RTMP handshake or a TLS one).
   */
  private admitSocket(socket: Socket, door: 'rtmp' | 'rtmps' | 'http' | 'https'): boolean {
    if (!this.gate.admit(socket, door === 'https' ? 'http' : door === 'rtmps' ? 'rtmp' : door)) return false;
    const admitted = this.access.admitConnection(socket.remoteAddress, door);
    if (!admitted.allow) {
      socket.destroy();
      return false;
    }
    socket.once('close', admitted.release);
    return true;
  }

  private startSession(socket: Socket, door: 'rtmp' | 'rtmps'): void {
    const session = new RtmpSession(socket, this.ctx, door);
    this.sessions.add(session);
    socket.once('close', () => this.sessions.delete(session));
  }
}
