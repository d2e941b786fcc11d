import { type Server as HttpServer, type RequestListener, type ServerOptions as HttpServerOptions, createServer as createHttpServer } from 'node:http';
import { createRequire } from 'node:module';
import { type Server as NetServer, type Socket, createServer as createNetServer } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { UserError } from '../errors.js';

/**
 * node:tls and node:https cost about a megabyte of resident memory once loaded: a server without a certificate never
 * loads them (they are required here, synchronously, only when TLS is asked for).
 */
const requireBuiltin = createRequire(import.meta.url);

/** A certificate (chain) and its private key, PEM. */
export interface TlsFiles {
  cert: string | Buffer;
  key: string | Buffer;
}

export type PortName = 'rtmp' | 'rtmps' | 'http';

/** A port we could not listen on; the CLI turns `which` into the flag that changes it. */
export class PortInUseError extends UserError {
  constructor(
    readonly which: PortName,
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
 * The HTTP listener: plain HTTP, or HTTPS with `tls` (the same routes, WebSocket-FLV as wss). `handshakeTimeoutMs`
 * bounds a TLS handshake as the RTMP handshake is bounded.
 */
export function createWebServer(options: HttpServerOptions, handler: RequestListener, tls: TlsFiles | undefined, handshakeTimeoutMs: number): HttpServer {
  if (tls === undefined) return createHttpServer(options, handler);
  const https = requireBuiltin('node:https') as typeof import('node:https');
  return https.createServer({ ...options, ...secureOptions(tls, handshakeTimeoutMs) }, handler) as unknown as HttpServer;
}

/** The RTMPS listener: TLS around the same session code; `onSecure` gets each connection once its handshake is done. */
export function createRtmpsServer(tls: TlsFiles, handshakeTimeoutMs: number, onSecure: (socket: TLSSocket) => void): NetServer {
  const { createServer: createTlsServer } = requireBuiltin('node:tls') as typeof import('node:tls');
  const server = createTlsServer(secureOptions(tls, handshakeTimeoutMs), onSecure);
  // A failed handshake (a plain RTMP client on the RTMPS port, a scanner) costs that connection only.
  server.on('tlsClientError', (_error, socket) => socket.destroy());
  return server;
}

export function createRtmpServer(onSocket: (socket: Socket) => void): NetServer {
  return createNetServer(onSocket);
}

function secureOptions(tls: TlsFiles, handshakeTimeoutMs: number) {
  return { cert: tls.cert, key: tls.key, handshakeTimeout: handshakeTimeoutMs, minVersion: 'TLSv1.2' as const };
}

export function listen(server: NetServer | HttpServer, host: string, port: number, which: PortName): Promise<number> {
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

export function closeServer(server: NetServer | HttpServer | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (server === undefined || !server.listening) return resolve();
    server.close(() => resolve());
  });
}
