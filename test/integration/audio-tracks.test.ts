import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { locateFfmpeg } from '../../src/playout/ffmpeg-locate.js';
import { loadPlaylist } from '../../src/playout/playlist.js';
import { itemCommand } from '../../src/playout/segment-commands.js';
import { type Show, prepareShow } from '../../src/playout/show.js';
import { renderShow } from '../../src/playout/show-render.js';
import { systemClock } from '../../src/util/clock.js';
import { scratchPlaylist, scratchSubdir } from '../helpers/media.js';
import { ffmpegTo, integratedLoudness, runCommandTo, toneHz } from '../helpers/movie-night.js';
import { describeWithPeers } from '../helpers/peers.js';
import { trackProcesses } from '../helpers/processes.js';

/**
 * The right audio track, proven by its tone: a movie with an English track at 500 Hz and a Japanese one at 800 Hz
 * (the Japanese one marked as the file's default). And loudness: a quiet movie comes out at the target, measured
 * with ffmpeg's EBU R128 meter.
 */
const ENGLISH_HZ = 500;
const JAPANESE_HZ = 800;
/** How close a measured tone must be (zero crossings over a second are exact to a hertz or two). */
const HZ_TOLERANCE = 15;
/** loudnorm's target, and how close the output must come (the 2 LU). */
const TARGET_LUFS = -16;
const LOUDNESS_TOLERANCE_LU = 2;

describeWithPeers(['ffmpeg', 'ffprobe'], 'audio tracks and loudness', () => {
  trackProcesses();
  let dir: string;
  let show: Show;
  let loud: Show;

  beforeAll(async () => {
    dir = scratchSubdir('audio-tracks');
    const video = ['-f', 'lavfi', '-i', 'color=c=black:size=160x90:rate=10:duration=3'];
    const tone = (hz: number, volume = '0dB') => ['-f', 'lavfi', '-i', `sine=frequency=${hz}:sample_rate=48000:duration=3,volume=${volume}`];
    const movie = await ffmpegTo(
      [...video, ...tone(ENGLISH_HZ), ...tone(JAPANESE_HZ), '-map', '0', '-map', '1', '-map', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac',
        '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=jpn', '-disposition:a:0', '0', '-disposition:a:1', 'default'],
      join(dir, 'two tracks.mkv'),
    );
    const quiet = await ffmpegTo([...video, ...tone(ENGLISH_HZ, '-30dB'), '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac'], join(dir, 'quiet.mp4'));
    const tools = await locateFfmpeg();
    const file = JSON.stringify(movie);
    show = await prepareShow({
      playlist: loadPlaylist(
        scratchPlaylist('audio-show', [
          'transcode: normalize',
          'output: { width: 160, height: 90, fps: 10, video_bitrate: 100k }',
          'audio: { languages: [fre, jpn] }',
          'items:',
          `  - { file: ${file}, title: By preference }`,
          `  - { file: ${file}, title: By language, audio: { track: eng } }`,
          `  - { file: ${file}, title: By number, audio: { track: 2 } }`,
          `  - { file: ${file}, title: Shorthand, audio: en }`,
        ]),
      ),
      tools,
      start: { kind: 'now' },
      clock: systemClock,
      timeZone: 'UTC',
    });
    loud = await prepareShow({
      playlist: loadPlaylist(
        scratchPlaylist('loudness-show', ['normalize_loudness: true', 'output: { width: 160, height: 90, fps: 10, video_bitrate: 100k }', 'items:', `  - ${JSON.stringify(quiet)}`]),
      ),
      tools,
      start: { kind: 'now' },
      clock: systemClock,
      timeZone: 'UTC',
    });
  }, 120_000);

  afterAll(() => {
    show?.workspace.dispose();
    loud?.workspace.dispose();
  });

  const playedTone = async (s: Show, index: number): Promise<number> => {
    const item = s.playlist.items[index];
    if (item === undefined) throw new Error(`no item ${index}`);
    const out = await runCommandTo(itemCommand(s, item, s.probes[index], 0, 3), join(dir, `item-${index}.flv`));
    return toneHz(out, 0.5, 2, dir);
  };

  it("plays the playlist's preferred language, the item's language, the item's track number", async () => {
    expect(Math.abs((await playedTone(show, 0)) - JAPANESE_HZ)).toBeLessThan(HZ_TOLERANCE);
    expect(Math.abs((await playedTone(show, 1)) - ENGLISH_HZ)).toBeLessThan(HZ_TOLERANCE);
    expect(Math.abs((await playedTone(show, 2)) - JAPANESE_HZ)).toBeLessThan(HZ_TOLERANCE);
    expect(Math.abs((await playedTone(show, 3)) - ENGLISH_HZ)).toBeLessThan(HZ_TOLERANCE);
  });

  it("plays the file's default track when nothing is asked for", async () => {
    const plain = await prepareShow({
      playlist: loadPlaylist(scratchPlaylist('default-track', ['output: { width: 160, height: 90, fps: 10, video_bitrate: 100k }', 'items:', `  - ${JSON.stringify(join(dir, 'two tracks.mkv'))}`])),
      tools: await locateFfmpeg(),
      start: { kind: 'now' },
      clock: systemClock,
      timeZone: 'UTC',
    });
    expect(plain.tracks[0]?.audio?.number).toBe(2);
    expect(Math.abs((await playedTone(plain, 0)) - JAPANESE_HZ)).toBeLessThan(HZ_TOLERANCE);
  });

  it('prints which track each item plays', () => {
    const text = renderShow(show);
    expect(text).toMatch(/By preference\s+re-encode\s+2 jpn/);
    expect(text).toMatch(/By language\s+re-encode\s+1 eng/);
  });

  it('refuses a track the file does not have, naming what it has', async () => {
    const playlist = loadPlaylist(scratchPlaylist('missing-track', ['items:', `  - { file: ${JSON.stringify(join(dir, 'two tracks.mkv'))}, audio: { track: kor } }`]));
    await expect(prepareShow({ playlist, tools: await locateFfmpeg(), start: { kind: 'now' }, clock: systemClock, timeZone: 'UTC' })).rejects.toThrow(
      /show\.yaml:2: items\[0\]\.audio: the file has no audio track in 'kor' \(it has: 1 eng, 2 jpn\)/,
    );
  });

  it(`brings a quiet movie to ${TARGET_LUFS} LUFS (EBU R128, measured by ffmpeg's ebur128)`, async () => {
    expect(loud.mode).toBe('normalize');
    expect(loud.modeReasons).toContain('normalize_loudness re-encodes the sound');
    const item = loud.playlist.items[0];
    if (item === undefined) throw new Error('no item');
    const out = await runCommandTo(itemCommand(loud, item, loud.probes[0], 0, 3), join(dir, 'loud.flv'));
    expect(Math.abs((await integratedLoudness(out)) - TARGET_LUFS)).toBeLessThanOrEqual(LOUDNESS_TOLERANCE_LU);
    expect(await integratedLoudness(join(dir, 'quiet.mp4'))).toBeLessThan(TARGET_LUFS - 20);
  });
});
