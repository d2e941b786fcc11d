import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { INTERRUPTED_EXIT_CODE, ShutdownRequested, ShutdownSignals, whenStopped } from '../../../src/cli/shutdown.js';

/** A process stand-in: signals are events, exit is recorded. */
function fakeProcess() {
  const emitter = new EventEmitter();
  const exits: number[] = [];
  const source = Object.assign(emitter, { exit: (code?: number) => void exits.push(code ?? 0) }) as unknown as Pick<NodeJS.Process, 'on' | 'off' | 'exit'>;
  return { source, exits, send: (signal: NodeJS.Signals) => emitter.emit(signal, signal) };
}

describe('ShutdownSignals', () => {
  it('before a command claims the signals, one ends the process with 130 (nothing was started)', () => {
    const p = fakeProcess();
    new ShutdownSignals(p.source);
    p.send('SIGTERM');
    expect(p.exits).toEqual([INTERRUPTED_EXIT_CODE]);
  });

  it('once claimed, the first signal aborts (the command stops cleanly), a second one exits with 130', async () => {
    const p = fakeProcess();
    const shutdown = new ShutdownSignals(p.source);
    const stop = shutdown.claim();
    const stopped = whenStopped(stop);
    p.send('SIGTERM');
    expect(stop.aborted).toBe(true);
    expect(stop.reason).toBeInstanceOf(ShutdownRequested);
    expect(await stopped).toBe('SIGTERM');
    expect(p.exits).toEqual([]);
    p.send('SIGINT');
    expect(p.exits).toEqual([INTERRUPTED_EXIT_CODE]);
    shutdown.dispose();
  });

  it('a signal that came before the command looked is still seen', async () => {
    const p = fakeProcess();
    const shutdown = new ShutdownSignals(p.source);
    const stop = shutdown.claim();
    p.send('SIGINT');
    expect(await whenStopped(stop)).toBe('SIGINT');
  });
});
