import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { signPath } from '../../src/server/access/signed-token.js';
import { makeClip } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { publishFfmpeg } from '../helpers/players.js';
import { trackProcesses, waitFor } from '../helpers/processes.js';
import { type RunningKayak, startKayak, waitForLive } from '../helpers/server.js';
import { selfSignedCertificate } from '../helpers/tls.js';
import { startNginxRtmpEdge } from '../helpers/nginx-rtmp-edge.js';
import { parsePushSpec } from '../../src/server/relay/push-spec.js';
import { buildWebPage, launchChromium, playerState, waitForAdvance } from './chromium.js';

/**
 * The watch page and access, in headless Chromium: a private show with and without its link, a full room that the page
 * says is full and joins by itself when a seat frees up, and the page over HTTPS with a self-signed certificate.
 */

const PLAY = 'browser-play-secret-1234';

describeWithPeers(['chromium', 'ffmpeg', 'openssl', 'nginx-rtmp'], 'watch page and access in Chromium', () => {
  trackProcesses();
  let browser: Browser;
  let clip: string;
  const pages: Page[] = [];
  const servers: RunningKayak[] = [];

  beforeAll(async () => {
    await buildWebPage();
    [browser, clip] = await Promise.all([launchChromium(['--ignore-certificate-errors']), makeClip({ seconds: 4, width: 320, height: 240, fps: 25 })]);
  }, 60_000);

  afterEach(async () => {
    for (const page of pages.splice(0)) await page.close().catch(() => {});
    for (const server of servers.splice(0)) await server.stop();
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function open(url: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    pages.push(page);
    await page.goto(url);
    return page;
  }

  async function serve(options: Parameters<typeof startKayak>[0], key: string): Promise<RunningKayak> {
    const kayak = await startKayak(options);
    servers.push(kayak);
    publishFfmpeg(kayak.rtmpUrl(key), clip, { loop: true });
    await waitForLive(kayak, key);
    return kayak;
  }

  it('a private show: the page without the link says so; with the signed link it plays', async () => {
    const kayak = await serve({ access: { playSecret: PLAY } }, 'private');
    const without = await open(kayak.httpUrl('/live/private.html'));
    expect(await without.textContent('body')).toMatch(/this show is private/);
    const sign = signPath(PLAY, 'play', 'live/private', Date.now() / 1000 + 3600);
    const page = await open(kayak.httpUrl(`/live/private.html?sign=${sign}`));
    const state = await waitForAdvance(page, { from: 0, bySeconds: 0.5, timeoutMs: 8_000, what: 'the private show playing' });
    expect(state.videoWidth).toBe(320);
    expect(state.errors).toEqual([]);
  });

  it('a full room: the page says so, and plays by itself once a seat is free', async () => {
    const kayak = await serve({ access: { maxViewers: 1 } }, 'full');
    const first = await open(kayak.httpUrl('/live/full.html'));
    await waitForAdvance(first, { from: 0, bySeconds: 0.5, timeoutMs: 8_000, what: 'the first viewer playing' });
    const second = await open(kayak.httpUrl('/live/full.html'));
    await waitFor(async () => /room is full/i.test((await second.textContent('#overlay')) ?? ''), { timeoutMs: 10_000, what: 'the room-full message' });
    expect(await second.evaluate(() => (globalThis as unknown as { kayak: { refusal?: string } }).kayak.refusal)).toBe('max-viewers');
    expect((await playerState(second)).transport, 'a full room is not a reason to change transport').toBe('http');
    await first.close();
    await waitForAdvance(second, { from: 0, bySeconds: 0.5, timeoutMs: 30_000, what: 'the second viewer playing once the seat is free' });
  }, 60_000);

  it("a full room with an edge: the page follows the overflow to the edge's HLS (hls.js) and plays", async () => {
    const edge = await startNginxRtmpEdge();
    try {
      const kayak = await serve(
        { access: { maxViewers: 1 }, push: [parsePushSpec(`rtmp://127.0.0.1:${edge.port}/live/{key}`)], overflow: `http://127.0.0.1:${edge.httpPort}/hls/{key}.m3u8` },
        'edge',
      );
      const first = await open(kayak.httpUrl('/live/edge.html'));
      await waitForAdvance(first, { from: 0, bySeconds: 0.5, timeoutMs: 8_000, what: 'the first viewer playing' });
      const second = await open(kayak.httpUrl('/live/edge.html'));
      await waitFor(async () => (await second.evaluate(() => (globalThis as unknown as { kayak: { overflow?: string } }).kayak.overflow)) ?? null, {
        timeoutMs: 15_000,
        what: 'the page to learn the edge',
      });
      const state = await waitForAdvance(second, { from: 0, bySeconds: 1, timeoutMs: 40_000, what: "the second viewer playing from the edge's HLS" });
      expect(state.videoWidth).toBe(320);
      expect(await second.textContent('#state')).toMatch(/edge/);
    } finally {
      await edge.stop();
    }
  }, 90_000);

  it('plays over HTTPS with a self-signed certificate', async () => {
    const certificate = await selfSignedCertificate();
    const kayak = await serve({ tls: { cert: certificate.cert, key: certificate.key }, rtmpsPort: 0 }, 'secure');
    const page = await open(`https://127.0.0.1:${kayak.httpPort}/live/secure.html`);
    const state = await waitForAdvance(page, { from: 0, bySeconds: 0.5, timeoutMs: 8_000, what: 'playback over HTTPS' });
    expect(state.videoWidth).toBe(320);
    expect(state.transport).toBe('http');
  });
});
