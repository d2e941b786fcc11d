import { connect } from 'node:net';
import type { Socket } from 'node:net';

/**
 * One hostile connection: connect, send the planned writes one `write` each (respecting backpressure), then end it
 * one of three ways, and watch what the server does. `fin` half-closes, `rst` resets (socket.resetAndDestroy), and
 * `linger` keeps the socket open and silent: the server must then close it by one of its own deadlines, unless the
 * input happened to make a valid publisher or viewer, which a server rightly keeps.
 */

export type Ending = 'fin' | 'linger' | 'rst';

export interface Attack {
  id: number;
  port: number;
  writes: readonly Buffer[];
  ending: Ending;
  /** false: never read a byte (a stalled client), so everything the server sends piles up against it. */
  read: boolean;
}

export type Outcome =
  /** The server closed it (during the writes or after). */
  | 'closed-by-server'
  /** We reset it (the rst ending). */
  | 'reset-by-client'
  /** Still open at the deadline, but the server lists it as a publisher or viewer: a session, not a bad connection. */
  | 'became-session'
  /** Still open at the deadline and not a session: the server held a bad connection. A failure. */
  | 'held-open'
  /** Still open when the run stopped watching, before its deadline (the bounded run is shorter than the deadlines). */
  | 'unjudged'
  /** The server refused the connection (at its connection cap, say). */
  | 'refused';

export interface AttackResult {
  id: number;
  outcome: Outcome;
  localPort: number;
  bytesSent: number;
  bytesReceived: number;
  /** From the last write (or the server's close, if earlier) to the close, in ms. */
  closeMs: number | undefined;
}

export interface AttackOptions {
  /** How long after the writes the server has to close the connection, for each ending, reading or not. */
  deadlineMs: (ending: Ending, reads: boolean) => number;
  /** Stop watching at this time (Date.now() ms), judged or not. */
  judgeBy: () => number;
  /** Whether the server lists 127.0.0.1:<localPort> as a publisher or viewer right now. */
  isSession: (localPort: number) => Promise<boolean>;
  /**
   * Whether the server process still holds our connection (see TcpTable): a client that does not read never
   * sees the server's FIN behind the unread bytes, so the close is seen from the server's side.
   */
  serverHolds: (localPort: number) => boolean;
  /** A write the server does not take for this long ends the sending (it stopped reading us). */
  stallMs?: number;
}

const DEFAULT_STALL_MS = 2_000;
/** How often a lingering connection is looked up on the server's side. */
const POLL_MS = 250;

export interface StartedAttack {
  /** Resolves once the writes are out (or the server stopped taking them): the sender may start the next case. */
  sent: Promise<void>;
  /** Resolves with what the server did, once the connection is closed or judged. */
  result: Promise<AttackResult>;
}

export function startAttack(attack: Attack, options: AttackOptions): StartedAttack {
  let markSent: () => void = () => {};
  const sent = new Promise<void>((resolve) => (markSent = resolve));
  const result = runAttack(attack, options, markSent).finally(markSent);
  return { sent, result };
}

async function runAttack(attack: Attack, options: AttackOptions, markSent: () => void): Promise<AttackResult> {
  let socket: Socket;
  try {
    socket = await open(attack.port);
  } catch {
    return { id: attack.id, outcome: 'refused', localPort: -1, bytesSent: 0, bytesReceived: 0, closeMs: undefined };
  }
  const localPort = socket.localPort ?? -1;
  let bytesReceived = 0;
  let closedAt: number | undefined;
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closedAt = Date.now();
      resolve();
    }),
  );
  socket.on('error', () => {});
  if (attack.read) socket.on('data', (d: Buffer) => (bytesReceived += d.length));
  else socket.pause();

  let bytesSent = 0;
  for (const write of attack.writes) {
    if (closedAt !== undefined || socket.destroyed) break;
    bytesSent += write.length;
    if (!socket.write(write)) {
      const drained = await Promise.race([
        new Promise<boolean>((resolve) => socket.once('drain', () => resolve(true))),
        closed.then(() => false),
        sleep(options.stallMs ?? DEFAULT_STALL_MS).then(() => false),
      ]);
      if (!drained) break;
    }
  }
  markSent();
  const sentAt = Date.now();
  const result = (outcome: Outcome): AttackResult => ({
    id: attack.id,
    outcome,
    localPort,
    bytesSent,
    bytesReceived,
    closeMs: closedAt === undefined || outcome !== 'closed-by-server' ? undefined : Math.max(0, closedAt - sentAt),
  });
  if (closedAt !== undefined) return result('closed-by-server');
  if (attack.ending === 'rst') {
    socket.resetAndDestroy();
    await closed;
    return result('reset-by-client');
  }
  if (attack.ending === 'fin') socket.end();
  const deadline = sentAt + options.deadlineMs(attack.ending, attack.read);
  while (closedAt === undefined && Date.now() < deadline && Date.now() < options.judgeBy()) {
    await Promise.race([closed, sleep(POLL_MS)]);
    if (closedAt === undefined && !options.serverHolds(localPort)) closedAt = Date.now();
  }
  if (closedAt !== undefined) {
    socket.destroy();
    return result('closed-by-server');
  }
  const session = await options.isSession(localPort).catch(() => false);
  socket.resetAndDestroy();
  await closed;
  return result(session ? 'became-session' : Date.now() < deadline ? 'unjudged' : 'held-open');
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
