import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RuntimeInfo } from '../../src/cli/runtime-file.js';
import type { StatusSnapshot } from '../../src/status/status-snapshot.js';
import { makeClip, scratchSubdir } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { httpFlvView, httpRequest, publishFfmpeg, waitForVideoFrames } from '../helpers/players.js';
import { freePort } from '../helpers/ports.js';
import { sleep, stopProcess, trackProcesses, waitFor, waitForOutput } from '../helpers/processes.js';
import { cliEnv, requireBuilt, runCli, startCli } from '../helpers/server.js';
import { selfSignedCertificate } from '../helpers/tls.js';

/**
 * The access settings as a user meets them: `serve --config kayak.yaml` (flags win over the file), the runtime file
 * 0600 in a 0700 directory holding the admin token, `kick` / `skip` / `stop-stream` / `status` finding the server on
 * their own, `token publish` printing a link ffmpeg publishes with, and no secret in anything printed.
 */

const PUBLISH_SECRET = 'cli-publish-secret-1234';
const PLAY_SECRET = 'cli-play-secret-5678';

function runtimeInfo(stateHome: string): { file: string; info: RuntimeInfo } | undefined {
  const dir = join(stateHome, 'kayak-cast');
  const name = readdirSync(dir).find((n) => n.startsWith('server-'));
  if (name === undefined) return undefined;
  return { file: join(dir, name), info: JSON.parse(readFileSync(join(dir, name), 'utf8')) as RuntimeInfo };
}

describe('config file errors', () => {
  beforeAll(requireBuilt, 240_000);

  it('serve --config names the file, line and setting of each problem, in one go, with no stack', async () => {
    const dir = scratchSubdir('config');
    const file = join(dir, 'kayak.yaml');
    writeFileSync(file, 'rtmp-port: 1935\nmax-viewer: 3\nmax-bandwidth: lots\n');
    const r = await runCli(['serve', '--config', file, '--no-dashboard'], { env: cliEnv() });
    expect(r.code).toBe(1);
    const err = r.stderr;
    expect(err).toContain(`${file}:2: max-viewer: unknown setting (did you mean 'max-viewers'?)`);
    expect(err).toContain(`${file}:3: max-bandwidth: 'lots' is not a rate`);
    expect(err).not.toMatch(/\n\s+at /);
  });
});

