import { createServer } from 'node:net';

/**
 * A TCP port that was free a moment ago on `host`. Prefer binding the server under test to port 0 and reading the
 * bound port back; use this only where a port must be named up front (CLI flags, a peer server's config).
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`could not read the bound port on ${host}`));
        return;
      }
      server.close((err) => (err ? reject(err) : resolve(address.port)));
    });
  });
}
