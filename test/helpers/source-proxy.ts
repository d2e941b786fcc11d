import { type Server, type Socket, connect, createServer } from 'node:net';

/**
 * A TCP relay that connects onward from another local address: ffmpeg and GStreamer cannot choose their source
 * address, but behind this relay the server sees them coming from `sourceAddress` (e.g. 127.0.0.2, a loopback address
 * a `--publish-allow 127.0.0.1/32` does not trust). Listens on 127.0.0.1, port 0.
 */
export interface SourceProxy {
  readonly port: number;
  /** rtmp://127.0.0.1:<proxy port><path> */
  url(path: string): string;
  close(): Promise<void>;
}

export async function startSourceProxy(targetPort: number, sourceAddress = '127.0.0.2'): Promise<SourceProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort, localAddress: sourceAddress });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    url: (path) => `rtmp://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
