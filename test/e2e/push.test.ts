import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/status/status-snapshot.js';
import { makeClip, scratchSubdir } from '../helpers/media.js';
import { type NginxRtmp, startNginxRtmp } from '../helpers/nginx-rtmp.js';
import { describeWithPeers } from '../helpers/peers.js';
import { ffprobeStreams, httpJson, publishFfmpeg } from '../helpers/players.js';
import { freePort } from '../helpers/ports.js';
import { stopProcess, trackProcesses, waitFor, waitForOutput } from '../helpers/processes.js';
import { cliEnv, requireBuilt, runCli, startCli } from '../helpers/server.js';
import { selfSignedCertificate } from '../helpers/tls.js';

/** `--push` as a user types it: `serve` relays what is published to it, `schedule` its channel, to nginx-rtmp. */

let target: NginxRtmp | undefined;
afterEach(async () => {
  await target?.stop();
  target = undefined;
});

async function ports(): Promise<string[]> {
  return ['--host', '127.0.0.1', '--rtmp-port', String(await freePort()), '--http-port', String(await freePort()), '--no-dashboard'];
}

describeWithPeers(['ffmpeg', 'ffprobe', 'nginx-rtmp', 'openssl'], 'kayak-cast --push', () => {
  trackProcesses();
  beforeAll(requireBuilt, 240_000);

  it('`serve --push` relays a published stream to nginx-rtmp and shows the target in `status`', async () => {
    target = await startNginxRtmp();
    const args = await ports();
    const [, , , rtmpPort, , httpPort] = args;
    const state = scratchSubdir('xdg-state');
    const serve = startCli(['serve', ...args, '--push', `rtmp://127.0.0.1:${target.port}/live/{key}`], { env: cliEnv(state) });
    await waitForOutput(serve, /kayak-cast is serving/, 20_000);
    const clip = await makeClip({ seconds: 5, width: 320, height: 240, fps: 25 });
    publishFfmpeg(`rtmp://127.0.0.1:${rtmpPort}/live/party`, clip, { loop: true });
    await waitForOutput(serve, /pushing to rtmp:\/\/127\.0\.0\.1:\d+\/live\/par…/, 20_000);
    const streams = await ffprobeStreams(target.url('party'), 20_000);
    expect(streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    const status = await runCli(['status'], { env: cliEnv(state) });
    expect(status.stdout).toMatch(/PUSHED TO[\s\S]*live\/party\s+rtmp:\/\/127\.0\.0\.1:\d+\/live\/par…\s+live/);
    const snapshot = await httpJson<StatusSnapshot>(`http://127.0.0.1:${httpPort}/api/status`);
    expect(snapshot.streams[0]?.relays[0]?.state).toBe('live');
    await stopProcess(serve, 'SIGTERM');
    expect(serve.exit?.code, serve.output()).toBe(0);
  }, 90_000);

  it('`schedule --push` sends the channel to nginx-rtmp beside the local viewers', async () => {
    target = await startNginxRtmp();
    const dir = scratchSubdir('push-schedule');
    const playlist = join(dir, 'cards.yaml');
    writeFileSync(
      playlist,
      [
        'stream: cards',
        'output: { width: 320, height: 240, fps: 25, video_bitrate: 300k, audio_bitrate: 64k, sample_rate: 48000 }',
        'loop: true',
        'items:',
        '  - { generate: { pattern: smptebars, seconds: 4, tone: 440 }, title: Bars }',
        '  - { generate: { pattern: testsrc2, seconds: 4, tone: 660 }, title: Test }',
        '',
      ].join('\n'),
    );
    const schedule = startCli(['schedule', playlist, '--at', 'now', ...(await ports()), '--push', `rtmp://127.0.0.1:${target.port}/live/{key}`], {
      env: cliEnv(),
    });
    await waitForOutput(schedule, /pushing to rtmp:\/\/127\.0\.0\.1:\d+\/live\/car…/, 40_000);
    const streams = await waitFor(() => ffprobeStreams(target!.url('cards'), 15_000), { timeoutMs: 40_000, what: 'the channel at nginx' });
    expect(streams.find((s) => s.codec_type === 'video')).toMatchObject({ codec_name: 'h264', width: 320, height: 240 });
    await stopProcess(schedule, 'SIGTERM');
    expect(schedule.exit?.code, schedule.output()).toBe(0);
  }, 120_000);

  it('`serve --push rtmps://` publishes over TLS to another kayak-cast serving RTMPS (its certificate trusted by NODE_EXTRA_CA_CERTS)', async () => {
    const certificate = await selfSignedCertificate();
    const edgeArgs = await ports();
    const edgeRtmps = await freePort();
    const edge = startCli(['serve', ...edgeArgs, '--tls-cert', certificate.certPath, '--tls-key', certificate.keyPath, '--rtmps-port', String(edgeRtmps)], {
      env: cliEnv(),
    });
    await waitForOutput(edge, /kayak-cast is serving/, 20_000);
    const originArgs = await ports();
    const origin = startCli(['serve', ...originArgs, '--push', `rtmps://127.0.0.1:${edgeRtmps}/live/{key}`], {
      env: { ...cliEnv(), NODE_EXTRA_CA_CERTS: certificate.certPath },
    });
    await waitForOutput(origin, /kayak-cast is serving/, 20_000);
    const clip = await makeClip({ seconds: 5, width: 320, height: 240, fps: 25 });
    publishFfmpeg(`rtmp://127.0.0.1:${originArgs[3]}/live/secure`, clip, { loop: true });
    await waitForOutput(origin, /pushing to rtmps:\/\/127\.0\.0\.1:\d+\/live\/sec…/, 20_000);
    const streams = await ffprobeStreams(`rtmps://127.0.0.1:${edgeRtmps}/live/secure`, 20_000);
    expect(streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    await stopProcess(origin, 'SIGTERM');
    await stopProcess(edge, 'SIGTERM');
  }, 90_000);

  it('refuses a --push that is not an RTMP URL, in one line, without printing its key', async () => {
    const r = await runCli(['serve', ...(await ports()), '--push', 'http://ingest.example/live/SECRETKEY'], { env: cliEnv() });
    expect(r.code).not.toBe(0);
    const lines = `${r.stdout}${r.stderr}`.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/--push .*only rtmp:\/\/ and rtmps:\/\//);
    expect(lines[0]).not.toContain('SECRETKEY');
  });
});
