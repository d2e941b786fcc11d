import type { LoggedEvent } from '../status/event-log.js';
import type { HistorySeries } from '../status/history.js';
import type { StatusSnapshot } from '../status/status-snapshot.js';

/** Everything one frame of the dashboard shows: read from the status store, never from live objects. */
export interface DashboardState {
  snapshot: StatusSnapshot;
  history: HistorySeries;
  events: LoggedEvent[];
  /** Epoch ms the state was read at. */
  now: number;
  /** A line about the dashboard itself (an attached dashboard that lost its server, an action that failed). */
  notice?: string;
}

export interface ShareInfo {
  /** Where a publisher sends a stream, with `<key>` for the stream key. */
  publishUrl: string;
  /** The URLs to share for one stream path (`app/key`). */
  streamUrls(path: string): { rtmp: string; flv: string; hls?: string; watch?: string };
}
