/** The first SIGINT or SIGTERM, as the reason an AbortSignal carries. */
export class ShutdownRequested extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`${signal} received`);
    this.name = 'ShutdownRequested';
  }
}

/** Exit code of a process stopped by a signal before it had anything to stop cleanly (128 + SIGINT). */
export const INTERRUPTED_EXIT_CODE = 130;

type SignalSource = Pick<NodeJS.Process, 'on' | 'off' | 'exit'>;

/**
 * SIGINT and SIGTERM, listened to from the first moment of the process (main.ts creates this before anything is
 * printed or written), so a signal never kills kayak-cast by the default action: a server that has written its
 * runtime file always gets to remove it. A command that stops cleanly by itself (serve, schedule) claims the signals;
 * until one does, and for commands that do not, a signal ends the process at once with exit code 130. A second
 * signal while stopping does the same.
 */
export class ShutdownSignals {
  private readonly controller = new AbortController();
  private claimed = false;

  constructor(private readonly source: SignalSource = process) {
    source.on('SIGINT', this.onSignal);
    source.on('SIGTERM', this.onSignal);
  }

  /** Takes the signals over: the returned signal aborts (with ShutdownRequested) on the first one. */
  claim(): AbortSignal {
    this.claimed = true;
    return this.controller.signal;
  }

  /** Stops listening (tests). */
  dispose(): void {
    this.source.off('SIGINT', this.onSignal);
    this.source.off('SIGTERM', this.onSignal);
  }

  private readonly onSignal = (signal: NodeJS.Signals): void => {
    if (!this.claimed || this.controller.signal.aborted) {
      this.source.exit(INTERRUPTED_EXIT_CODE);
      return;
    }
    this.controller.abort(new ShutdownRequested(signal));
  };
}

/** Resolves with the signal's name once `stop` aborts (at once if it already has). */
export function whenStopped(stop: AbortSignal): Promise<NodeJS.Signals> {
  const name = () => (stop.reason instanceof ShutdownRequested ? stop.reason.signal : 'SIGTERM');
  if (stop.aborted) return Promise.resolve(name());
  return new Promise((resolve) => stop.addEventListener('abort', () => resolve(name()), { once: true }));
}
