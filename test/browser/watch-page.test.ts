import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { normalizeCommand } from '../../src/playout/normalize-command.js';
import { PacedPlayout, type PlannedSegment } from '../../src/playout/paced-playout.js';
import { parseAt } from '../../src/playout/at-option.js';
import { locateFfmpeg } from '../../src/playout/ffmpeg-locate.js';
import { loadPlaylist } from '../../src/playout/playlist.js';
import { Playout } from '../../src/playout/playout.js';
import { prepareShow } from '../../src/playout/show.js';
import type { ScheduleStatus } from '../../src/status/status-snapshot.js';
import { systemClock } from '../../src/util/clock.js';
import { makeClip, scratchPlaylist } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { httpRequest, publishFfmpeg } from '../helpers/players.js';
import { stopProcess, trackProcesses, waitFor } from '../helpers/processes.js';
import { type RunningKayak, startKayak, waitForLive } from '../helpers/server.js';
import { buildWebPage, horizontalOverflow, launchChromium, longestStill, playerState, sampleTimes, waitForAdvance } from './chromium.js';

/** The watch page in a real browser: headless Chromium decoding H.264/AAC through MSE with mpegts.js. */
describeWithPeers(['chromium', 'ffmpeg'], 'watch page in Chromium', () => {
  trackProcesses();
  let browser: Browser;
  let kayak: RunningKayak;
  let clip: string;
  const pages: Page[] = [];

  beforeAll(async () => {
    await buildWebPage();
    [browser, kayak, clip] = await Promise.all([
      launchChromium(),
      startKayak({ graceMs: 6_000 }),
      makeClip({ seconds: 4, width: 320, height: 240, fps: 25 }),
    ]);
  }, 60_000);

  afterEach(async () => {
    for (const page of pages.splice(0)) await page.close().catch(() => {});
  });

  afterAll(async () => {
    await browser?.close();
    await kayak?.stop();
  });

  async function open(path: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    pages.push(page);
    await page.goto(kayak.httpUrl(path));
    return page;
  }

  it('serves the index, the watch page and mpegts.js from the package', async () => {
    publishFfmpeg(kayak.rtmpUrl('index'), clip, { loop: true });
    await waitForLive(kayak, 'index');
    const index = await httpRequest('GET', kayak.httpUrl('/'));
    expect(index.body).toContain('live/index');
    const page = await open('/');
    expect(await page.locator('a.watch').first().getAttribute('href')).toBe('/live/index.html');
    expect(await page.locator('input').first().inputValue()).toBe(`rtmp://127.0.0.1:${kayak.rtmpPort}/live/index`);
    const watch = await httpRequest('GET', kayak.httpUrl('/watch/index'));
    expect(watch.status).toBe(200);
    expect(watch.body).toContain('content="live/index"');
    const lib = await httpRequest('HEAD', kayak.httpUrl('/assets/mpegts.js'));
    expect(lib.status).toBe(200);
    expect(lib.headers['content-type']).toContain('javascript');
    expect((await httpRequest('GET', kayak.httpUrl('/assets/nope.js'))).status).toBe(404);
  });

  it('plays over HTTP-FLV within 5 s and fits a phone-width screen', async () => {
    publishFfmpeg(kayak.rtmpUrl('plays'), clip, { loop: true });
    await waitForLive(kayak, 'plays');
    const openedAt = Date.now();
    const page = await open('/live/plays.html');
    const state = await waitForAdvance(page, { from: 0, bySeconds: 0.5, timeoutMs: 5_000, what: 'playback within 5 s' });
    console.info(`[browser] HTTP-FLV playing after ${Date.now() - openedAt} ms`);
    expect(state.videoWidth).toBe(320);
    expect(state.transport).toBe('http');
    expect(state.errors).toEqual([]);
    const overflow = await horizontalOverflow(page);
    expect(overflow).toBeLessThanOrEqual(0);
    // Latency chasing keeps the player near the live edge.
    const later = await waitForAdvance(page, { bySeconds: 2, timeoutMs: 5_000, what: 'two more seconds' });
    expect(later.bufferAheadS).toBeLessThan(2);
    await waitFor(async () => /1 watching/.test((await page.textContent('#viewers')) ?? ''), { timeoutMs: 5_000, what: 'the viewer count' });
  });

  it('plays over WebSocket-FLV', async () => {
    publishFfmpeg(kayak.rtmpUrl('ws'), clip, { loop: true });
    await waitForLive(kayak, 'ws');
    const page = await open('/live/ws.html?transport=ws');
    const state = await waitForAdvance(page, { from: 0, bySeconds: 0.5, timeoutMs: 5_000, what: 'WebSocket-FLV playback' });
    expect(state.videoWidth).toBe(320);
    expect(state.transport).toBe('ws');
    expect(kayak.server.status.stream('live/ws')?.viewers['ws-flv']).toBe(1);
  });

  it('keeps playing across a publisher change within the grace period', async () => {
    const first = publishFfmpeg(kayak.rtmpUrl('swap'), clip, { loop: true });
    await waitForLive(kayak, 'swap');
    const page = await open('/live/swap.html');
    await waitForAdvance(page, { from: 0, bySeconds: 1, timeoutMs: 5_000, what: 'playback' });
    await stopProcess(first);
    publishFfmpeg(kayak.rtmpUrl('swap'), clip, { loop: true });
    const before = (await playerState(page)).currentTime;
    await waitForAdvance(page, { from: before, bySeconds: 3, timeoutMs: 12_000, what: 'playback after the new publisher' });
    const after = await playerState(page);
    expect(after.errors).toEqual([]);
    expect(after.attempts).toBe(1);
  });

  it('keeps playing across a playlist item boundary', async () => {
    const profile = { width: 320, height: 240, fps: 25, videoBitrate: 300_000, audioBitrate: 64_000, sampleRate: 48_000 };
    const item = (pattern: 'smptebars' | 'testsrc2', toneHz: number): PlannedSegment => ({
      title: pattern,
      seconds: 4,
      command: (at) => normalizeCommand({ kind: 'generated', pattern, toneHz }, at, 4 - at, profile),
    });
    const channel = kayak.server.hub.publish('live', 'show', 'playout');
    if (channel === undefined) throw new Error('could not claim live/show');
    const page = await open('/live/show.html');
    const boundaries: number[] = [];
    const playout = new PacedPlayout({
      ffmpegPath: 'ffmpeg',
      sink: channel,
      clock: systemClock,
      logger: kayak.logger,
      frameMs: 1000 / profile.fps,
      onSegment: () => boundaries.push(Date.now()),
    });
    const abort = new AbortController();
    const done = playout.play([item('smptebars', 440), item('testsrc2', 880)], Date.now() + 500, abort.signal);
    try {
      await waitForAdvance(page, { from: 0, bySeconds: 1, timeoutMs: 8_000, what: 'the first item playing' });
      await waitFor(() => boundaries.length >= 2, { timeoutMs: 8_000, what: 'the second item to start' });
      const samples = await sampleTimes(page, 2_500);
      const state = await playerState(page);
      expect(samples.at(-1)! - samples[0]!).toBeGreaterThan(1.5);
      expect(longestStill(samples)).toBeLessThan(1_000);
      expect(state.errors).toEqual([]);
      expect(state.attempts).toBe(1);
    } finally {
      abort.abort();
      await done.catch(() => {});
    }
  });

  it('plays a scheduled show in copy mode from the pre-show slate through items and a break, without a reload', async () => {
    const [four, three] = await Promise.all([makeClip({ seconds: 4, width: 320, height: 240, fps: 25 }), makeClip({ seconds: 3, width: 320, height: 240, fps: 25 })]);
    const startMs = Date.now() + 6_000;
    const iso = (ms: number) => new Date(ms).toISOString();
    const file = scratchPlaylist('browser-show', [
      'stream: browsershow',
      'transcode: copy',
      'end_slate: 2s',
      'items:',
      `  - { file: ${JSON.stringify(four)}, title: First }`,
      `  - { file: ${JSON.stringify(three)}, title: Second, at: "${iso(startMs + 6_000)}" }`,
    ]);
    const tools = await locateFfmpeg();
    const show = await prepareShow({ playlist: loadPlaylist(file), tools, start: parseAt(iso(startMs)), clock: systemClock, timeZone: 'UTC' });
    expect(show.mode).toBe('copy');
    const channel = kayak.server.hub.publish('live', 'browsershow', 'playout');
    if (channel === undefined) throw new Error('could not claim live/browsershow');
    const playout = new Playout(show, tools, channel, systemClock, kayak.logger);
    const running = playout.run(new AbortController().signal);
    const page = await open('/live/browsershow.html');
    await waitForAdvance(page, { from: 0, bySeconds: 1, timeoutMs: 8_000, what: 'the pre-show slate playing' });
    expect(playout.report().state).toBe('pre-show');
    // Pre-show, First, a 2 s break, Second, into the end slate: sampled until the end slate is on.
    const samples: number[] = [];
    while (playout.report().state !== 'ended') samples.push(...(await sampleTimes(page, 1_000)));
    const state = await playerState(page);
    await running;
    console.info(`[browser] copy-mode show: played ${(samples.at(-1)! - samples[0]!).toFixed(1)} s, longest still ${longestStill(samples)} ms`);
    expect(samples.at(-1)! - samples[0]!).toBeGreaterThan(7);
    expect(longestStill(samples)).toBeLessThan(1_000);
    expect(state.errors).toEqual([]);
    expect(state.attempts).toBe(1);
  }, 60_000);

  it('shows the now-playing title, and a countdown before a scheduled start', async () => {
    let schedule: ScheduleStatus = {
      state: 'waiting',
      playlist: 'movie-night.yaml',
      stream: 'night',
      mode: 're-encode',
      timeZone: 'UTC',
      startsAt: new Date(Date.now() + 3_725_000).toISOString(),
      endsAt: null,
      closesAt: null,
      nowPlaying: null,
      next: [],
      ffmpegRestarts: 0,
      incidents: 0,
    };
    kayak.server.status.setScheduleSource(() => schedule);
    const page = await open('/watch/night');
    await waitFor(async () => /^starts in 1:0[12]:\d\d$/.test((await page.textContent('#countdown')) ?? ''), {
      timeoutMs: 5_000,
      what: 'the countdown',
    });
    expect(await page.isVisible('#countdown')).toBe(true);
    schedule = { ...schedule, state: 'playing', startsAt: new Date().toISOString(), nowPlaying: { title: 'Night of the Kayak', startedAt: new Date().toISOString(), positionS: 0, durationS: 60, kind: 'item' } };
    await waitFor(async () => (await page.textContent('#title')) === 'Night of the Kayak', { timeoutMs: 8_000, what: 'the now-playing title' });
    expect(await page.isVisible('#countdown')).toBe(false);
  });

  it('resumes by itself after the server is stopped and started again on the same ports', async () => {
    publishFfmpeg(kayak.rtmpUrl('restart'), clip, { loop: true });
    await waitForLive(kayak, 'restart');
    const page = await open('/live/restart.html');
    await waitForAdvance(page, { from: 0, bySeconds: 1, timeoutMs: 5_000, what: 'playback' });
    const { rtmpPort, httpPort } = kayak;
    await kayak.stop();
    await new Promise((r) => setTimeout(r, 1_500));
    kayak = await startKayak({ graceMs: 6_000, rtmpPort, httpPort });
    publishFfmpeg(kayak.rtmpUrl('restart'), clip, { loop: true });
    await waitForLive(kayak, 'restart');
    await waitFor(async () => {
      const s = await playerState(page);
      return s.attempts > 1 && s.playing;
    }, { timeoutMs: 20_000, what: 'the page to reconnect and play' });
    await waitForAdvance(page, { bySeconds: 1, timeoutMs: 5_000, what: 'playback after the restart' });
  }, 45_000);
});
