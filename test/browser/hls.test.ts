import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { makeClip } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { publishFfmpeg } from '../helpers/players.js';
import { stopProcess, trackProcesses, waitFor } from '../helpers/processes.js';
import { type RunningKayak, startKayak, waitForLive } from '../helpers/server.js';
import { buildWebPage, launchChromium, playerState, waitForAdvance } from './chromium.js';

/**
 * HLS in a real browser: hls.js (the npm package, served to the page from node_modules) in headless Chromium through a
 * test page, and the watch page using Chromium's own HLS player (`?transport=hls`, the path Safari and iPhones take).
 */
const HLS_JS = readFileSync(createRequire(import.meta.url).resolve('hls.js/dist/hls.js'), 'utf8');

/** A page with nothing but a <video> and hls.js at its defaults, playing `src`; its state in window.hlsTest. */
function testPage(src: string): string {
  return `<!doctype html><html><body><video id="video" muted playsinline></video>
<script src="/test/hls.js"></script>
<script>
  const state = { errors: [], fatal: [], latencies: [] };
  window.hlsTest = state;
  const video = document.getElementById('video');
  const hls = new Hls();
  hls.on(Hls.Events.ERROR, (_e, data) => (data.fatal ? state.fatal : state.errors).push(data.type + ': ' + data.details));
  hls.loadSource(${JSON.stringify(src)});
  hls.attachMedia(video);
  hls.on(Hls.Events.MANIFEST_PARSED, () => video.play());
  // Behind live: now minus the program date-time of the frame on screen (the server stamps segments with the
  // wall-clock time their first frame arrived).
  setInterval(() => { if (hls.playingDate) state.latencies.push(Date.now() - hls.playingDate.getTime()); }, 500);
</script></body></html>`;
}

interface HlsTestState {
  errors: string[];
  fatal: string[];
  latencies: number[];
}

describeWithPeers(['chromium', 'ffmpeg'], 'HLS in Chromium', () => {
  trackProcesses();
  let browser: Browser;
  let kayak: RunningKayak;
  let clip: string;
  const pages: Page[] = [];

  beforeAll(async () => {
    await buildWebPage();
    [browser, kayak, clip] = await Promise.all([launchChromium(), startKayak({ graceMs: 6_000 }), makeClip({ seconds: 4, width: 320, height: 240, fps: 25, gopSeconds: 1 })]);
  }, 60_000);

  afterEach(async () => {
    for (const page of pages.splice(0)) await page.close().catch(() => {});
  });

  afterAll(async () => {
    await browser?.close();
    await kayak?.stop();
  });

  async function openHlsJs(key: string): Promise<Page> {
    const page = await browser.newPage();
    pages.push(page);
    await page.route('**/test/hls.html', (route) => route.fulfill({ contentType: 'text/html', body: testPage(`/live/${key}.m3u8`) }));
    await page.route('**/test/hls.js', (route) => route.fulfill({ contentType: 'text/javascript', body: HLS_JS }));
    await page.goto(kayak.httpUrl('/test/hls.html'));
    return page;
  }

  const hlsState = (page: Page) => page.evaluate(() => (globalThis as unknown as { hlsTest: HlsTestState }).hlsTest);

  it('hls.js plays it, and keeps playing across a publisher change', async () => {
    const first = publishFfmpeg(kayak.rtmpUrl('hlsjs'), clip, { loop: true });
    await waitForLive(kayak, 'hlsjs');
    const page = await openHlsJs('hlsjs');
    const playing = await waitForAdvance(page, { from: 0, bySeconds: 1, timeoutMs: 20_000, what: 'hls.js playback' });
    expect(playing.videoWidth).toBe(320);
    await stopProcess(first);
    publishFfmpeg(kayak.rtmpUrl('hlsjs'), clip, { loop: true });
    await waitForAdvance(page, { bySeconds: 6, timeoutMs: 25_000, what: 'hls.js playback after the new publisher' });
    const state = await hlsState(page);
    expect(state.fatal).toEqual([]);
    const latency = state.latencies.slice(-4);
    console.info(`[browser-hls] hls.js ${(latency.reduce((a, b) => a + b, 0) / Math.max(1, latency.length) / 1000).toFixed(1)} s behind live; non-fatal errors: ${state.errors.length}`);
    expect(kayak.server.status.stream('live/hlsjs')?.viewers.hls).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it("the watch page with ?transport=hls plays through Chromium's own HLS player", async () => {
    publishFfmpeg(kayak.rtmpUrl('native'), clip, { loop: true });
    await waitForLive(kayak, 'native');
    const page = await browser.newPage();
    pages.push(page);
    await page.goto(kayak.httpUrl('/live/native.html?transport=hls'));
    const state = await waitForAdvance(page, { from: 0, bySeconds: 1, timeoutMs: 20_000, what: 'native HLS playback' });
    expect(state.transport).toBe('hls');
    expect(state.videoWidth).toBe(320);
    expect(state.errors).toEqual([]);
    await waitFor(async () => /live \(HLS\)/.test((await page.textContent('#state')) ?? ''), { timeoutMs: 5_000, what: 'the HLS state line' });
    expect((await playerState(page)).attempts).toBe(1);
  }, 40_000);
});
