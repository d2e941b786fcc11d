import { ConsoleOutput } from '../console-output.js';
import { type ServerFlags, launchServer } from '../embedded-server.js';
import { type ShutdownSignals, whenStopped } from '../shutdown.js';

export type ServeOptions = ServerFlags;

/**
 * `kayak-cast serve`: run the embedded server until Ctrl-C, SIGTERM (or `q` on the dashboard), showing who watches
 * what. A signal that arrives while the server is starting stops it as soon as it has started: exit 0, nothing left.
 */
export async function serve(options: ServeOptions, shutdown: ShutdownSignals): Promise<number> {
  const stop = shutdown.claim();
  const output = new ConsoleOutput(options);
  const logger = output.logger;
  const launched = await launchServer(options, logger, { announcePublish: true, quiet: output.dashboard || output.json, events: output.events });
  const { admin } = launched.server;
  // `POST /api/shutdown` (the x key of an attached dashboard) stops the server as Ctrl-C does.
  const requested = new Promise<string>((resolve) => admin.onShutdown(() => resolve('stop requested through the admin API')));
  const quit = stop.aborted ? undefined : output.attach(launched.server.status, launched.share, { kick: (id) => void admin.kick(id) });
  const reason = await Promise.race([whenStopped(stop), requested, ...(quit ? [quit] : [])]);
  output.detach();
  logger.log('info', `${reason === 'q' ? 'quit' : reason}: stopping, closing viewers and publishers`);
  await launched.stop();
  logger.log('info', 'stopped');
  return 0;
}
