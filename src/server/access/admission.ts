import { formatBitrate } from '../../status/format.js';
import type { AccessConfig } from './access-config.js';
import { type Refusal, refuse } from './refusals.js';

/** Retry-After for "the room is full": viewers come and go in minutes; the watch page retries this often. */
export const ROOM_FULL_RETRY_AFTER_S = 15;

/** What the server is sending now, for deciding whether one more viewer fits. */
export interface ViewerLoad {
  /** Viewers over all streams and protocols. */
  viewers: number;
  /**
   * Outgoing bits per second already spoken for: the larger of the measured rate and the sum over streams of
   * bitrate × viewers (a viewer who joined a second ago does not show in a 5-second average yet).
   */
  committedBps: number;
  /** The bitrate of the stream the new viewer asks for. */
  streamBps: number;
}

/** Admits a new viewer while the viewer cap and the upload budget allow. */
export function decideAdmission(load: ViewerLoad, config: AccessConfig): { allow: true } | Refusal {
  if (load.viewers >= config.maxViewers) {
    return refuse('max-viewers', `the room is full: ${load.viewers} of ${config.maxViewers} viewers are watching; try again later`, ROOM_FULL_RETRY_AFTER_S);
  }
  if (load.committedBps + load.streamBps > config.maxBandwidthBps) {
    return refuse(
      'max-bandwidth',
      `the room is full: ${formatBitrate(load.committedBps)} of the ${formatBitrate(config.maxBandwidthBps)} upload budget is in use ` +
        `and this stream needs ${formatBitrate(load.streamBps)}; try again later`,
      ROOM_FULL_RETRY_AFTER_S,
    );
  }
  return { allow: true };
}

/** Admits a new connection from `address` while it holds fewer than the per-address cap. */
export function decideConnection(address: string, openFromAddress: number, config: AccessConfig): { allow: true } | Refusal {
  if (openFromAddress < config.maxConnectionsPerIp) return { allow: true };
  return refuse('max-connections-per-ip', `too many connections from ${address} (${config.maxConnectionsPerIp} at most)`, ROOM_FULL_RETRY_AFTER_S);
}
