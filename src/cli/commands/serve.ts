import { LineLogger } from '../line-logger.js';
import { type ServerFlags, launchServer } from '../embedded-server.js';
import { waitForShutdownSignal } from '../shutdown.js';

export type ServeOptions = ServerFlags;

/** `kayak-cast serve`: run the embedded server until Ctrl-C, printing where to publish and what to share. */
export async function serve(options: ServeOptions): Promise<number> {
  const logger = new LineLogger(options.verbose ? 'debug' : 'info');
  const launched = await launchServer(options, logger, { announcePublish: true });
  const signal = await waitForShutdownSignal();
  logger.log('info', `${signal}: stopping, closing viewers and publishers`);
  await launched.stop();
  logger.log('info', 'stopped');
  return 0;
}
