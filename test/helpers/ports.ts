import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Ports below the system's ephemeral range that freePort picks from (they are never a client's source port). */
const PICK_FROM = 20_000;
const PICK_ATTEMPTS = 50;

/** The low end of the ports the kernel hands out to outgoing connections and to port 0 (Linux; 32768 elsewhere). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > PICK_FROM + 1000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

/**
 * A TCP port that was free a moment ago on `host`. Prefer binding the server under test to port 0 and reading the
 * bound port back; use this only where a port must be named up front (CLI flags, a peer server's config).
 *
 * The port is picked at random below the ephemeral range: a port from that range (what binding port 0 returns) can be
 * taken as the source port of any outgoing connection before the server under test binds it, and the tests make
 * thousands of those (the fuzz run, hundreds of viewers at once).
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const high = ephemeralLow();
  for (let attempt = 0; attempt < PICK_ATTEMPTS; attempt++) {
    const port = PICK_FROM + Math.floor(Math.random() * (high - PICK_FROM));
    if (await bindable(host, port)) return port;
  }
  return bindable(host, 0, true) as Promise<number>;
}

/** Whether `port` can be bound on `host` right now (with `returnPort`, the port bound, for port 0). */
function bindable(host: string, port: number, returnPort = false): Promise<boolean | number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => (returnPort ? reject(error) : resolve(false)));
    server.listen({ host, port, exclusive: true }, () => {
      const address = server.address();
      const bound = address !== null && typeof address !== 'string' ? address.port : 0;
      server.close((err) => {
        if (err !== undefined && returnPort) return reject(err);
        if (returnPort && bound === 0) return reject(new Error(`could not read the bound port on ${host}`));
        resolve(returnPort ? bound : true);
      });
    });
  });
}
