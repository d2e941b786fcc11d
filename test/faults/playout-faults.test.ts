import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/status/status-snapshot.js';
import { makeClip, scratchSubdir } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { httpJson } from '../helpers/players.js';
import { ownChildren, trackProcesses, waitFor } from '../helpers/processes.js';
import { requireBuilt } from '../helpers/server.js';
import { ArrivalViewer, type SteadyStream, startSteadyStream } from '../helpers/steady-stream.js';

/**
 * Faults of the playout, against `kayak-cast schedule` (its embedded server also carries a bystander publisher and
 * viewer): ffmpeg killed with SIGKILL in the middle of an item, and the playlist's files (the YAML too) removed while
 * the show runs. The channel's viewer stays connected on one timeline (slates stand in meanwhile); nothing else notices.
 */

const FPS = 25;
const OUTPUT = `{ width: 320, height: 240, fps: ${FPS}, video_bitrate: 300k, audio_bitrate: 64k, sample_rate: 48000 }`;
/** Largest step between two video frames' timestamps on the channel: a frame or two, never a hole or a jump. */
const MAX_VIDEO_STEP_MS = 3 * (1000 / FPS);
const HEALTHY_GAP_MS = 2_000;

describeWithPeers(['ffmpeg', 'ffprobe'], 'faults of the playout', () => {
  trackProcesses();
  let show: { steady: SteadyStream; channel: ArrivalViewer } | undefined;

  beforeAll(requireBuilt, 240_000);
  afterEach(async () => {
    await show?.channel.stop();
    await show?.steady.stop();
    show = undefined;
  });

  async function startShow(playlist: string) {
    const steady = await startSteadyStream({ server: { command: 'schedule', playlist, args: ['--at', 'now'] } });
    const channel = ArrivalViewer.start(steady.server.flvUrl('channel'));
    show = { steady, channel };
    await channel.moreFrames(FPS);
    const status = () => httpJson<StatusSnapshot>(steady.server.httpUrl('/api/status'));
    const nowPlaying = async (title: string) =>
      waitFor(async () => ((await status()).schedule?.nowPlaying?.title === title ? (await status()).schedule : undefined), {
        timeoutMs: 40_000,
        intervalMs: 200,
        what: `"${title}" on air`,
      });
    return { steady, channel, status, nowPlaying };
  }

  function expectOneTimeline(channel: ArrivalViewer, since: number): void {
    expect(channel.problem()).toBeUndefined();
    expect(channel.last?.regressions, 'video timestamps never go back').toBe(0);
    expect(channel.last?.maxVideoStep).toBeLessThanOrEqual(MAX_VIDEO_STEP_MS);
    expect(channel.largestGap(since).ms).toBeLessThan(HEALTHY_GAP_MS);
  }

  it('ffmpeg killed (SIGKILL) mid-item: restarted where it stopped, the channel goes on', async () => {
    const dir = scratchSubdir('kill-show');
    const playlist = join(dir, 'kill.yaml');
    const tone = 733; // marks the long item's ffmpeg among the schedule's children
    writeFileSync(playlist, [
      'stream: channel', 'loop: true', 'transcode: normalize', `output: ${OUTPUT}`, 'items:',
      // Longer than playout's read-ahead (about 10 s), so that its ffmpeg is still running, held back by the pipe.
      `  - { title: Long card, generate: { pattern: testsrc2, seconds: 24, tone: ${tone} } }`,
      '  - { title: Bars, generate: { pattern: smptebars, seconds: 4, tone: 1000 } }',
      '',
    ].join('\n'));
    const { steady, channel, status, nowPlaying } = await startShow(playlist);
    const since = steady.mark();
    await nowPlaying('Long card');
    await waitFor(async () => ((await status()).schedule?.nowPlaying?.positionS ?? 0) >= 3, { timeoutMs: 10_000, what: '3 s into the item' });
    const victims = ownChildren(new RegExp(`frequency=${tone}\\b`), steady.server.pid);
    expect(victims, 'the item\'s ffmpeg is running').toHaveLength(1);
    process.kill(victims[0]!, 'SIGKILL');

    await waitFor(async () => (await status()).schedule?.ffmpegRestarts === 1, { timeoutMs: 15_000, what: 'the restart' });
    await waitFor(() => steady.server.log.some((l) => l.event === 'item-resumed'), { timeoutMs: 15_000, what: 'the item to play again' });
    await channel.moreFrames(2 * FPS);
    expectOneTimeline(channel, since);
    // One failure (a slate meanwhile), then the item plays again from where it stopped.
    expect(steady.server.log.filter((l) => l.event === 'item-failed')).toHaveLength(1);
    expect(steady.server.log.some((l) => l.event === 'item-resumed' && l.message.includes('Long card'))).toBe(true);
    expect(steady.problems()).toEqual([]);
    expect(steady.largestGapSince(since)).toBeLessThan(HEALTHY_GAP_MS);
    expect(steady.server.errorLines()).toEqual([]);
    console.info(`[faults] ffmpeg SIGKILL mid-item: restarted; channel viewer ${channel.last?.frames} frames, largest timestamp step ${channel.last?.maxVideoStep} ms, largest wait ${channel.largestGap(since).ms.toFixed(0)} ms`);
  }, 120_000);

  it('the playlist file and its movies removed during the show: slates in their place, the channel goes on', async () => {
    const dir = scratchSubdir('removed-show');
    const clip = await makeClip({ seconds: 3, width: 320, height: 240, fps: FPS });
    copyFileSync(clip, join(dir, 'a.flv'));
    copyFileSync(clip, join(dir, 'b.flv'));
    const playlist = join(dir, 'show.yaml');
    writeFileSync(playlist, [
      'stream: channel', 'loop: true', 'transcode: normalize', `output: ${OUTPUT}`, 'items:',
      '  - { title: Card, generate: { pattern: testsrc2, seconds: 4, tone: 440 } }',
      '  - { file: a.flv, title: Movie A }',
      '  - { file: b.flv, title: Movie B }',
      '',
    ].join('\n'));
    const { steady, channel, nowPlaying } = await startShow(playlist);
    const since = steady.mark();
    await nowPlaying('Card');
    // Before its slot: Movie A's file, and the playlist itself.
    rmSync(join(dir, 'a.flv'));
    rmSync(playlist);
    await nowPlaying('Movie B');
    // While it plays: Movie B's file (its ffmpeg has it open). The next loop finds neither movie.
    rmSync(join(dir, 'b.flv'));
    await nowPlaying('Card');
    await nowPlaying('Movie B');
    await channel.moreFrames(2 * FPS);

    // Each missing movie is reported (at error level: the show lost an item) and a slate fills its slot.
    const missing = steady.server.log.filter((l) => l.event === 'item-unavailable').map((l) => l.message);
    expect(missing.some((m) => m.includes('Movie A')), missing.join('\n')).toBe(true);
    expect(missing.some((m) => m.includes('Movie B')), missing.join('\n')).toBe(true);
    expectOneTimeline(channel, since);
    expect(steady.problems()).toEqual([]);
    expect(steady.largestGapSince(since)).toBeLessThan(HEALTHY_GAP_MS);
    expect(steady.server.errorLines().filter((l) => !l.includes('"event":"item-unavailable"'))).toEqual([]);
    console.info(`[faults] files removed mid-show: ${missing.length} slates; channel viewer ${channel.last?.frames} frames, largest timestamp step ${channel.last?.maxVideoStep} ms`);
  }, 120_000);
});
