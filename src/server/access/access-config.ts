import { UserError } from '../../errors.js';
import { LOCAL_PROXY_ADDRESSES, LOOPBACK_NETWORKS, NetworkList } from './networks.js';
import { UNLIMITED } from './rate.js';

/** Connections one address may hold open at once (RTMP, RTMPS, HTTP and HTTPS together) unless configured. */
export const DEFAULT_MAX_CONNECTIONS_PER_IP = 20;
/** Shortest secret we accept: a short one is guessed by trying. */
export const MIN_SECRET_LENGTH = 12;
export const MAX_SECRET_LENGTH = 256;
/** Secrets travel in URLs (stream keys, query strings): only characters that need no escaping anywhere. */
const SECRET_CHARACTERS = /^[A-Za-z0-9._~-]+$/;

/** Who may publish and watch, and how much the server admits. Every field has a safe default (see defaultAccess). */
export interface AccessConfig {
  /** Lets publishers outside `publishAllow` in when they present it. */
  publishSecret: string | undefined;
  /** Makes the show private: every play path needs it or a signed play link. */
  playSecret: string | undefined;
  /** Networks that may publish without the secret (default: loopback). */
  publishAllow: NetworkList;
  /**
   * Peers whose X-Forwarded-For is believed (a reverse proxy on this machine by default). Requests through them are
   * attributed to the forwarded client and are never treated as local callers.
   */
  trustProxy: NetworkList;
  /** Viewers over all streams and protocols; UNLIMITED for no limit. */
  maxViewers: number;
  /** Upload budget in bits per second; UNLIMITED for no limit. */
  maxBandwidthBps: number;
  /** Open connections per client address; UNLIMITED for no limit. */
  maxConnectionsPerIp: number;
}

export function defaultAccess(): AccessConfig {
  return {
    publishSecret: undefined,
    playSecret: undefined,
    publishAllow: NetworkList.of(LOOPBACK_NETWORKS),
    trustProxy: NetworkList.of(LOCAL_PROXY_ADDRESSES),
    maxViewers: UNLIMITED,
    maxBandwidthBps: UNLIMITED,
    maxConnectionsPerIp: DEFAULT_MAX_CONNECTIONS_PER_IP,
  };
}

/** Checks a secret from a flag, the environment or the config file; throws a UserError saying what is wrong. */
export function checkSecret(secret: string): string {
  if (secret.length < MIN_SECRET_LENGTH || secret.length > MAX_SECRET_LENGTH) {
    throw new UserError(`a secret must be ${MIN_SECRET_LENGTH} to ${MAX_SECRET_LENGTH} characters long`, 'make one with `openssl rand -hex 16`');
  }
  if (!SECRET_CHARACTERS.test(secret)) {
    throw new UserError('a secret may hold only letters, digits and - . _ ~ (it travels in URLs)', 'make one with `openssl rand -hex 16`');
  }
  return secret;
}
