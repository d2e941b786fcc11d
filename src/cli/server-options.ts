import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UserError } from '../errors.js';
import type { AccessConfig } from '../server/access/access-config.js';
import { DEFAULT_RTMPS_PORT, type KayakServerOptions } from '../server/kayak-server.js';
import type { TlsFiles } from '../server/listeners.js';
import { parsePushSpec } from '../server/relay/push-spec.js';
import type { ServerFlags } from './embedded-server.js';

/** The access settings the flags set; unset ones keep the server's defaults. */
export function accessFromFlags(flags: ServerFlags): Partial<AccessConfig> {
  const access: Partial<AccessConfig> = {};
  if (flags.publishSecret !== undefined) access.publishSecret = flags.publishSecret;
  if (flags.playSecret !== undefined) access.playSecret = flags.playSecret;
  if (flags.publishAllow !== undefined) access.publishAllow = flags.publishAllow;
  if (flags.trustProxy !== undefined) access.trustProxy = flags.trustProxy;
  if (flags.maxViewers !== undefined) access.maxViewers = flags.maxViewers;
  if (flags.maxBandwidth !== undefined) access.maxBandwidthBps = flags.maxBandwidth;
  if (flags.maxConnectionsPerIp !== undefined) access.maxConnectionsPerIp = flags.maxConnectionsPerIp;
  return access;
}

export interface TlsSetup {
  files: TlsFiles;
  rtmpsPort: number;
  /** SHA-256 fingerprint of the certificate: local clients pin it (the runtime file carries it). */
  fingerprint: string;
}

/** Reads --tls-cert and --tls-key; a file that cannot be read or is not PEM is the user's to fix. */
export function tlsFromFlags(flags: ServerFlags): TlsSetup | undefined {
  if (flags.tlsCert === undefined || flags.tlsKey === undefined) return undefined;
  const cert = readPem(flags.tlsCert, '--tls-cert');
  const key = readPem(flags.tlsKey, '--tls-key');
  let fingerprint: string;
  try {
    fingerprint = new X509Certificate(cert).fingerprint256;
  } catch (error) {
    throw new UserError(`${flags.tlsCert} is not a PEM certificate: ${error instanceof Error ? error.message : String(error)}`, 'pass the certificate (fullchain.pem) to --tls-cert');
  }
  return { files: { cert, key }, rtmpsPort: flags.rtmpsPort ?? DEFAULT_RTMPS_PORT, fingerprint };
}

function readPem(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`cannot read ${flag} ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code ?? error)}`);
  }
}

/** What the embedded server is built from, flags aside from the output ones. */
export function serverOptions(flags: ServerFlags, tls: TlsSetup | undefined): KayakServerOptions {
  return {
    host: flags.host,
    rtmpPort: flags.rtmpPort,
    httpPort: flags.httpPort,
    app: flags.app,
    graceMs: flags.grace * 1000,
    ...(flags.maxConnections !== undefined ? { maxConnections: flags.maxConnections } : {}),
    push: (flags.push ?? []).map(parsePushSpec),
    ...(flags.overflow !== undefined ? { overflow: flags.overflow } : {}),
    access: accessFromFlags(flags),
    ...(flags.adminToken !== undefined ? { adminToken: flags.adminToken } : {}),
    ...(tls !== undefined ? { tls: tls.files, rtmpsPort: tls.rtmpsPort } : {}),
  };
}
