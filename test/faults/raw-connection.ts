import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { TcpTable } from '../helpers/proc.js';

/**
 * Plain TCP connections that a fault test opens in numbers (a flood, a slow-loris, viewers that reset), each watched
 * until it closes. It reads (and counts) what the server sends until told to stop reading.
 */
export class RawConnection {
  closedAt: number | undefined;
  readonly opened = Date.now();
  bytesReceived = 0;
  readonly localPort: number;

  private constructor(
    readonly socket: Socket,
    readonly serverPort: number,
  ) {
    this.localPort = socket.localPort ?? -1;
    socket.on('error', () => {});
    socket.on('data', (d: Buffer) => (this.bytesReceived += d.length));
    socket.once('close', () => (this.closedAt = Date.now()));
  }

  /** Opens a connection; resolves with undefined when the connect itself fails (a refused or reset SYN). */
  static open(port: number): Promise<RawConnection | undefined> {
    return new Promise((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => resolve(new RawConnection(socket, port)));
      socket.once('error', () => resolve(undefined));
    });
  }

  /** Whether the server has let go of it: our side saw the close, or the server no longer holds its end. */
  released(table: TcpTable): boolean {
    return this.closedAt !== undefined || !table.holds(this.serverPort, this.localPort);
  }

  write(bytes: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** Stops reading: what the server sends piles up in the kernel buffers, then in the server's queue for us. */
  stopReading(): void {
    this.socket.pause();
  }

  /** Ends the connection with an RST (socket.resetAndDestroy), as a crashed or unplugged client does. */
  reset(): void {
    if (!this.socket.destroyed) this.socket.resetAndDestroy();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Opens `count` connections to `port`, `parallel` at a time. */
export async function openMany(port: number, count: number, parallel = 50): Promise<RawConnection[]> {
  const opened: RawConnection[] = [];
  for (let i = 0; i < count; i += parallel) {
    const batch = await Promise.all(Array.from({ length: Math.min(parallel, count - i) }, () => RawConnection.open(port)));
    for (const c of batch) if (c !== undefined) opened.push(c);
  }
  return opened;
}
