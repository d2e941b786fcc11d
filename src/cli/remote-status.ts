import type { LoggedEvent } from '../status/event-log.js';
import type { HistorySeries } from '../status/history.js';
import type { StatusSnapshot } from '../status/status-snapshot.js';
import type { DashboardState } from '../ui/dashboard-state.js';
import { type ServerEndpoint, apiRequest, fetchSnapshot, postAction } from './admin-client.js';
import { EVENTS_READ } from './dashboard.js';

/** How often an attached dashboard asks the server (the in-process one redraws as often). */
export const REMOTE_POLL_MS = 1000;

/**
 * The state of a server elsewhere, for an attached dashboard: polls /api/status, /api/history and /api/events in the
 * background and hands out the last answers, so the dashboard's read() never waits. When the server stops answering
 * the last state stays on screen with a notice.
 */
export class RemoteStatus {
  private state: DashboardState;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private notice: string | undefined;
  private noticeUntil = 0;

  private constructor(
    private readonly endpoint: ServerEndpoint,
    first: StatusSnapshot,
  ) {
    this.state = { snapshot: first, history: { bitrateOut: [], viewers: [] }, events: [], now: Date.now() };
  }

  /** Connects (the first status must arrive, else the UserError says why) and starts polling. */
  static async attach(endpoint: ServerEndpoint): Promise<RemoteStatus> {
    const remote = new RemoteStatus(endpoint, await fetchSnapshot(endpoint));
    await remote.poll();
    remote.timer = setInterval(() => void remote.poll(), REMOTE_POLL_MS);
    return remote;
  }

  readonly read = (): DashboardState => {
    const now = Date.now();
    const notice = this.notice !== undefined && now < this.noticeUntil ? this.notice : this.state.notice;
    return { ...this.state, now, ...(notice !== undefined ? { notice } : {}) };
  };

  stop(): void {
    clearInterval(this.timer);
  }

  /** An admin action; its outcome shows as the notice line for a few seconds. */
  act(what: string, path: string): void {
    postAction(this.endpoint, path).then(
      () => this.say(`${what}: done`),
      (error: unknown) => this.say(`${what} failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  private say(notice: string): void {
    this.notice = notice;
    this.noticeUntil = Date.now() + 5_000;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const [snapshot, history, events] = await Promise.all([fetchSnapshot(this.endpoint), this.history(), this.events()]);
      this.state = { snapshot, history, events, now: Date.now() };
    } catch (error) {
      const { notice: _old, ...rest } = this.state;
      this.state = { ...rest, notice: `lost the server at ${this.endpoint.base.origin} (${error instanceof Error ? error.message : String(error)}); retrying` };
    } finally {
      this.polling = false;
    }
  }

  private async history(): Promise<HistorySeries> {
    const answer = await apiRequest(this.endpoint, 'GET', '/api/history');
    return answer.status === 200 ? (JSON.parse(answer.body) as { history: HistorySeries }).history : this.state.history;
  }

  /** Events name addresses: without the admin token a remote caller gets none (403), and the list stays empty. */
  private async events(): Promise<LoggedEvent[]> {
    const answer = await apiRequest(this.endpoint, 'GET', `/api/events?limit=${EVENTS_READ}`);
    return answer.status === 200 ? (JSON.parse(answer.body) as { events: LoggedEvent[] }).events : [];
  }
}
