import { afterAll, beforeAll, expect, it } from 'vitest';
import { normalizeCommand } from '../../src/playout/normalize-command.js';
import { PacedPlayout, type PlannedSegment } from '../../src/playout/paced-playout.js';
import { systemClock } from '../../src/util/clock.js';
import { mediaFrames } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { httpFlvView } from '../helpers/players.js';
import { trackProcesses, waitFor } from '../helpers/processes.js';
import { type RunningKayak, startKayak } from '../helpers/server.js';

/** The dashboard's `n`: the segment on air ends early, without counting as a crash, and the next follows at once. */
const PROFILE = { width: 320, height: 240, fps: 25, videoBitrate: 300_000, audioBitrate: 64_000, sampleRate: 48_000 };

describeWithPeers(['ffmpeg'], 'skipping the segment on air', () => {
  trackProcesses();
  let kayak: RunningKayak;

  beforeAll(async () => {
    kayak = await startKayak();
  });

  afterAll(async () => {
    await kayak?.stop();
  });

  it('cuts the current segment short and plays the next one right away, with no restart', async () => {
    const segments: PlannedSegment[] = [
      { title: 'long', seconds: 30, command: (at) => normalizeCommand({ kind: 'generated', pattern: 'smptebars', toneHz: 440 }, at, 30 - at, PROFILE) },
      { title: 'short', seconds: 2, command: (at) => normalizeCommand({ kind: 'generated', pattern: 'testsrc2', toneHz: 880 }, at, 2 - at, PROFILE) },
    ];
    const channel = kayak.server.hub.publish('live', 'skip', 'playout');
    if (channel === undefined) throw new Error('could not claim live/skip');
    const viewer = httpFlvView(kayak.flvUrl('skip'));
    await viewer.response;
    const started: string[] = [];
    const restarts: string[] = [];
    const playout = new PacedPlayout({
      ffmpegPath: 'ffmpeg',
      sink: channel,
      clock: systemClock,
      logger: kayak.logger,
      frameMs: 1000 / PROFILE.fps,
      onSegment: (segment) => started.push(segment.title),
      onIncident: (segment) => restarts.push(segment.title),
    });
    const begin = Date.now();
    const done = playout.play(segments, begin + 500, new AbortController().signal);
    await waitFor(() => started.includes('long') || undefined, { timeoutMs: 15_000 });
    await new Promise((r) => setTimeout(r, 1500));
    playout.skipCurrent();
    await done;
    const took = Date.now() - begin;
    viewer.close();

    expect(started).toEqual(['long', 'short']);
    expect(restarts).toEqual([]);
    expect(took).toBeLessThan(12_000);
    const video = mediaFrames(viewer.tags, 'video');
    for (let i = 1; i < video.length; i++) expect(video[i]?.timestamp ?? 0).toBeGreaterThan(video[i - 1]?.timestamp ?? 0);
    const last = video.at(-1)?.timestamp ?? 0;
    // About 2 s of "long" and 2 s of "short", far from the planned 32 s.
    expect(last).toBeGreaterThan(2500);
    expect(last).toBeLessThan(8000);
  });
});
