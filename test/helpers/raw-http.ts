import { connect } from 'node:net';
import { connect as connectTls } from 'node:tls';

export interface RawAnswer {
  /** The answer's head lines. */
  head: string[];
  /** The body's first bytes (`bodyBytes` of them). */
  body: Buffer;
  /** Whether the server closed the connection within the wait. */
  closed: boolean;
}

/**
 * Talks HTTP over a raw socket, the way no client library would: `parts` are written 100 ms apart (a request head
 * split over several reads when there are more than one), then `after`, if any, as soon as the answer starts. After
 * `ms` the connection is dropped and the answer read. With `tls`, the same inside a TLS connection.
 */
export function rawExchange(port: number, parts: string[], options: { after?: string; ms?: number; bodyBytes?: number; tls?: boolean } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    // TLS: any certificate (the tests' are self-signed); the parts start once the handshake is done.
    const socket = options.tls === true ? connectTls({ port, host: '127.0.0.1', rejectUnauthorized: false }) : connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closed = false;
    let sentAfter = false;
    socket.on('error', reject);
    socket.on('close', () => (closed = true));
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      if (options.after !== undefined && !sentAfter) {
        sentAfter = true;
        socket.write(options.after);
      }
    });
    socket.on(options.tls === true ? 'secureConnect' : 'connect', async () => {
      for (const [i, part] of parts.entries()) {
        if (i > 0) await new Promise((r) => setTimeout(r, 100));
        socket.write(part);
      }
    });
    setTimeout(() => {
      socket.destroy();
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      const head = all.subarray(0, end).toString('latin1').split('\r\n');
      resolve({ head, body: all.subarray(end + 4, end + 4 + (options.bodyBytes ?? 16)), closed });
    }, options.ms ?? 1_500);
  });
}
