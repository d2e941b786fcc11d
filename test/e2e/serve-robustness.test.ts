import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/status/status-snapshot.js';
import { makeClip, mediaFrames } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { httpFlvView, httpJson, publishFfmpeg, waitForVideoFrames } from '../helpers/players.js';
import { freePort } from '../helpers/ports.js';
import { sleep, startProcess, stopProcess, trackProcesses, waitFor, waitForOutput } from '../helpers/processes.js';
import { CLI_BIN, REPO_ROOT, cliEnv, requireBuilt } from '../helpers/server.js';

/**
 * `serve` where the world is unkind to it. Issue 8, crash 3: with `ulimit -n 1024`, 1,300 idle connections made the process exit (EMFILE in a timer). Here the
 * limit is 256 and 400 idle connections arrive: `serve` caps connections below the limit, closes the rest at the
 * door, and its publisher and viewer carry on.
 */

const FILE_LIMIT = 256;
const IDLE_CONNECTIONS = 400;

describeWithPeers(['ffmpeg'], '`kayak-cast serve` at a low file-descriptor limit', () => {
  trackProcesses();
  const idle: Socket[] = [];
  let rtmpPort = 0;
  let httpPort = 0;

  beforeAll(requireBuilt, 240_000);

  afterAll(() => {
    for (const s of idle) s.destroy();
  });

  it(`stays up and serving with ${IDLE_CONNECTIONS} idle connections under ulimit -n ${FILE_LIMIT}`, async () => {
    rtmpPort = await freePort();
    httpPort = await freePort();
    const serveArgs = ['serve', '--host', '127.0.0.1', '--rtmp-port', String(rtmpPort), '--http-port', String(httpPort), '--no-dashboard'];
    const command = `ulimit -n ${FILE_LIMIT} && exec "$0" "$@"`;
    const serve = startProcess('bash', ['-c', command, process.execPath, CLI_BIN, ...serveArgs], {
      cwd: REPO_ROOT,
      env: cliEnv(),
      name: 'kayak-cast serve (ulimit)',
    });
    await waitForOutput(serve, /connections capped at (\d+)/, 20_000);
    await waitForOutput(serve, /kayak-cast is serving/, 20_000);

    const clip = await makeClip({ seconds: 5, width: 640, height: 360, fps: 25 });
    publishFfmpeg(`rtmp://127.0.0.1:${rtmpPort}/live/steady`, clip, { loop: true });
    await waitForOutput(serve, /live\/steady: live/, 20_000);
    const viewer = httpFlvView(`http://127.0.0.1:${httpPort}/live/steady.flv`);
    await waitForVideoFrames(viewer, 10, 20_000);

    for (let i = 0; i < IDLE_CONNECTIONS; i++) {
      const s = connect({ host: '127.0.0.1', port: i % 2 === 0 ? rtmpPort : httpPort });
      s.on('error', () => {});
      idle.push(s);
    }
    // The status sampler and the memory governor run every second: give them a few turns at the limit.
    await sleep(4_000);
    expect(serve.exit, serve.output()).toBeNull();
    const before = mediaFrames(viewer.tags, 'video').length;
    await waitForVideoFrames(viewer, before + 25, 10_000);
    expect(viewer.finish).toBeUndefined();

    for (const s of idle.splice(0)) s.destroy();
    const status = await waitFor(() => httpJson<StatusSnapshot>(`http://127.0.0.1:${httpPort}/api/status`), {
      timeoutMs: 10_000,
      what: '/api/status after the idle connections closed',
    });
    expect(status.server.connectionCap).toBe(FILE_LIMIT - 64);
    expect(status.server.connectionsRefused).toBeGreaterThan(0);
    expect(serve.stdout()).toMatch(/connection refused: the server is at its cap/);
    viewer.close();
    await stopProcess(serve, 'SIGTERM');
    expect(serve.exit?.code, serve.output()).toBe(0);
  }, 90_000);

  it('keeps serving after whoever reads its standard output goes away (`serve | head -1`)', async () => {
    rtmpPort = await freePort();
    httpPort = await freePort();
    const serve = startProcess(process.execPath, [CLI_BIN, 'serve', '--host', '127.0.0.1', '--rtmp-port', String(rtmpPort), '--http-port', String(httpPort), '--no-dashboard'], {
      cwd: REPO_ROOT,
      env: cliEnv(),
      name: 'kayak-cast serve (closed stdout)',
    });
    await waitForOutput(serve, /kayak-cast is serving/, 20_000);
    serve.child.stdout?.destroy();
    const clip = await makeClip({ seconds: 5, width: 640, height: 360, fps: 25 });
    publishFfmpeg(`rtmp://127.0.0.1:${rtmpPort}/live/piped`, clip, { loop: true });
    const viewer = await waitFor(
      async () => {
        const v = httpFlvView(`http://127.0.0.1:${httpPort}/live/piped.flv`);
        const res = await v.response;
        if (res.statusCode === 200) return v;
        v.close();
        return undefined;
      },
      { timeoutMs: 20_000, what: 'the piped stream to play' },
    );
    // Each join and leave writes a line to the closed pipe.
    for (let i = 0; i < 5; i++) httpFlvView(`http://127.0.0.1:${httpPort}/live/piped.flv`).close();
    await waitForVideoFrames(viewer, 25, 10_000);
    await sleep(1_000);
    expect(serve.exit, serve.stderr()).toBeNull();
    viewer.close();
    await stopProcess(serve, 'SIGTERM');
    expect(serve.exit?.code, serve.stderr()).toBe(0);
  }, 60_000);
});
