import { afterAll, beforeAll, expect, it } from 'vitest';
import { normalizeCommand } from '../../src/playout/normalize-command.js';
import { PacedPlayout, type PlannedSegment } from '../../src/playout/paced-playout.js';
import { systemClock } from '../../src/util/clock.js';
import { followPlaylist, timeSteps } from '../helpers/hls.js';
import { describeWithPeers } from '../helpers/peers.js';
import { ffprobePackets } from '../helpers/players.js';
import { trackProcesses } from '../helpers/processes.js';
import { type RunningKayak, startKayak } from '../helpers/server.js';

/**
 * A scheduled playlist over HLS: two items, each made by its own ffmpeg, go out as one HLS stream whose timestamps run
 * on across the item boundary with no EXT-X-DISCONTINUITY (the playout keeps one output profile, and the channel one
 * timeline), read by ffprobe as a player and checked against RFC 8216 across reloads.
 */
const PROFILE = { width: 320, height: 240, fps: 25, videoBitrate: 300_000, audioBitrate: 64_000, sampleRate: 48_000 };

describeWithPeers(['ffmpeg', 'ffprobe'], 'HLS across a playlist item boundary', () => {
  trackProcesses();
  let kayak: RunningKayak;

  beforeAll(async () => {
    kayak = await startKayak();
  });

  afterAll(async () => {
    await kayak?.stop();
  });

  it('plays one continuous stream across the boundary', async () => {
    const item = (pattern: 'smptebars' | 'testsrc2', toneHz: number, seconds: number): PlannedSegment => ({
      title: pattern,
      seconds,
      command: (at) => normalizeCommand({ kind: 'generated', pattern, toneHz }, at, seconds - at, PROFILE),
    });
    const channel = kayak.server.hub.publish('live', 'night', 'playout');
    if (channel === undefined) throw new Error('could not claim live/night');
    const started: number[] = [];
    const playout = new PacedPlayout({ ffmpegPath: 'ffmpeg', sink: channel, clock: systemClock, logger: kayak.logger, frameMs: 1000 / PROFILE.fps, onSegment: () => started.push(Date.now()) });
    const abort = new AbortController();
    const done = playout.play([item('smptebars', 440, 7), item('testsrc2', 880, 12)], Date.now() + 500, abort.signal);
    try {
      // ffprobe joins during the first item (at about 3 s) and reads 11 s: the boundary is at 7 s.
      await new Promise((r) => setTimeout(r, 3_000));
      const [probed, followed] = await Promise.all([
        ffprobePackets(kayak.httpUrl('/live/night.m3u8'), 11, { streams: 'v', timeoutMs: 60_000 }),
        followPlaylist(kayak.httpUrl('/live/night/index.m3u8'), 12_000),
      ]);
      expect(started.length).toBe(2);
      expect(followed.checker.problems).toEqual([]);
      expect(followed.last?.body).not.toContain('#EXT-X-DISCONTINUITY');
      const video = probed.video;
      expect(video.length).toBeGreaterThan(10 * PROFILE.fps);
      const { largest: largestGap, notForward } = timeSteps(video.map((p) => p.dtsTime));
      expect(notForward).toEqual([]);
      expect(largestGap).toBeLessThanOrEqual(2 / PROFILE.fps + 0.001);
      console.info(`[hls-playout] ${video.length} frames over the boundary, largest DTS step ${(largestGap * 1000).toFixed(0)} ms`);
    } finally {
      abort.abort();
      await done.catch(() => {});
    }
  }, 60_000);
});
