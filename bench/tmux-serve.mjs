// `kayak-cast serve` in a tmux window of its own (a real pty, so the dashboard draws as it does for a user), started
// through the bin so the shebang's runtime flags apply. Used by bench/dashboard.mjs (CPU) and the `dashboard` suite
// (memory). The pane's pid is the server's: `env` and the shebang's `env -S` exec into node.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './children.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function waitUntil(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** @param {{ repoDir: string, dashboard: boolean, width?: number, height?: number, label: string }} o */
export async function startServeInTmux({ repoDir, dashboard, width = 120, height = 40, label }) {
  const socket = `kayak-bench-${process.pid}-${label}`;
  const tmux = (...a) => execFileSync('tmux', ['-L', socket, ...a], { encoding: 'utf8' });
  const stateHome = mkdtempSync(join(tmpdir(), 'kayak-bench-state-'));
  const rtmpPort = await freePort();
  const httpPort = await freePort();
  // CI set in the environment would turn the dashboard off (CI terminals are not interactive)
  const command = [
    'exec', 'env', '-u', 'CI', '-u', 'CONTINUOUS_INTEGRATION', `XDG_STATE_HOME=${stateHome}`, join(repoDir, 'bin/kayak-cast.js'), 'serve',
    '--host', '127.0.0.1', '--rtmp-port', String(rtmpPort), '--http-port', String(httpPort), ...(dashboard ? [] : ['--no-dashboard']),
  ].join(' ');
  tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'bench', '-x', String(width), '-y', String(height), command, ';', 'set-option', '-t', 'bench', 'remain-on-exit', 'on');
  const pid = Number(tmux('display-message', '-p', '-t', 'bench', '#{pane_pid}').trim());
  const statusUrl = `http://127.0.0.1:${httpPort}/api/status`;
  const serve = {
    pid,
    rtmpPort,
    httpPort,
    statusUrl,
    screen: () => tmux('capture-pane', '-p', '-t', 'bench'),
    /** Quits as a user does (q with the dashboard, Ctrl-C without); SIGKILL by pid if it does not exit in 10 s. */
    async stop() {
      try {
        tmux('send-keys', '-t', 'bench', dashboard ? 'q' : 'C-c');
        await waitUntil(() => tmux('display-message', '-p', '-t', 'bench', '#{pane_dead}').trim() === '1', 10_000, 'the server to exit');
      } catch (error) {
        console.error(`${label}: ${error.message}; killing pid ${pid}`);
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
      }
      try {
        tmux('kill-server');
      } catch {}
      rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid()}`, socket), { force: true });
      rmSync(stateHome, { recursive: true, force: true });
    },
  };
  try {
    await waitUntil(async () => (await fetch(statusUrl).then((r) => r.ok).catch(() => false)), 15_000, 'the server');
  } catch (err) {
    await serve.stop();
    throw err;
  }
  return serve;
}

/** Waits until /api/status lists stream `key` with video. */
export function waitForStream(serve, key, timeoutMs = 20_000) {
  return waitUntil(async () => {
    const status = await fetch(serve.statusUrl).then((r) => r.json()).catch(() => undefined);
    return status?.streams?.some((s) => s.key === key && s.video);
  }, timeoutMs, `stream ${key}`);
}
