import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { checkSecret } from '../server/access/access-config.js';
import type { ServerFlags } from './embedded-server.js';

/** The admin token from the environment (a flag would show in `ps`); the config file's `admin-token` is the other way. */
export const ADMIN_TOKEN_ENV = 'KAYAK_ADMIN_TOKEN';

/**
 * The server flags in force: the command line, then the environment (secrets), then `--config`'s file, then the
 * defaults. Also checks the combinations a single flag cannot.
 */
export async function resolveServerFlags<T extends ServerFlags>(options: T, command: Command): Promise<T> {
  const flags: T = { ...options };
  if (options.config !== undefined) {
    const { loadConfigFile } = await import('./config-file.js');
    const { values, worldReadable } = loadConfigFile(options.config);
    for (const [name, value] of Object.entries(values)) {
      const source = command.getOptionValueSource(name);
      if (source !== 'cli' && source !== 'env') (flags as Record<string, unknown>)[name] = value;
    }
    if (worldReadable && (values.publishSecret ?? values.playSecret ?? values.adminToken) !== undefined) {
      console.error(`warning: ${options.config} holds secrets and every user of this machine can read it (chmod 600 ${options.config})`);
    }
  }
  const envToken = process.env[ADMIN_TOKEN_ENV];
  if (envToken !== undefined && envToken !== '') flags.adminToken = checkSecret(envToken);
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) {
    throw new UserError('--tls-cert and --tls-key go together', 'give both the certificate and its private key (PEM files)');
  }
  if (flags.rtmpsPort !== undefined && flags.tlsCert === undefined) {
    throw new UserError('--rtmps-port needs a certificate', 'add --tls-cert and --tls-key');
  }
  return flags;
}
