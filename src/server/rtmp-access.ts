import { queryOf, stripQuery } from '../media/stream-key.js';
import type { Amf0Value } from '../protocol/amf0/index.js';
import type { StreamRequest } from './access/access-policy.js';
import { plainAddress } from './access/client-address.js';
import { credentialsFrom } from './access/credentials.js';
import type { RefusalReason } from './access/refusals.js';

/**
 * What an RTMP connection tells the access policy. Encoders carry credentials in the stream key's query (OBS's
 * Stream Key `movie?secret=S`) or in the app's and tcUrl's (`rtmp://host/live?secret=S`), so all three are read.
 */

/** The queries of connect's `app` and `tcUrl`, kept until the connection publishes or plays. */
export function connectQueries(connect: Record<string, Amf0Value> | null, requestedApp: string): string[] {
  const tcUrl = connect?.['tcUrl'];
  return [queryOf(requestedApp), typeof tcUrl === 'string' ? queryOf(tcUrl) : ''];
}

/** A publish or play of stream `name` (the key with any query) on `app`, from `remoteAddress`. */
export function rtmpStreamRequest(app: string, name: string, remoteAddress: string | undefined, queries: readonly string[]): StreamRequest {
  return { app, key: stripQuery(name), address: plainAddress(remoteAddress ?? ''), credentials: credentialsFrom(queryOf(name), ...queries) };
}

/** The NetStream status code of a refusal: a name problem is BadName; credentials, Unauthorized; a full room, Failed. */
export function refusalCode(reason: RefusalReason, what: 'Publish' | 'Play'): string {
  if (reason === 'bad-key' || reason === 'look-alike-key' || reason === 'key-in-use') return `NetStream.${what}.BadName`;
  return what === 'Publish' ? 'NetStream.Publish.Unauthorized' : 'NetStream.Play.Failed';
}
