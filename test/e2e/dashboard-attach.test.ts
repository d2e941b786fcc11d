import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { makeClip, scratchSubdir } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { type HttpFlvViewer, httpFlvView, publishFfmpeg, waitForVideoFrames } from '../helpers/players.js';
import { freePort } from '../helpers/ports.js';
import { stopProcess, trackProcesses, waitFor, waitForOutput } from '../helpers/processes.js';
import { CLI_BIN, REPO_ROOT, cliEnv, requireBuilt, startCli } from '../helpers/server.js';

/**
 * `kayak-cast dashboard --url ... --token ...` in a real terminal (tmux) attached to a `serve` running as a separate
 * process without a dashboard, as on a VPS: it shows the stream and the viewers, kicks one with k, and q leaves the
 * server running.
 */
describeWithPeers(['tmux', 'ffmpeg'], 'the dashboard attached to a running server (tmux)', () => {
  trackProcesses();
  const socket = `kayak-attach-${process.pid}-${Date.now()}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', env: cliEnv() });
  const viewers: HttpFlvViewer[] = [];
  const TOKEN = 'attach-admin-token-0000';

  beforeAll(requireBuilt, 240_000);

  afterEach(() => {
    for (const viewer of viewers) viewer.close();
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
    rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket), { force: true });
  });

  it('shows the stream and its viewers, kicks one with k, and q leaves the server running', async () => {
    const clip = await makeClip({ seconds: 10, width: 320, height: 240, fps: 25 });
    const [rtmpPort, httpPort] = await Promise.all([freePort(), freePort()]);
    // The server, as a service would run it: its own state home (so the dashboard cannot read its runtime file).
    const serve = startCli(['serve', '--host', '127.0.0.1', '--rtmp-port', String(rtmpPort), '--http-port', String(httpPort), '--no-dashboard'], {
      env: { ...cliEnv(scratchSubdir('xdg-server')), KAYAK_ADMIN_TOKEN: TOKEN },
    });
    await waitForOutput(serve, /kayak-cast is serving/, 20_000);
    publishFfmpeg(`rtmp://127.0.0.1:${rtmpPort}/live/attached`, clip, { loop: true });
    await waitForOutput(serve, /live\/attached: live/, 20_000);
    for (let i = 0; i < 2; i++) viewers.push(httpFlvView(`http://127.0.0.1:${httpPort}/live/attached.flv`));
    await Promise.all(viewers.map((viewer) => waitForVideoFrames(viewer, 5)));

    const exitFile = join(scratchSubdir('attach'), 'exit-code');
    const command = [
      'env', '-u', 'CI', '-u', 'CONTINUOUS_INTEGRATION', `XDG_STATE_HOME=${scratchSubdir('xdg-laptop')}`, 'NO_COLOR=1',
      process.execPath, CLI_BIN, 'dashboard', '--url', `http://127.0.0.1:${httpPort}`, '--token', TOKEN,
      ';', 'echo', '$?', '>', exitFile,
    ].join(' ');
    tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'attach', '-x', '100', '-y', '30', '-c', REPO_ROOT, command, ';', 'set-option', '-t', 'attach', 'remain-on-exit', 'on');
    const pane = () => tmux('capture-pane', '-p', '-t', 'attach');
    const waitForPane = (check: (text: string) => boolean, what: string) =>
      waitFor(() => (check(pane()) ? true : undefined), { timeoutMs: 20_000, intervalMs: 250, what }).catch((error: unknown) => {
        throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- pane ---\n${pane()}\n--- serve ---\n${serve.output()}`);
      });

    await waitForPane((text) => /attached\s+127\.0\.0\.1:\d+/.test(text) && /Viewers 2\b/.test(text), 'the stream and two viewers');
    expect(pane()).toContain(`rtmp://127.0.0.1:${rtmpPort}/live/attached`);
    await waitForPane((text) => /live\/attached: live/.test(text), 'the server\'s events (the token lets it read them)');

    tmux('send-keys', '-t', 'attach', 'k');
    await waitForPane((text) => text.includes('Kick which viewer?'), 'the kick question');
    tmux('send-keys', '-t', 'attach', '1');
    await waitForPane((text) => /Viewers 1\b/.test(text) && /kick .*: done/.test(text), 'one viewer left after the kick');
    await waitFor(() => viewers.some((v) => v.finish === 'end'), { what: 'a viewer to be kicked' });

    tmux('send-keys', '-t', 'attach', 'q');
    const exit = await waitFor(() => (existsSync(exitFile) ? readFileSync(exitFile, 'utf8').trim() : undefined), { timeoutMs: 15_000, what: 'the dashboard to exit' });
    expect(exit, pane()).toBe('0');
    expect(serve.exit, 'the server keeps running').toBeNull();
    expect(serve.output()).toMatch(/kicked viewer/);
    expect(pane()).not.toContain(TOKEN);
    await stopProcess(serve, 'SIGINT');
  }, 120_000);
});
