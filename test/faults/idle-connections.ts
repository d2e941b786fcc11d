import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { TcpTable } from '../helpers/proc.js';

/** Plain TCP connections that a fault test opens in numbers (a flood, a slow-loris), each watched until it closes. */
export class IdleConnection {
  closedAt: number | undefined;
  readonly opened = Date.now();
  readonly localPort: number;

  private constructor(
    readonly socket: Socket,
    readonly serverPort: number,
  ) {
    this.localPort = socket.localPort ?? -1;
    socket.on('error', () => {});
    socket.on('data', () => {});
    socket.once('close', () => (this.closedAt = Date.now()));
  }

  /** Opens a connection; resolves with undefined when the connect itself fails (a refused or reset SYN). */
  static open(port: number): Promise<IdleConnection | undefined> {
    return new Promise((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => resolve(new IdleConnection(socket, port)));
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

  destroy(): void {
    this.socket.destroy();
  }
}

/** Opens `count` connections to `port`, `parallel` at a time. */
export async function openMany(port: number, count: number, parallel = 50): Promise<IdleConnection[]> {
  const opened: IdleConnection[] = [];
  for (let i = 0; i < count; i += parallel) {
    const batch = await Promise.all(Array.from({ length: Math.min(parallel, count - i) }, () => IdleConnection.open(port)));
    for (const c of batch) if (c !== undefined) opened.push(c);
  }
  return opened;
}
