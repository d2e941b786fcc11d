import type { StatusStore } from '../status/status-store.js';
import type { DashboardState, ShareInfo } from '../ui/dashboard-state.js';

/** More than the tallest terminal shows; the view trims to what fits. */
const EVENTS_READ = 40;

export interface DashboardHandle {
  /** Resolves when the host pressed `q` or Ctrl-C (raw mode: Ctrl-C is a key, not SIGINT). */
  readonly quit: Promise<'q'>;
  /** Unmounts the dashboard and gives the terminal back (cooked mode, cursor shown). */
  stop(): void;
}

/** Renders the live dashboard on stdout from the store's snapshots until stopped. */
export async function startDashboard(store: StatusStore, share: ShareInfo, onSkip?: () => void): Promise<DashboardHandle> {
  // React's development build costs several times the CPU of the production one; it is chosen when react loads,
  // so ink, react and the components are imported only now (plain-line runs never load them at all).
  process.env.NODE_ENV ??= 'production';
  const [{ render }, { createElement }, { DashboardApp }, { REFRESH_MS }] = await Promise.all([
    import('ink'),
    import('react'),
    import('../ui/dashboard-app.js'),
    import('../ui/use-polled.js'),
  ]);
  let resolveQuit: (value: 'q') => void = () => {};
  const quit = new Promise<'q'>((resolve) => (resolveQuit = resolve));
  const read = (): DashboardState => ({
    snapshot: store.snapshot(),
    history: store.history.series(),
    events: store.events.recent(EVENTS_READ),
    now: Date.now(),
  });
  const instance = render(createElement(DashboardApp, { read, share, onQuit: () => resolveQuit('q'), onSkip, refreshMs: REFRESH_MS }), {
    exitOnCtrlC: false,
    patchConsole: false,
    maxFps: 2,
  });
  let stopped = false;
  return {
    quit,
    stop: () => {
      if (stopped) return;
      stopped = true;
      instance.unmount();
    },
  };
}
