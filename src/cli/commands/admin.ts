import { UserError } from '../../errors.js';
import { postAction, resolveEndpoint } from '../admin-client.js';

/** Where the admin commands find the server: this machine's by default (its runtime file holds the token). */
export interface AdminOptions {
  url?: string;
  token?: string;
}

/** `kayak-cast kick <viewer-id>`: disconnects a viewer and bars its address for a while. */
export async function kick(viewerId: string, options: AdminOptions): Promise<number> {
  const answer = await postAction(resolveEndpoint(options), `/api/viewers/${encodeURIComponent(viewerId)}/kick`);
  console.log(`kicked ${viewerId} (${String(answer['address'])}) from ${String(answer['stream'])}`);
  return 0;
}

/** `kayak-cast skip`: the scheduled playout moves on to the next item. */
export async function skip(options: AdminOptions): Promise<number> {
  await postAction(resolveEndpoint(options), '/api/skip');
  console.log('skipped to the next item');
  return 0;
}

/** `kayak-cast stop-stream <app/key>`: ends a stream and disconnects its publisher. */
export async function stopStream(path: string, options: AdminOptions): Promise<number> {
  const match = /^([^/]+)\/([^/]+)$/.exec(path);
  if (match === null) throw new UserError(`'${path}' is not a stream: write it as app/key, e.g. live/movie`);
  await postAction(resolveEndpoint(options), `/api/streams/${encodeURIComponent(match[1] as string)}/${encodeURIComponent(match[2] as string)}/stop`);
  console.log(`stopped ${path}`);
  return 0;
}
