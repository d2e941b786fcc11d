import type { StatusStore } from '../status/status-store.js';
import type { DashboardState, ShareInfo } from '../ui/dashboard-state.js';
import { flushStdout } from './line-logger.js';

/** More than the tallest terminal shows; the view trims to what fits. */
export const EVENTS_READ = 40;

/**
 * The dashboard is drawn on the terminal's alternate screen (DEC private mode 1049, as htop and less do): it starts on
 * a clear screen with no scrollback, a resize clears it again, and quitting brings back what was printed before. On the
 * main screen a resize or a frame that reached the bottom made Ink erase too few lines and left old lines above.
 */
const ENTER_ALTERNATE_SCREEN = '\x1b[?1049h\x1b[2J\x1b[H';
const LEAVE_ALTERNATE_SCREEN = '\x1b[?1049l';
const CLEAR_SCREEN = '\x1b[2J\x1b[H';

export interface DashboardHandle {
  /** Resolves when the host pressed `q` or Ctrl-C (raw mode: Ctrl-C is a key, not SIGINT). */
  readonly quit: Promise<'q'>;
  /** Unmounts the dashboard and gives the terminal back (cooked mode, cursor shown). */
  stop(): void;
}

/** What the dashboard's keys do besides quitting; each is absent where it cannot be done. */
export interface DashboardActions {
  skip?: () => void;
  kick?: (viewerId: string) => void;
  /** Attached to a server elsewhere: x stops it, and q only leaves the dashboard. */
  stopServer?: () => void;
}

/** The state of an in-process server, read straight off its status store. */
export function storeReader(store: StatusStore): () => DashboardState {
  return () => ({
    snapshot: store.snapshot(),
    history: store.history.series(),
    events: store.events.recent(EVENTS_READ),
    now: Date.now(),
  });
}

type DashboardUi = typeof import('../ui/dashboard-entry.js');

/** The bundle the build makes of ink, react and the dashboard's components; absent when running from src/. */
const DASHBOARD_BUNDLE = '../ui/dashboard-bundle.js';

/**
 * Loads ink, react and the components only now, so plain-line runs never load them. From the build's bundle when it
 * is there (16 MB less RSS than the packages one by one, see scripts/build-dashboard.mjs); otherwise (tests running
 * src/) the packages themselves, in React's production build: the development one costs several times the CPU.
 */
async function loadDashboardUi(): Promise<DashboardUi> {
  try {
    return (await import(DASHBOARD_BUNDLE)) as DashboardUi;
  } catch (error) {
    const missing = error as NodeJS.ErrnoException;
    if (missing.code !== 'ERR_MODULE_NOT_FOUND' || !missing.message.includes('dashboard-bundle.js')) throw error;
    process.env.NODE_ENV ??= 'production';
    return await import('../ui/dashboard-entry.js');
  }
}

/** Renders the live dashboard on stdout from `read()` until stopped. `read` is called about once a second. */
export async function startDashboard(read: () => DashboardState, share: ShareInfo, actions: DashboardActions = {}): Promise<DashboardHandle> {
  const { render, createElement, DashboardApp, REFRESH_MS } = await loadDashboardUi();
  let resolveQuit: (value: 'q') => void = () => {};
  const quit = new Promise<'q'>((resolve) => (resolveQuit = resolve));
  const props = {
    read,
    share,
    onQuit: () => resolveQuit('q'),
    onSkip: actions.skip,
    onKick: actions.kick,
    onStopServer: actions.stopServer,
    refreshMs: REFRESH_MS,
  };
  const stdout = process.stdout;
  flushStdout(); // lines printed before the dashboard stay on the main screen
  stdout.write(ENTER_ALTERNATE_SCREEN);
  const leave = () => stdout.write(LEAVE_ALTERNATE_SCREEN);
  // An exit that skips stop() (a second Ctrl-C, a crash) must still give the terminal back.
  process.once('exit', leave);
  const onResize = () => stdout.write(CLEAR_SCREEN);
  // Before Ink's own listener: the screen is clear when Ink redraws for the new size.
  stdout.prependListener('resize', onResize);
  const instance = render(createElement(DashboardApp, props), { exitOnCtrlC: false, patchConsole: false, maxFps: 2 });
  let stopped = false;
  return {
    quit,
    stop: () => {
      if (stopped) return;
      stopped = true;
      instance.unmount();
      stdout.off('resize', onResize);
      process.off('exit', leave);
      leave();
    },
  };
}
