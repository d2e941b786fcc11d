import { readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/status/status-snapshot.js';
import { makeClip, scratchSubdir } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { httpFlvView, publishFfmpeg, waitForVideoFrames } from '../helpers/players.js';
import { freePort } from '../helpers/ports.js';
import { stopProcess, trackProcesses, waitFor, waitForOutput } from '../helpers/processes.js';
import { cliEnv, requireBuilt, runCli, startCli } from '../helpers/server.js';

/**
 * The built CLI as a user runs it: `kayak-cast serve` in one terminal, ffmpeg publishing, a viewer, and
 * `kayak-cast status` in another terminal. Each serve gets its own XDG_STATE_HOME, where it leaves its runtime file.
 */

/** Runtime files `serve` left in a state home (`$XDG_STATE_HOME/kayak-cast/*`). */
function runtimeFiles(stateHome: string): string[] {
  try {
    return readdirSync(join(stateHome, 'kayak-cast'));
  } catch {
    return [];
  }
}

function nonEmptyLines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

async function startServe(stateHome: string, extra: string[] = []) {
  const rtmpPort = await freePort();
  const httpPort = await freePort();
  const serve = startCli(
    ['serve', '--host', '127.0.0.1', '--rtmp-port', String(rtmpPort), '--http-port', String(httpPort), '--no-dashboard', ...extra],
    { env: cliEnv(stateHome) },
  );
  const publishLine = await waitForOutput(serve, new RegExp(`rtmp://\\S+:${rtmpPort}/live\\S*`), 20_000);
  return { serve, rtmpPort, httpPort, publishUrl: publishLine[0] };
}

describe('kayak-cast CLI without peers', () => {
  trackProcesses();

  beforeAll(requireBuilt, 240_000);

  it('`status` with no server running prints one line and exits 3', async () => {
    const r = await runCli(['status'], { env: cliEnv() });
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(3);
    const lines = nonEmptyLines(`${r.stdout}${r.stderr}`);
    expect(lines, lines.join('\n')).toHaveLength(1);
    expect(lines[0]).toMatch(/no .*server|not running/i);
  });

  it('`status --url` pointing at nothing exits 3 too', async () => {
    const port = await freePort();
    const r = await runCli(['status', '--url', `http://127.0.0.1:${port}`, '--json'], { env: cliEnv() });
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(3);
    expect(nonEmptyLines(`${r.stdout}${r.stderr}`)).toHaveLength(1);
  });

  describe('a port already in use', () => {
    let blocker: Server | undefined;
    afterEach(async () => {
      await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
      blocker = undefined;
    });

    const occupy = async (): Promise<number> => {
      const port = await freePort();
      blocker = createServer();
      await new Promise<void>((resolve, reject) => {
        blocker?.once('error', reject);
        blocker?.listen({ host: '127.0.0.1', port }, () => resolve());
      });
      return port;
    };

    it.each([
      ['--rtmp-port', 'rtmp'],
      ['--http-port', 'http'],
    ] as const)('%s taken: one line naming the port and the flag, exit 1', async (flag, which) => {
      const taken = await occupy();
      const other = await freePort();
      const ports = which === 'rtmp' ? { rtmp: taken, http: other } : { rtmp: other, http: taken };
      const stateHome = scratchSubdir('xdg-state');
      const r = await runCli(
        ['serve', '--host', '127.0.0.1', '--rtmp-port', String(ports.rtmp), '--http-port', String(ports.http), '--no-dashboard'],
        { env: cliEnv(stateHome) },
      );
      expect(r.code, `${r.stdout}${r.stderr}`).toBe(1);
      const lines = nonEmptyLines(r.stderr);
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toContain(String(taken));
      expect(lines[0]).toContain(flag);
      expect(runtimeFiles(stateHome), 'no runtime file left behind').toEqual([]);
    });
  });

  it('SIGTERM stops `serve` with exit 0 and removes its runtime file', async () => {
    const stateHome = scratchSubdir('xdg-state');
    const { serve } = await startServe(stateHome);
    await waitFor(() => runtimeFiles(stateHome).length === 1, { what: 'the runtime file' });
    const exit = await stopProcess(serve, 'SIGTERM', 10_000);
    expect(exit, serve.output()).toEqual({ code: 0, signal: null });
    expect(runtimeFiles(stateHome)).toEqual([]);
  });
});

describeWithPeers(['ffmpeg'], 'kayak-cast serve + status with a real publisher and viewer', () => {
  trackProcesses();

  beforeAll(requireBuilt, 240_000);

  it('serve prints the publish URL; status shows the stream and viewer; SIGINT exits 0 and cleans up', async () => {
    const stateHome = scratchSubdir('xdg-state');
    const { serve, rtmpPort, httpPort, publishUrl } = await startServe(stateHome, ['--grace', '2']);
    console.info(`[cli] serve printed the publish URL ${publishUrl}`);
    await waitFor(() => runtimeFiles(stateHome).length === 1, { what: 'the runtime file' });

    const clip = await makeClip({ seconds: 5, width: 640, height: 360, fps: 25 });
    const publisher = publishFfmpeg(`rtmp://127.0.0.1:${rtmpPort}/live/cli-movie`, clip, { loop: true });
    // serve prints the share URLs when the stream goes live.
    await waitForOutput(serve, new RegExp(`http://\\S+:${httpPort}/live/cli-movie\\.flv`), 20_000).catch((e: unknown) => {
      throw new Error(`${String(e)}\n${publisher.output()}`);
    });

    const viewer = httpFlvView(`http://127.0.0.1:${httpPort}/live/cli-movie.flv`);
    await waitForVideoFrames(viewer, 10);

    const env = cliEnv(stateHome);
    const snapshot = await waitFor(
      async () => {
        const r = await runCli(['status', '--url', `http://127.0.0.1:${httpPort}`, '--json'], { env });
        if (r.code !== 0) throw new Error(`status --json exited ${r.code}: ${r.stderr}`);
        const s = JSON.parse(r.stdout) as StatusSnapshot;
        const stream = s.streams.find((x) => x.path === 'live/cli-movie');
        return stream?.viewers['http-flv'] === 1 ? s : null;
      },
      { timeoutMs: 20_000, intervalMs: 500, what: 'status --json to show the stream with one HTTP-FLV viewer' },
    );
    const stream = snapshot.streams.find((x) => x.path === 'live/cli-movie');
    expect(stream).toMatchObject({ state: 'live', video: { width: 640, height: 360 }, viewers: { 'http-flv': 1 } });
    expect(snapshot.viewers.filter((v) => v.path === 'live/cli-movie' && v.protocol === 'http-flv')).toHaveLength(1);
    expect(snapshot.server.rtmpPort).toBe(rtmpPort);

    // With no --url, status finds the server through the runtime file.
    const table = await runCli(['status'], { env });
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain('cli-movie');

    const exit = await stopProcess(serve, 'SIGINT', 10_000);
    expect(exit, serve.output()).toEqual({ code: 0, signal: null });
    expect(runtimeFiles(stateHome), 'the runtime file is removed').toEqual([]);
    // Viewers and publishers were closed, not left hanging.
    expect(await Promise.race([viewer.finished, new Promise((r) => setTimeout(() => r('still open'), 5_000))])).toBe('end');
    await waitFor(() => publisher.exit !== null, { timeoutMs: 10_000, what: 'the publisher to be disconnected' });

    const after = await runCli(['status'], { env });
    expect(after.code, `${after.stdout}${after.stderr}`).toBe(3);
  }, 90_000);
});
