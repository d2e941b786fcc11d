import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT } from '../helpers/server.js';
import { runProcess, waitFor } from '../helpers/processes.js';

/** Headless Debian Chromium driven by playwright-core; never a downloaded browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** `extraArgs`: e.g. --ignore-certificate-errors for a server with a self-signed certificate. */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--autoplay-policy=no-user-gesture-required',
      ...extraArgs,
    ],
  });
}

/** Builds dist/web (the page the server serves); must run before the server is constructed. */
export async function buildWebPage(): Promise<void> {
  const r = await runProcess(process.execPath, ['scripts/build-web.mjs'], { cwd: REPO_ROOT, timeoutMs: 60_000, name: 'build-web' });
  if (r.code !== 0) throw new Error(`scripts/build-web.mjs failed:\n${r.stdout}${r.stderr}`);
}

export interface PlayerState {
  currentTime: number;
  videoWidth: number;
  paused: boolean;
  /** Seconds buffered ahead of the playhead: how far behind the live edge the picture is, on top of the network. */
  bufferAheadS: number;
  /** Player and <video> error events seen by the page. */
  errors: string[];
  /** Players created so far: 1 means it never had to reconnect. */
  attempts: number;
  transport: string;
  playing: boolean;
}

/** The page's globals as far as these tests read them (the project's tsconfig has no DOM lib). */
interface WatchGlobals {
  document: { getElementById(id: string): { currentTime: number; videoWidth: number; paused: boolean; buffered: { length: number; end(i: number): number } } | null };
  kayak?: { errors: string[]; attempts: number; transport: string; playing: boolean };
}

export function playerState(page: Page): Promise<PlayerState> {
  return page.evaluate(() => {
    const g = globalThis as unknown as WatchGlobals;
    const v = g.document.getElementById('video');
    const k = g.kayak;
    return {
      currentTime: v?.currentTime ?? 0,
      videoWidth: v?.videoWidth ?? 0,
      paused: v?.paused ?? true,
      bufferAheadS: v !== null && v.buffered.length > 0 ? v.buffered.end(v.buffered.length - 1) - v.currentTime : 0,
      errors: [...(k?.errors ?? [])],
      attempts: k?.attempts ?? 0,
      transport: k?.transport ?? '',
      playing: k?.playing ?? false,
    };
  });
}

/** Horizontal overflow of the page in CSS pixels: positive means a phone user would have to scroll sideways. */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const g = globalThis as unknown as { document: { documentElement: { scrollWidth: number } }; innerWidth: number };
    return g.document.documentElement.scrollWidth - g.innerWidth;
  });
}

/** Waits until the video shows frames and its clock has moved `bySeconds` past `from` (re-read if omitted). */
export async function waitForAdvance(page: Page, opts: { bySeconds: number; timeoutMs: number; what: string; from?: number }): Promise<PlayerState> {
  const from = opts.from ?? (await playerState(page)).currentTime;
  let last: PlayerState | undefined;
  return waitFor(
    async () => {
      last = await playerState(page);
      return last.videoWidth > 0 && last.currentTime >= from + opts.bySeconds ? last : null;
    },
    { timeoutMs: opts.timeoutMs, intervalMs: 100, what: `${opts.what} (last: ${JSON.stringify(last)})` },
  );
}

/** Samples currentTime for `ms` and returns the samples; a player that stalls shows repeated values. */
export async function sampleTimes(page: Page, ms: number, everyMs = 250): Promise<number[]> {
  const samples: number[] = [];
  const end = Date.now() + ms;
  while (Date.now() < end) {
    samples.push((await playerState(page)).currentTime);
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return samples;
}

/** The longest time (ms) the samples stood still. */
export function longestStill(samples: readonly number[], everyMs = 250): number {
  let run = 0;
  let longest = 0;
  for (let i = 1; i < samples.length; i++) {
    run = samples[i] === samples[i - 1] ? run + everyMs : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}
