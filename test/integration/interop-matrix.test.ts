import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildWebPage, launchChromium, waitForAdvance } from '../browser/chromium.js';
import { makeClip, mediaFrames } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { ffprobeStreams, gstPlay, gstPublish, publishFfmpeg, rtmpdumpPlay } from '../helpers/players.js';
import { stopProcess, trackProcesses } from '../helpers/processes.js';
import type { ManagedProcess } from '../helpers/processes.js';
import { type RunningKayak, startKayak, waitForLive } from '../helpers/server.js';

/**
 * Every real publisher against every real player, each for a few seconds: the README's table of tested clients is
 * this matrix. The players of one publisher run at the same time, so the whole matrix takes well under two minutes.
 */
const PLAYERS = ['ffprobe (RTMP)', 'ffprobe (HTTP-FLV)', 'rtmpdump', 'GStreamer rtmp2src ! flvdemux', 'Chromium (HTTP-FLV)', 'Chromium (WS-FLV)'] as const;
type Player = (typeof PLAYERS)[number];
type Publisher = 'ffmpeg' | 'GStreamer rtmp2sink';

describeWithPeers(['ffmpeg', 'ffprobe', 'rtmpdump', 'gst-rtmp', 'chromium'], 'interop matrix', () => {
  trackProcesses();
  let kayak: RunningKayak;
  let browser: Browser;
  let clip: string;
  const results: { publisher: Publisher; player: Player; ok: boolean; detail: string }[] = [];

  beforeAll(async () => {
    await buildWebPage();
    [kayak, browser, clip] = await Promise.all([
      startKayak(),
      launchChromium(),
      // Long enough for GStreamer, which plays the clip once in real time, to outlast every player.
      makeClip({ seconds: 20, width: 320, height: 240, fps: 25, audioRate: 48_000 }),
    ]);
  }, 90_000);

  afterAll(async () => {
    if (results.length > 0) {
      console.info(`[interop]\n${results.map((r) => `${r.ok ? 'ok  ' : 'FAIL'} ${r.publisher} → ${r.player}: ${r.detail}`).join('\n')}`);
    }
    await browser?.close();
    await kayak?.stop();
  });

  const play: Record<Player, (key: string) => Promise<string>> = {
    'ffprobe (RTMP)': async (key) => describeStreams(await ffprobeStreams(kayak.rtmpUrl(key))),
    'ffprobe (HTTP-FLV)': async (key) => describeStreams(await ffprobeStreams(kayak.flvUrl(key))),
    rtmpdump: async (key) => {
      const r = await rtmpdumpPlay(kayak.rtmpUrl(key), 3);
      const video = mediaFrames(r.tags, 'video').length;
      const audio = mediaFrames(r.tags, 'audio').length;
      if (r.flvError !== undefined || video < 25 || audio < 25) throw new Error(`${video} video / ${audio} audio frames, ${r.flvError ?? ''}\n${r.stderr.slice(-500)}`);
      return `${video} video + ${audio} audio frames in 3 s`;
    },
    'GStreamer rtmp2src ! flvdemux': async (key) => {
      const r = await gstPlay(kayak.rtmpUrl(key), { videoBuffers: 50, audioBuffers: 50, timeoutMs: 20_000 });
      if (!r.ok) throw new Error(`pipeline failed (exit ${r.code}${r.timedOut ? ', timed out' : ''}):\n${r.output.slice(-800)}`);
      return `EOS after 50 video + 50 audio buffers, ${/width=\(int\)(\d+)/.exec(r.videoCaps ?? '')?.[1] ?? '?'} px wide`;
    },
    'Chromium (HTTP-FLV)': (key) => chromiumPlays(key, 'http'),
    'Chromium (WS-FLV)': (key) => chromiumPlays(key, 'ws'),
  };

  async function chromiumPlays(key: string, transport: 'http' | 'ws'): Promise<string> {
    const page = await browser.newPage();
    try {
      await page.goto(kayak.httpUrl(`/live/${key}.html${transport === 'ws' ? '?transport=ws' : ''}`));
      const s = await waitForAdvance(page, { from: 0, bySeconds: 2, timeoutMs: 10_000, what: `Chromium playing over ${transport}` });
      if (s.transport !== transport || s.errors.length > 0) throw new Error(`played over ${s.transport}, errors ${s.errors.join('; ')}`);
      return `${s.videoWidth} px video, ${s.currentTime.toFixed(1)} s played`;
    } finally {
      await page.close();
    }
  }

  async function runMatrix(publisher: Publisher, key: string, start: () => ManagedProcess): Promise<void> {
    const p = start();
    try {
      await waitForLive(kayak, key);
      const settled = await Promise.allSettled(PLAYERS.map((player) => play[player](key)));
      settled.forEach((r, i) => {
        const player = PLAYERS[i] as Player;
        results.push(
          r.status === 'fulfilled'
            ? { publisher, player, ok: true, detail: r.value }
            : { publisher, player, ok: false, detail: r.reason instanceof Error ? r.reason.message : String(r.reason) },
        );
      });
      expect(p.exit, `${publisher} exited early:\n${p.output()}`).toBeNull();
    } finally {
      await stopProcess(p);
    }
    const failed = results.filter((r) => r.publisher === publisher && !r.ok);
    expect(failed.map((r) => `${r.player}: ${r.detail}`)).toEqual([]);
  }

  it('ffmpeg publishing: every player plays', async () => {
    await runMatrix('ffmpeg', 'm-ffmpeg', () => publishFfmpeg(kayak.rtmpUrl('m-ffmpeg'), clip, { loop: true }));
  }, 60_000);

  it('GStreamer rtmp2sink publishing: every player plays', async () => {
    await runMatrix('GStreamer rtmp2sink', 'm-gst', () => gstPublish(kayak.rtmpUrl('m-gst'), clip));
  }, 60_000);
});

function describeStreams(streams: Awaited<ReturnType<typeof ffprobeStreams>>): string {
  const video = streams.find((s) => s.codec_type === 'video');
  const audio = streams.find((s) => s.codec_type === 'audio');
  if (video?.codec_name !== 'h264' || video.width !== 320 || audio?.codec_name !== 'aac') {
    throw new Error(`unexpected streams: ${JSON.stringify(streams.map((s) => [s.codec_type, s.codec_name, s.width]))}`);
  }
  return `h264 ${video.width}x${video.height} + aac ${audio.sample_rate} Hz`;
}
