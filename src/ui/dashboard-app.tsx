import { useInput } from 'ink';
import { useRef, useState } from 'react';
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
  /** Kicks a viewer by id (k, then the viewer's number). */
  onKick?: ((viewerId: string) => void) | undefined;
  /** An attached dashboard: stops the server after the host confirms (x); q only leaves the dashboard. */
  onStopServer?: (() => void) | undefined;
  refreshMs?: number;
  /** Fixed size (tests); otherwise the terminal's, following resizes. */
  size?: { columns: number; rows: number };
}

/** The live dashboard: polls snapshots, follows the terminal's size, handles the keys. */
export function DashboardApp({ read, share, onQuit, onSkip, onKick, onStopServer, refreshMs, size }: DashboardAppProps) {
  const state = usePolled(read, refreshMs);
  const terminal = useTerminalSize();
  const [mode, setModeState] = useState<DashboardMode>('normal');
  // Keys can arrive before React has installed the handler of the last render: the mode is read from a ref, never stale.
  const modeRef = useRef<DashboardMode>('normal');
  const setMode = (next: DashboardMode) => {
    modeRef.current = next;
    setModeState(next);
  };
  const canSkip = onSkip !== undefined && state.snapshot.schedule !== undefined;
  const canKick = onKick !== undefined && state.snapshot.viewers.length > 0;
  useInput((input, key) => {
    const mode = modeRef.current;
    const confirming = mode === 'confirm-skip' || mode === 'confirm-stop';
    if ((key.ctrl && input === 'c') || (input === 'q' && !confirming)) {
      onQuit();
      return;
    }
    if (confirming) {
      if (input === 'y' || input === 'Y') (mode === 'confirm-skip' ? onSkip : onStopServer)?.();
      setMode('normal');
      return;
    }
    if (mode === 'kick') {
      // The viewers are numbered 1-9 on screen, newest first (the snapshot's order).
      const viewer = /^[1-9]$/.test(input) ? state.snapshot.viewers[Number(input) - 1] : undefined;
      if (viewer !== undefined) onKick?.(viewer.id);
      setMode('normal');
      return;
    }
    if (input === '?') setMode(mode === 'help' ? 'normal' : 'help');
    else if (input === 'n' && canSkip) setMode('confirm-skip');
    else if (input === 'k' && canKick) setMode('kick');
    else if (input === 'x' && onStopServer !== undefined) setMode('confirm-stop');
    else if (key.escape) setMode('normal');
  });
  const { columns, rows } = size ?? terminal;
  const keys = { canSkip, canKick: onKick !== undefined, canStop: onStopServer !== undefined };
  return <DashboardView state={state} share={share} columns={columns} rows={rows} mode={mode} {...keys} />;
}
