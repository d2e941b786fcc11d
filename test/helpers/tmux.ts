import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './processes.js';
import { CLI_BIN, REPO_ROOT, cliEnv } from './server.js';

/**
 * A private tmux server (its own socket) running one command in a window of a fixed size: a user's terminal for the
 * dashboard tests. `close()` kills that server, never anyone else's.
 */
export interface TmuxTerminal {
  /** The window's text now. */
  pane(): string;
  /** Waits until `check` holds for the window's text; the error shows the window. */
  waitForPane(check: (text: string) => boolean, what: string, timeoutMs?: number): Promise<true>;
  sendKeys(keys: string): void;
  close(): void;
}

/**
 * Runs `kayak-cast <args>` in a 100x30 window. Without CI set (a tmux pane is a user's terminal), Ink draws live frames
 * (under CI it draws only the last). The shell around it writes the exit status to `exitFile`: tmux does not always reap
 * a pane's process promptly, so its pane_dead_status can stay empty.
 */
export function cliInTmux(name: string, args: readonly string[], env: { XDG_STATE_HOME: string }, exitFile: string): TmuxTerminal {
  const socket = `kayak-${name}-${process.pid}-${Date.now()}`;
  const tmux = (...a: string[]) => execFileSync('tmux', ['-L', socket, ...a], { encoding: 'utf8', env: cliEnv() });
  const command = [
    'env', '-u', 'CI', '-u', 'CONTINUOUS_INTEGRATION', `XDG_STATE_HOME=${env.XDG_STATE_HOME}`, 'NO_COLOR=1',
    process.execPath, CLI_BIN, ...args,
    ';', 'echo', '$?', '>', exitFile,
  ].join(' ');
  tmux('-f', '/dev/null', 'new-session', '-d', '-s', name, '-x', '100', '-y', '30', '-c', REPO_ROOT, command, ';', 'set-option', '-t', name, 'remain-on-exit', 'on');
  const pane = () => tmux('capture-pane', '-p', '-t', name);
  return {
    pane,
    waitForPane: (check, what, timeoutMs = 20_000) =>
      waitFor(() => (check(pane()) ? (true as const) : undefined), { timeoutMs, intervalMs: 250, what }).catch((error: unknown) => {
        throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- pane ---\n${pane()}`);
      }),
    sendKeys: (keys) => void tmux('send-keys', '-t', name, keys),
    close: () => {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
      // A killed tmux server leaves its socket file behind.
      rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket), { force: true });
    },
  };
}
