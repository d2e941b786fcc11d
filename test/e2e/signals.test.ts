import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { scratchPlaylist, scratchSubdir } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { type ManagedProcess, runProcess, stopProcess, trackProcesses, waitFor } from '../helpers/processes.js';
import { cliEnv, requireBuilt, startCli } from '../helpers/server.js';

/**
 * A signal in the first moments of `serve` or `schedule` never kills kayak-cast by the default action: the handlers
 * are in place before anything is printed or written, so the process always stops cleanly (exit 0) and removes its
 * runtime file. Run many times over, with the signal sent at the moments that used to lose the race.
 */
const ROUNDS = 20;

function runtimeFiles(stateHome: string): string[] {
  try {
    return readdirSync(join(stateHome, 'kayak-cast'));
  } catch {
    return [];
  }
}

/** Resolves as soon as `check` holds, polling every millisecond (the race is a few milliseconds wide). */
function soon(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  return waitFor(() => check() || undefined, { timeoutMs, intervalMs: 1, what }).then(() => undefined);
}

async function stopAndCheck(child: ManagedProcess, stateHome: string, moment: string): Promise<void> {
  const exit = await stopProcess(child, 'SIGTERM', 15_000);
  expect(exit, `${moment}\n${child.output()}`).toEqual({ code: 0, signal: null });
  expect(runtimeFiles(stateHome), moment).toEqual([]);
}

function serve(stateHome: string): ManagedProcess {
  // Port 0: the system picks free ports at bind time (a port found free beforehand can be taken by another test's
  // client in between, and a start that fails on it is not what this test is about).
  const args = ['serve', '--host', '127.0.0.1', '--rtmp-port', '0', '--http-port', '0', '--no-dashboard'];
  return startCli(args, { env: cliEnv(stateHome) });
}

describe('signals in the first moments of serve', () => {
  trackProcesses();

  beforeAll(requireBuilt, 240_000);

  it(`SIGTERM right as the runtime file appears (${ROUNDS} times): exit 0, runtime file removed`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const stateHome = scratchSubdir('xdg-state');
      const child = serve(stateHome);
      await soon(() => runtimeFiles(stateHome).length > 0 || child.exit !== null, 20_000, 'the runtime file');
      await stopAndCheck(child, stateHome, `round ${round}: signal as the runtime file appeared`);
    }
  }, 240_000);

  it(`SIGTERM at the first byte of output, and a few milliseconds later (${ROUNDS} times): exit 0, nothing left`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const stateHome = scratchSubdir('xdg-state');
      const child = serve(stateHome);
      await soon(() => child.stdout().length > 0 || child.stderr().length > 0 || child.exit !== null, 20_000, 'the first output');
      if (round % 2 === 1) await new Promise((resolve) => setTimeout(resolve, round));
      await stopAndCheck(child, stateHome, `round ${round}: signal ${round % 2 === 1 ? `${round} ms after` : 'at'} the first output`);
    }
  }, 240_000);
});

describeWithPeers(['ffmpeg'], 'signals in the first moments of schedule', () => {
  trackProcesses();

  beforeAll(requireBuilt, 240_000);

  it('SIGTERM as the show starts (5 times): exit 0, runtime file removed, no ffmpeg left', async () => {
    // A tone no other test uses marks this show's ffmpegs.
    const playlist = scratchPlaylist('signals', ['stream: signals', 'output: { width: 320, height: 240, fps: 25, video_bitrate: 300k }', 'items:', '  - { title: Card, generate: { pattern: testsrc2, seconds: 30, tone: 1234 } }']);
    for (let round = 0; round < 5; round++) {
      const stateHome = scratchSubdir('xdg-state');
      const args = ['schedule', playlist, '--at', 'now', '--host', '127.0.0.1', '--rtmp-port', '0', '--http-port', '0', '--no-dashboard'];
      const child = startCli(args, { env: cliEnv(stateHome) });
      await soon(() => runtimeFiles(stateHome).length > 0 || child.exit !== null, 30_000, 'the runtime file');
      await stopAndCheck(child, stateHome, `schedule round ${round}`);
      expect(existsSync(join(stateHome, 'kayak-cast'))).toBe(true);
    }
    const left = await runProcess('pgrep', ['-f', 'sine=frequency=1234'], { timeoutMs: 5_000 });
    expect(left.stdout.trim()).toBe('');
  }, 180_000);
});
