import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { makeClip, scratchSubdir } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { type HttpFlvViewer, httpFlvView, publishFfmpeg, waitForVideoFrames } from '../helpers/players.js';
import { freePort } from '../helpers/ports.js';
import { stopProcess, trackProcesses, waitFor, waitForOutput } from '../helpers/processes.js';
import { cliEnv, requireBuilt, startCli } from '../helpers/server.js';
import { type TmuxTerminal, cliInTmux } from '../helpers/tmux.js';

/**
 * `kayak-cast dashboard --url ... --token ...` in a real terminal (tmux) attached to a `serve` running as a separate
 * process without a dashboard, as on a VPS: it shows the stream and the viewers, kicks one with k, and q leaves the
 * server running.
 */
describeWithPeers(['tmux', 'ffmpeg'], 'the dashboard attached to a running server (tmux)', () => {
  trackProcesses();
  const viewers: HttpFlvViewer[] = [];
  const TOKEN = 'attach-admin-token-0000';
  let terminal: TmuxTerminal | undefined;

  beforeAll(requireBuilt, 240_000);

  afterEach(() => {
    for (const viewer of viewers) viewer.close();
    terminal?.close();
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
    // The laptop: another state home, so the token comes from --token, not from the server's runtime file.
    terminal = cliInTmux('attach', ['dashboard', '--url', `http://127.0.0.1:${httpPort}`, '--token', TOKEN], { XDG_STATE_HOME: scratchSubdir('xdg-laptop') }, exitFile);
    const { pane, waitForPane } = terminal;

    await waitForPane((text) => /attached\s+127\.0\.0\.1:\d+/.test(text) && /Viewers 2\b/.test(text), 'the stream and two viewers');
    expect(pane()).toContain(`rtmp://127.0.0.1:${rtmpPort}/live/attached`);
    await waitForPane((text) => /live\/attached: live/.test(text), 'the server\'s events (the token lets it read them)');

    terminal.sendKeys('k');
    await waitForPane((text) => text.includes('Kick which viewer?'), 'the kick question');
    terminal.sendKeys('1');
    await waitForPane((text) => /Viewers 1\b/.test(text) && /kick .*: done/.test(text), 'one viewer left after the kick');
    await waitFor(() => viewers.some((v) => v.finish === 'end'), { what: 'a viewer to be kicked' });

    terminal.sendKeys('q');
    const exit = await waitFor(() => (existsSync(exitFile) ? readFileSync(exitFile, 'utf8').trim() : undefined), { timeoutMs: 15_000, what: 'the dashboard to exit' });
    expect(exit, pane()).toBe('0');
    expect(serve.exit, 'the server keeps running').toBeNull();
    expect(serve.output()).toMatch(/kicked viewer/);
    expect(pane()).not.toContain(TOKEN);
    await stopProcess(serve, 'SIGINT');
  }, 120_000);
});
