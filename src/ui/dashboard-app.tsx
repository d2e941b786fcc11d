import { useInput } from 'ink';
import { useState } from 'react';
import type { DashboardState, ShareInfo } from './dashboard-state.js';
import { type DashboardMode, DashboardView } from './dashboard-view.js';
import { usePolled } from './use-polled.js';
import { useTerminalSize } from './use-terminal-size.js';

export interface DashboardAppProps {
  /** Reads the current state off the status store; called at most twice a second. Must be a stable function. */
  read: () => DashboardState;
  share: ShareInfo;
  /** `q` or Ctrl-C. */
  onQuit: () => void;
  /** Present while scheduling: skips to the next item after the host confirms. */
  onSkip?: (() => void) | undefined;
  refreshMs?: number;
  /** Fixed size (tests); otherwise the terminal's, following resizes. */
  size?: { columns: number; rows: number };
}

/** The live dashboard: polls snapshots, follows the terminal's size, handles the keys. */
export function DashboardApp({ read, share, onQuit, onSkip, refreshMs, size }: DashboardAppProps) {
  const state = usePolled(read, refreshMs);
  const terminal = useTerminalSize();
  const [mode, setMode] = useState<DashboardMode>('normal');
  const canSkip = onSkip !== undefined && state.snapshot.schedule !== undefined;
  useInput((input, key) => {
    if ((key.ctrl && input === 'c') || (input === 'q' && mode !== 'confirm-skip')) {
      onQuit();
      return;
    }
    if (mode === 'confirm-skip') {
      if (input === 'y' || input === 'Y') onSkip?.();
      setMode('normal');
      return;
    }
    if (input === '?') setMode(mode === 'help' ? 'normal' : 'help');
    else if (input === 'n' && canSkip) setMode('confirm-skip');
    else if (key.escape) setMode('normal');
  });
  const { columns, rows } = size ?? terminal;
  return <DashboardView state={state} share={share} columns={columns} rows={rows} mode={mode} canSkip={canSkip} />;
}
