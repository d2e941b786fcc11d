import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

/**
 * A loopback TCP relay that records what real clients send: put it between a real peer (ffmpeg publishing, ffprobe or
 * rtmpdump playing) and a server, and each connection's client-to-server bytes are kept as the list of reads the relay
 * saw. Both legs run with TCP_NODELAY and the client writes small messages, so on loopback each read is one write of
 * the client (a handshake packet, a command, a media chunk run): the fuzzer mutates and replays at those boundaries.
 */

/** How long a cut waits between the half write and the reset. */
const CUT_SETTLE_MS = 100;

export interface RecordedSession {
  /** Client-to-server bytes, one Buffer per read (the client's write boundaries). */
  readonly writes: Buffer[];
  /** Server-to-client bytes relayed (counted, not kept). */
  serverBytes: number;
  /** Resolves when both legs have closed. */
  readonly closed: Promise<void>;
  /**
   * Fault injection: the next client write of at least `minBytes` is passed on only in part (its first half), then
   * both legs are reset (RST), so the server sees a message cut off mid-chunk. Resolves once that has happened.
   */
  resetMidWrite(minBytes: number): Promise<void>;
}

export class TcpRecorder {
  readonly sessions: RecordedSession[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Listens on 127.0.0.1 (port 0) and relays each connection to `targetPort`. */
  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpRecorder> {
    let recorder: TcpRecorder | undefined;
    const server = createServer({ noDelay: true }, (client) => recorder?.relay(client, targetHost, targetPort));
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0 }, () => {
        const address = server.address();
        if (address === null || typeof address === 'string') reject(new Error('no port'));
        else resolve(address.port);
      });
    });
    recorder = new TcpRecorder(server, port);
    return recorder;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket, host: string, port: number): void {
    const upstream = connect({ host, port, noDelay: true });
    const writes: Buffer[] = [];
    let closedLegs = 0;
    let done: () => void = () => {};
    let cut: { minBytes: number; done: () => void } | undefined;
    const session: RecordedSession = {
      writes,
      serverBytes: 0,
      closed: new Promise((resolve) => (done = resolve)),
      resetMidWrite: (minBytes) => new Promise((resolve) => (cut = { minBytes, done: resolve })),
    };
    this.sessions.push(session);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => {});
      socket.once('close', () => {
        this.sockets.delete(socket);
        if (++closedLegs === 2) done();
      });
    }
    client.on('data', (data: Buffer) => {
      writes.push(Buffer.from(data));
      if (cut !== undefined && data.length >= cut.minBytes) {
        const armed = cut;
        cut = undefined;
        // The reset waits a moment, so that the server has read the half chunk before the RST discards what is unread.
        upstream.write(data.subarray(0, data.length >> 1), () =>
          setTimeout(() => {
            upstream.resetAndDestroy();
            client.resetAndDestroy();
            armed.done();
          }, CUT_SETTLE_MS),
        );
        return;
      }
      if (!upstream.write(data)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    upstream.on('data', (data: Buffer) => {
      session.serverBytes += data.length;
      if (!client.write(data)) upstream.pause();
    });
    client.on('drain', () => upstream.resume());
    client.once('end', () => upstream.end());
    upstream.once('end', () => client.end());
    // A leg that closes ends the other once its queued bytes are out (an RST from either side is passed on as a close).
    const closeSoon = (socket: Socket) => {
      socket.end();
      setTimeout(() => socket.destroy(), 1_000).unref();
    };
    client.once('close', () => closeSoon(upstream));
    upstream.once('close', () => closeSoon(client));
  }
}