describeWithPeers(['ffmpeg'], 'serve --config, the runtime file and the admin commands', () => {
  trackProcesses();
  beforeAll(requireBuilt, 240_000);

  it('works end to end, and nothing it prints holds a secret', async () => {
    const stateHome = scratchSubdir('xdg-state');
    const env = cliEnv(stateHome);
    const dir = scratchSubdir('config');
    const config = join(dir, 'kayak.yaml');
    const [rtmpPort, httpPort, configHttpPort] = await Promise.all([freePort(), freePort(), freePort()]);
    writeFileSync(
      config,
      [
        'host: 127.0.0.1',
        `rtmp-port: ${rtmpPort}`,
        `http-port: ${configHttpPort}`,
        'publish-allow: none',
        `publish-secret: ${PUBLISH_SECRET}`,
        `play-secret: ${PLAY_SECRET}`,
        'max-viewers: 1',
        'dashboard: false',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    // The flag wins over the file's http-port.
    const serve = startCli(['serve', '--config', config, '--http-port', String(httpPort)], { env });
    await waitForOutput(serve, new RegExp(`https?://\\S+:${httpPort}/api/status`), 20_000);
    const clip = await makeClip({ seconds: 4, width: 320, height: 240, fps: 25 });

    const runtime = await waitFor(() => runtimeInfo(stateHome), { what: 'the runtime file' });
    expect(statSync(runtime.file).mode & 0o777).toBe(0o600);
    expect(statSync(join(stateHome, 'kayak-cast')).mode & 0o777).toBe(0o700);
    expect(runtime.info.adminToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(runtime.info.httpPort).toBe(httpPort);

    // publish-allow none: even this machine needs the secret; `token publish` prints a link that carries it.
    const refused = publishFfmpeg(`rtmp://127.0.0.1:${rtmpPort}/live/movie`, clip, { loop: true });
    await refused.exited;
    expect(refused.output()).toMatch(/may not publish here/);
    const token = await runCli(['token', 'publish', 'live/movie', '--config', config, '--expires', '30m', '--public-host', '127.0.0.1'], { env });
    expect(token.code, token.stderr).toBe(0);
    const link = /rtmp:\/\/127\.0\.0\.1:\d+\/live\/movie\?sign=\d+-[0-9a-f]{64}/.exec(token.stdout)?.[0];
    expect(link, token.stdout).toBeDefined();
    expect(token.stdout).toMatch(/Stream Key movie\?sign=/);
    publishFfmpeg(link as string, clip, { loop: true });
    await waitForOutput(serve, /live\/movie: live/, 20_000);

    // The printed share URLs carry a signed play link; a viewer with it gets in, the second is one too many.
    const share = (await waitForOutput(serve, new RegExp(`http://127\\.0\\.0\\.1:${httpPort}/live/movie\\.flv\\?sign=\\S+`)))[0];
    const viewer = httpFlvView(share);
    await waitForVideoFrames(viewer, 5);
    expect((await httpRequest('GET', share)).status).toBe(503);
    expect((await httpRequest('GET', `http://127.0.0.1:${httpPort}/live/movie.flv`)).status).toBe(403);

    const status = await runCli(['status', '--json'], { env });
    expect(status.code, status.stderr).toBe(0);
    const snapshot = JSON.parse(status.stdout) as StatusSnapshot;
    expect(snapshot.view).toBe('full');
    expect(snapshot.access).toMatchObject({ privateShow: true, publishSecret: true, publishAllow: [], limits: { maxViewers: 1 } });
    expect(snapshot.access?.refusals).toMatchObject({ 'publish-not-allowed': 1, 'max-viewers': 1, 'private-show': 1 });

    // Admin commands find the server and its token through the runtime file.
    const skip = await runCli(['skip'], { env });
    expect(skip.code).toBe(1);
    expect(skip.stderr).toMatch(/nothing is scheduled/);
    const kick = await runCli(['kick', snapshot.viewers[0]?.id ?? ''], { env });
    expect(kick.code, kick.stderr).toBe(0);
    expect(await viewer.finished).toBe('end');
    const noToken = await runCli(['kick', 'flv-1', '--url', `http://127.0.0.1:${httpPort}`, '--token', 'not-the-admin-token'], { env: cliEnv() });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toMatch(/refused the admin token/);
    const stop = await runCli(['stop-stream', 'live/movie'], { env });
    expect(stop.code, stop.stderr).toBe(0);
    await waitForOutput(serve, /live\/movie: stopped by the host/);

    await stopProcess(serve, 'SIGINT');
    expect(serve.exit?.code).toBe(0);
    const printed = serve.output() + status.stdout + kick.stdout + stop.stdout;
    expect(printed).not.toContain(PUBLISH_SECRET);
    expect(printed).not.toContain(PLAY_SECRET);
    expect(printed).not.toContain(runtime.info.adminToken);
    // The share lines (printed for the host to copy, not logged) are the only place a signed link appears.
    const logLines = serve.stdout().split('\n').filter((line) => /^\d\d:\d\d:\d\d /.test(line));
    expect(logLines.join('\n')).not.toMatch(/sign=\d+-[0-9a-f]{64}/);
    await sleep(0);
  }, 120_000);
});

describeWithPeers(['openssl'], 'serve with TLS and the local commands', () => {
  trackProcesses();
  beforeAll(requireBuilt, 240_000);

  it('status and the admin commands reach a local HTTPS server by the certificate its runtime file pins', async () => {
    const certificate = await selfSignedCertificate();
    const stateHome = scratchSubdir('xdg-state');
    const env = cliEnv(stateHome);
    const [rtmpPort, httpPort, rtmpsPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const serve = startCli(
      ['serve', '--host', '127.0.0.1', '--rtmp-port', String(rtmpPort), '--http-port', String(httpPort), '--rtmps-port', String(rtmpsPort), '--tls-cert', certificate.certPath, '--tls-key', certificate.keyPath, '--no-dashboard'],
      { env },
    );
    await waitForOutput(serve, new RegExp(`https://\\S+:${httpPort}/api/status`), 20_000);
    expect(serve.output()).toContain(`rtmps://127.0.0.1:${rtmpsPort}/live/<key>`);
    const runtime = await waitFor(() => runtimeInfo(stateHome), { what: 'the runtime file' });
    expect(runtime.info).toMatchObject({ tls: true, certificateSha256: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/) });

    const status = await runCli(['status', '--json'], { env });
    expect(status.code, status.stderr).toBe(0);
    expect((JSON.parse(status.stdout) as StatusSnapshot).server).toMatchObject({ tls: true, rtmpsPort });
    expect((await runCli(['skip'], { env })).stderr).toMatch(/nothing is scheduled/);

    // Another certificate on that port than the one the runtime file names: nothing is sent.
    writeFileSync(runtime.file, JSON.stringify({ ...runtime.info, certificateSha256: 'AA:BB' }), { mode: 0o600 });
    const impostor = await runCli(['skip'], { env });
    expect(impostor.code).toBe(3);
    expect(impostor.stderr).toMatch(/not the one the runtime file names/);
    await stopProcess(serve, 'SIGINT');
    expect(serve.exit?.code).toBe(0);
  }, 60_000);
});

