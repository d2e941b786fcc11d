import { afterAll, beforeAll, expect, it } from 'vitest';
import { signPath } from '../../src/server/access/signed-token.js';
import { NetworkList } from '../../src/server/access/networks.js';
import { makeClip, mediaFrames } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { gstPublish, httpFlvView, publishFfmpeg, waitForVideoFrames } from '../helpers/players.js';
import type { ManagedProcess } from '../helpers/processes.js';
import { sleep, stopProcess, trackProcesses, waitFor } from '../helpers/processes.js';
import { type RunningKayak, startKayak, waitForLive } from '../helpers/server.js';
import { type SourceProxy, startSourceProxy } from '../helpers/source-proxy.js';

/**
 * Who may publish, with real encoders: loopback by default; a source the policy does not trust (127.0.0.2 behind a
 * relay, with --publish-allow 127.0.0.1/32) only with the secret (in the stream key, in the app / tcUrl query) or a
 * signed link; the grace period cannot be used to take a stream over; keys that only look like another are refused.
 */

const SECRET = 'publish-secret-for-tests-1234';
const GRACE_MS = 6_000;

/** Waits for a publisher that must be refused: it exits non-zero within `ms`, and its output is returned. */
async function refused(p: ManagedProcess, ms = 20_000): Promise<string> {
  const how = await Promise.race([p.exited, sleep(ms).then(() => 'still running' as const)]);
  expect(how, `the publisher must be refused\n${p.output()}`).not.toBe('still running');
  expect(p.exit?.code, p.output()).not.toBe(0);
  return p.output();
}

