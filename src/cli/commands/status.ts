import { type ServerEndpoint, fetchSnapshot, resolveEndpoint } from '../admin-client.js';
import { renderStatus } from '../status-table.js';

export { EXIT_NO_SERVER } from '../admin-client.js';

export interface StatusOptions {
  url?: string;
  token?: string;
  json: boolean;
}

/** `kayak-cast status`: asks a running server what it is doing. */
export async function status(options: StatusOptions): Promise<number> {
  const endpoint: ServerEndpoint = resolveEndpoint(options);
  const snapshot = await fetchSnapshot(endpoint);
  console.log(options.json ? JSON.stringify(snapshot, null, 2) : renderStatus(snapshot));
  return 0;
}
