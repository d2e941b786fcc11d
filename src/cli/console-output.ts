import chalk from 'chalk';
import { EventLog } from '../status/event-log.js';
import type { StatusStore } from '../status/status-store.js';
import type { ShareInfo } from '../ui/dashboard-state.js';
import type { Logger } from '../util/logger.js';
import { redactingLogger } from '../util/redact.js';
import { type DashboardActions, type DashboardHandle, startDashboard, storeReader } from './dashboard.js';
import { JsonLineLogger, LineLogger } from './line-logger.js';
import { startSummary } from './log-summary.js';

export type LogFormat = 'plain' | 'json';

export interface OutputFlags {
  dashboard: boolean;
  verbose: boolean;
  logFormat?: LogFormat;
}

/**
 * Where `serve` and `schedule` report: the live dashboard on a terminal, else plain timestamped lines (or JSON lines)
 * with a summary every 30 s. Either way every info/warn/error line also lands in the event log the dashboard lists.
 */
export class ConsoleOutput {
  readonly events = new EventLog();
  readonly logger: Logger;
  /** True when the dashboard will own the terminal: nothing else may write to stdout meanwhile. */
  readonly dashboard: boolean;
  /** JSON lines: the human banner would break a log collector, so the launcher stays quiet. */
  readonly json: boolean;
  private readonly lines: Logger;
  private active: DashboardHandle | undefined;
  /** Lines are held back from the moment the dashboard is chosen until it is gone: it owns the screen. */
  private linesOff: boolean;
  private stopSummary: (() => void) | undefined;

  constructor(flags: OutputFlags, isTty = process.stdout.isTTY === true) {
    honourNoColor();
    const format = flags.logFormat ?? 'plain';
    const minimum = flags.verbose ? 'debug' : 'info';
    this.lines = format === 'json' ? new JsonLineLogger(minimum) : new LineLogger(minimum);
    // Ink draws nothing but the last frame when CI is set, so CI gets the lines even on a TTY.
    this.dashboard = flags.dashboard && isTty && format === 'plain' && !inCi();
    this.json = format === 'json';
    this.linesOff = this.dashboard;
    // With the dashboard its event list replaces the lines; once it is gone, lines print as usual.
    // Redacted at the root: whatever logs (the server, playout, the launcher's share lines), no secret reaches a line or an event.
    this.logger = redactingLogger(this.events.tee({ log: (level, message, fields) => !this.linesOff && this.lines.log(level, message, fields) }));
  }

  /** Shows the dashboard (or starts the 30 s summary lines). Resolves when the host quits from the dashboard. */
  async attach(store: StatusStore, share: ShareInfo, actions: DashboardActions = {}): Promise<'q'> {
    store.setEventLog(this.events);
    if (!this.dashboard) {
      this.stopSummary = startSummary(() => store.snapshot(), this.lines);
      return new Promise<'q'>(() => {});
    }
    const active = await startDashboard(storeReader(store), share, actions);
    if (!this.linesOff) {
      // Detached while ink was loading (a signal right at start): never show it.
      active.stop();
      return new Promise<'q'>(() => {});
    }
    this.active = active;
    return active.quit;
  }

  /** Gives the terminal back; later log lines print as plain lines again. */
  detach(): void {
    this.stopSummary?.();
    this.stopSummary = undefined;
    const active = this.active;
    this.active = undefined;
    active?.stop();
    this.linesOff = false;
  }
}

/** chalk does not read NO_COLOR itself (https://no-color.org): any non-empty value turns colour off. */
export function honourNoColor(): void {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') chalk.level = 0;
}

/** The variables Ink (through is-in-ci) reads to decide it is running in CI. */
function inCi(): boolean {
  const set = (name: string) => {
    const value = process.env[name];
    return value !== undefined && value !== '0' && value !== 'false';
  };
  return set('CI') || set('CONTINUOUS_INTEGRATION');
}
