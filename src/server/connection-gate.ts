import type { Socket } from 'node:net';
import type { Logger } from '../util/logger.js';

/** A refused connection is logged at most this often, with the count since the last line. */
const REFUSAL_LOG_INTERVAL_MS = 10_000;

/**
 * Counts the server's open connections, RTMP and HTTP together, and closes any beyond the cap at once, before a
 * byte is read: a flood of idle connections then costs no more than `cap` file descriptors, and the process never
 * meets EMFILE.
 */
export class ConnectionGate {
  private count = 0;
  /** Connections closed at the door since the server started. */
  refused = 0;
  private refusedSinceLog = 0;
  private loggedAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly cap: number,
    private readonly logger: Logger,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get open(): number {
    return this.count;
  }

  /** Takes `socket` in, or destroys it when the server is full. */
  admit(socket: Socket, what: 'rtmp' | 'http'): boolean {
    if (this.count >= this.cap) {
      this.refused++;
      this.refusedSinceLog++;
      socket.on('error', () => {});
      socket.destroy();
      const t = this.now();
      if (t - this.loggedAt >= REFUSAL_LOG_INTERVAL_MS) {
        this.logger.log('warn', `${what} connection refused: the server is at its cap of ${this.cap} connections (${this.refusedSinceLog} refused since the last such line; --max-connections)`, {
          event: 'connection-cap',
        });
        this.loggedAt = t;
        this.refusedSinceLog = 0;
      }
      return false;
    }
    this.count++;
    socket.once('close', () => this.count--);
    return true;
  }
}
