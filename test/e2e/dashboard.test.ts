import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { makeClip, scratchSubdir } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { type HttpFlvViewer, httpFlvView, publishFfmpeg, waitForVideoFrames } from '../helpers/players.js';
import { freePort } from '../helpers/ports.js';
import { trackProcesses, waitFor } from '../helpers/processes.js';
import { requireBuilt } from '../helpers/server.js';
import { type TmuxTerminal, cliInTmux } from '../helpers/tmux.js';

/**
 * The dashboard in a real terminal: tmux runs `kayak-cast serve` in a 100x30 window, ffmpeg publishes, two HTTP-FLV
 * viewers connect, and the captured pane is read the way the host reads the screen.
 */
describeWithPeers(['tmux', 'ffmpeg'], 'the live dashboard in a real terminal (tmux)', () => {
  trackProcesses();
  const viewers: HttpFlvViewer[] = [];
  let terminal: TmuxTerminal | undefined;

  beforeAll(requireBuilt, 240_000);

  afterEach(() => {
    for (const viewer of viewers) viewer.close();
    terminal?.close();
  });

  it('shows the stream, two viewers, a bitrate and the memory; then one viewer; q exits 0 leaving nothing behind', async () => {
    const clip = await makeClip({ seconds: 10, width: 320, height: 240, fps: 25 });
    const rtmpPort = await freePort();
    const httpPort = await freePort();
    const stateHome = scratchSubdir('xdg-state');
    const exitFile = join(stateHome, 'exit-code');
    terminal = cliInTmux('dash', ['serve', '--host', '127.0.0.1', '--rtmp-port', String(rtmpPort), '--http-port', String(httpPort)], { XDG_STATE_HOME: stateHome }, exitFile);
    const { pane, waitForPane } = terminal;
    // The server's pid, from the runtime file it leaves for `kayak-cast status`.
    const pid = await waitFor(() => {
      const file = readdirSync(join(stateHome, 'kayak-cast')).find((name) => name.startsWith('server-'));
      return file === undefined ? undefined : Number(JSON.parse(readFileSync(join(stateHome, 'kayak-cast', file), 'utf8')).pid);
    }, { timeoutMs: 20_000, what: 'the runtime file' });
    expect(pid).toBeGreaterThan(0);

    await waitForPane((text) => text.includes('kayak-cast') && text.includes('no streams yet'), 'the dashboard');
    publishFfmpeg(`rtmp://127.0.0.1:${rtmpPort}/live/e2e-dash`, clip, { loop: true });
    await waitForPane((text) => text.includes('e2e-dash'), 'the stream key');
    for (let i = 0; i < 2; i++) viewers.push(httpFlvView(`http://127.0.0.1:${httpPort}/live/e2e-dash.flv`));
    await Promise.all(viewers.map((viewer) => waitForVideoFrames(viewer, 5)));

    await waitForPane(
      (text) => /Viewers 2\b/.test(text) && /out 60s\s.*\d+(\.\d+)? (kb|Mb)\/s/.test(text) && !/out 60s\s.*\s0 b\/s/.test(text),
      'viewer count 2 and an outgoing bitrate',
    );
    const screen = pane();
    expect(screen).toMatch(/RSS \d+(\.\d+)? MiB/);
    expect(screen).toMatch(/heap \d+(\.\d+)? MiB/);
    expect(screen).toMatch(/e2e-dash\s+127\.0\.0\.1:\d+\s+(h264|H\.264) 320x240/);
    expect(screen).toContain(`rtmp://127.0.0.1:${rtmpPort}/live/e2e-dash`);
    expect(screen).toContain(`http://127.0.0.1:${httpPort}/live/e2e-dash.flv`);
    for (const line of screen.split('\n')) expect(line.length).toBeLessThanOrEqual(100);

    viewers[0]?.close();
    await waitForPane((text) => /Viewers 1\b/.test(text) && /stopped playing/.test(text), 'viewer count 1 after a viewer left');

    terminal.sendKeys('q');
    const exit = await waitFor(() => (existsSync(exitFile) ? readFileSync(exitFile, 'utf8').trim() : undefined), {
      timeoutMs: 15_000,
      what: 'the server to exit after q',
    }).catch((error: unknown) => {
      throw new Error(`${String(error)}; pid ${pid} ${procState(pid)}\n--- pane ---\n${pane()}`);
    });
    expect(exit, pane()).toBe('0');
    expect(isAlive(pid)).toBe(false);
    expect(pane()).toContain('stopped');
  }, 90_000);
});

function procState(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const wchan = readFileSync(`/proc/${pid}/wchan`, 'utf8');
    return `state ${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]} wchan ${wchan}`;
  } catch {
    return 'gone';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