describeWithPeers(['ffmpeg', 'ffprobe', 'gst-rtmp'], 'who may publish', () => {
  trackProcesses();
  let kayak: RunningKayak;
  let stranger: SourceProxy;
  let clip: string;
  let flvClip: string;

  beforeAll(async () => {
    [kayak, clip, flvClip] = await Promise.all([
      startKayak({ graceMs: GRACE_MS, access: { publishSecret: SECRET, publishAllow: NetworkList.parse('127.0.0.1/32') } }),
      makeClip({ seconds: 4, width: 320, height: 240, fps: 25 }),
      makeClip({ seconds: 20, width: 320, height: 240, fps: 25 }),
    ]);
    // Everything through this relay reaches the server from 127.0.0.2: a source --publish-allow does not list.
    stranger = await startSourceProxy(kayak.rtmpPort, '127.0.0.2');
  }, 60_000);

  afterAll(async () => {
    await stranger?.close();
    await kayak?.stop();
  });

  const refusals = () => kayak.server.status.snapshot().access?.refusals ?? {};

  it('loopback (127.0.0.1) publishes with no secret', async () => {
    publishFfmpeg(kayak.rtmpUrl('local'), clip, { loop: true });
    await waitForLive(kayak, 'local');
  });

  it('a source outside the allowed networks is refused with no secret, logged with its address and counted', async () => {
    const before = refusals()['publish-not-allowed'] ?? 0;
    const output = await refused(publishFfmpeg(stranger.url('/live/squat'), clip, { loop: true }));
    expect(output).toMatch(/127\.0\.0\.2 may not publish here/);
    expect(kayak.server.status.snapshot().streams.find((s) => s.key === 'squat'), 'a squatter gets no stream').toBeUndefined();
    expect(refusals()['publish-not-allowed']).toBe(before + 1);
    expect(kayak.logger.text()).toMatch(/rtmp 127\.0\.0\.2: refused \(publish-not-allowed\)/);
  });

  it('the secret works in the stream key (OBS) and in the app / tcUrl query, with ffmpeg', async () => {
    publishFfmpeg(stranger.url(`/live/in-key?secret=${SECRET}`), clip, { loop: true });
    await waitForLive(kayak, 'in-key');
    publishFfmpeg(stranger.url(`/live?secret=${SECRET}/in-app`), clip, { loop: true });
    await waitForLive(kayak, 'in-app');
    const before = refusals()['wrong-secret'] ?? 0;
    const output = await refused(publishFfmpeg(stranger.url('/live/wrong?secret=not-the-secret-at-all'), clip, { loop: true }));
    expect(output).toMatch(/the publish secret is wrong/);
    expect(refusals()['wrong-secret']).toBe(before + 1);
  });

  it('the secret works with GStreamer rtmp2sink, in the key and in the app', async () => {
    gstPublish(stranger.url(`/live/gst-key?secret=${SECRET}`), flvClip);
    await waitForLive(kayak, 'gst-key');
    gstPublish(stranger.url(`/live?secret=${SECRET}/gst-app`), flvClip);
    await waitForLive(kayak, 'gst-app');
    const refusedGst = gstPublish(stranger.url('/live/gst-nope'), flvClip);
    await refused(refusedGst);
  });

  it('signed links: valid publishes, expired and tampered are refused', async () => {
    const inAnHour = Date.now() / 1000 + 3600;
    publishFfmpeg(stranger.url(`/live/signed?sign=${signPath(SECRET, 'publish', 'live/signed', inAnHour)}`), clip, { loop: true });
    await waitForLive(kayak, 'signed');

    const expired = signPath(SECRET, 'publish', 'live/expired', Date.now() / 1000 - 1);
    expect(await refused(publishFfmpeg(stranger.url(`/live/expired?sign=${expired}`), clip, { loop: true }))).toMatch(/has expired/);

    // A valid link for another key, and a valid link with its expiry pushed out: both tampered with.
    const other = signPath(SECRET, 'publish', 'live/other', inAnHour);
    expect(await refused(publishFfmpeg(stranger.url(`/live/tampered?sign=${other}`), clip, { loop: true }))).toMatch(/not valid for live\/tampered/);
    const stretched = signPath(SECRET, 'publish', 'live/stretched', inAnHour).replace(/^\d+/, String(Math.floor(inAnHour) + 86_400));
    await refused(publishFfmpeg(stranger.url(`/live/stretched?sign=${stretched}`), clip, { loop: true }));
    // A play link is not a publish link.
    const play = signPath(SECRET, 'play', 'live/play-link', inAnHour);
    await refused(publishFfmpeg(stranger.url(`/live/play-link?sign=${play}`), clip, { loop: true }));
    expect(refusals()['link-expired']).toBeGreaterThanOrEqual(1);
    expect(refusals()['link-invalid']).toBeGreaterThanOrEqual(3);
  });

  it('a stranger cannot take a stream over in its grace period; the real publisher can come back', async () => {
    const owner = publishFfmpeg(stranger.url(`/live/grace?secret=${SECRET}`), flvClip, { loop: true });
    await waitForLive(kayak, 'grace');
    const viewer = httpFlvView(kayak.flvUrl('grace'));
    await waitForVideoFrames(viewer, 25);

    // While it is live, a stranger's publish is refused and the stream goes on.
    await refused(publishFfmpeg(stranger.url('/live/grace'), clip, { loop: true }));
    await waitForVideoFrames(viewer, mediaFrames(viewer.tags, 'video').length + 10);

    await stopProcess(owner, 'SIGTERM');
    await waitFor(() => kayak.server.status.snapshot().streams.find((s) => s.key === 'grace' && s.state === 'grace'), { timeoutMs: 5_000, what: 'the grace period' });
    await sleep(500); // the last frames in flight arrive
    const framesAtDrop = mediaFrames(viewer.tags, 'video').length;
    // The stranger a second later (the takeover of the issue): refused, and nothing reaches the viewer.
    const output = await refused(publishFfmpeg(stranger.url('/live/grace'), clip, { loop: true }));
    expect(output).toMatch(/may not publish here/);
    expect(kayak.logger.text()).not.toMatch(/live\/grace: publisher is back/);
    expect(mediaFrames(viewer.tags, 'video').length).toBe(framesAtDrop);
    expect(viewer.finish, 'the viewer is still waiting for its publisher').toBeUndefined();
    expect(kayak.server.status.snapshot().streams.find((s) => s.key === 'grace')?.state).toBe('grace');

    // The owner comes back with its secret: the same viewer continues.
    publishFfmpeg(stranger.url(`/live/grace?secret=${SECRET}`), flvClip, { loop: true });
    await waitForVideoFrames(viewer, framesAtDrop + 25, 20_000);
    expect(viewer.finish).toBeUndefined();
    viewer.close();
  }, 90_000);

  it('refuses keys that only look like another: case, trailing space, zero-width and bidi characters, naming the rule', async () => {
    publishFfmpeg(kayak.rtmpUrl('Good'), clip, { loop: true });
    await waitForLive(kayak, 'Good');
    const cases: [string, RegExp][] = [
      ['good', /looks like live\/Good/],
      ['good ', /rule: edge-whitespace/],
      ['good\u200b', /rule: invisible-character/],
      ['doog\u202e', /rule: invisible-character/],
      ['go\u00a0od', /rule: unusual-space/],
    ];
    for (const [key, why] of cases) {
      const p = publishFfmpeg(kayak.rtmpUrl('placeholder'), clip, { loop: true, rtmpPlaypath: key });
      expect(await refused(p), JSON.stringify(key)).toMatch(why);
    }
    const keys = kayak.server.status.snapshot().streams.map((s) => s.key);
    expect(keys.filter((k) => k.toLowerCase().startsWith('good') || k.startsWith('go'))).toEqual(['Good']);
  }, 90_000);

  it('no secret or signed link reaches the log or the status', () => {
    const everything = `${kayak.logger.text()}\n${JSON.stringify(kayak.server.status.snapshot())}`;
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toMatch(/sign=\d+-[0-9a-f]{64}/);
  });
});
