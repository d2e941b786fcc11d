import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { locateFfmpeg } from '../../src/playout/ffmpeg-locate.js';
import { normalizeCommand } from '../../src/playout/normalize-command.js';
import { loadPlaylist } from '../../src/playout/playlist.js';
import { itemCommand, slateCommand } from '../../src/playout/segment-commands.js';
import { type Show, prepareShow } from '../../src/playout/show.js';
import { systemClock } from '../../src/util/clock.js';
import { scratchPlaylist, scratchSubdir } from '../helpers/media.js';
import { type Changed, changedPixels, ffmpegTo, grayFrameAt, runCommandTo } from '../helpers/movie-night.js';
import { describeWithPeers } from '../helpers/peers.js';
import { trackProcesses } from '../helpers/processes.js';

/** The logo in its corner on every picture (slates too), the title for the first seconds, the channel's name. */
const W = 640;
const H = 360;

describeWithPeers(['ffmpeg', 'ffprobe'], 'logo, channel name and titles on screen', () => {
  trackProcesses();
  let dir: string;
  let logoShow: Show;
  let nameShow: Show;
  let reference: string;

  const prepare = async (name: string, lines: string[]): Promise<Show> =>
    prepareShow({ playlist: loadPlaylist(scratchPlaylist(name, lines)), tools: await locateFfmpeg(), start: { kind: 'now' }, clock: systemClock, timeZone: 'UTC' });

  beforeAll(async () => {
    dir = scratchSubdir('on-screen');
    const movie = await ffmpegTo(
      ['-f', 'lavfi', '-i', `color=c=0x202020:size=${W}x${H}:rate=10:duration=3`, '-f', 'lavfi', '-i', 'sine=frequency=440:duration=3', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac'],
      join(dir, 'movie.mp4'),
    );
    const logo = await ffmpegTo(['-f', 'lavfi', '-i', 'color=c=white:size=90x90', '-frames:v', '1'], join(dir, 'logo.png'));
    const output = `output: { width: ${W}, height: ${H}, fps: 10, video_bitrate: 400k }`;
    logoShow = await prepare('logo-show', [output, `overlay: { image: ${JSON.stringify(logo)}, position: top-right }`, 'show_titles: 1s', 'items:', `  - { file: ${JSON.stringify(movie)}, title: Amélie }`]);
    nameShow = await prepare('name-show', [output, 'overlay: { text: Kayak TV, position: bottom-left }', 'items:', `  - { file: ${JSON.stringify(movie)}, title: Amélie }`]);
    const probe = logoShow.probes[0];
    if (probe === undefined) throw new Error('not probed');
    reference = await runCommandTo(normalizeCommand({ kind: 'file', path: movie, probe, title: 'plain' }, 0, 3, { ...logoShow.profile, overlay: undefined }), join(dir, 'reference.flv'));
  }, 120_000);

  afterAll(() => {
    logoShow?.workspace.dispose();
    nameShow?.workspace.dispose();
  });

  const expectLogoBox = (changed: Changed) => {
    const box = changed.box ?? { x0: 0, y0: 0, x1: 0, y1: 0 };
    const expected = { x0: W - 12 - 45, y0: 12, x1: W - 12 - 1, y1: 12 + 45 - 1 };
    for (const key of ['x0', 'y0', 'x1', 'y1'] as const) expect(Math.abs(box[key] - expected[key]), key).toBeLessThanOrEqual(1);
  };
  const changesAt = async (file: string, t: number): Promise<Changed> => changedPixels(await grayFrameAt(file, t, W, H), await grayFrameAt(reference, t, W, H), W);
  const play = (show: Show, name: string) => {
    const item = show.playlist.items[0];
    if (item === undefined) throw new Error('no item');
    return runCommandTo(itemCommand(show, item, show.probes[0], 0, 3), join(dir, `${name}.flv`));
  };

  it('puts the logo top right, scaled to an eighth of the height, and the title bottom left for its first second', async () => {
    expect(logoShow.mode).toBe('normalize');
    const file = await play(logoShow, 'logo');
    const early = await changesAt(file, 0.5);
    const late = await changesAt(file, 2);
    // The logo: 45x45 (360 / 8; its width rounded to even), 12 px (360 / 30) from the top and right edges, all the time.
    expectLogoBox(late);
    expect(late.count).toBeGreaterThan(45 * 45 * 0.9);
    // The title adds pixels in the lower left early on.
    expect(early.count).toBeGreaterThan(late.count + 100);
    expect(early.box?.x0).toBeLessThan(W / 4);
    expect(early.box?.y1).toBeGreaterThan(H * 0.7);
  });

  it('puts the logo on slates too', async () => {
    const slate = await runCommandTo(slateCommand(logoShow, ['Up next'], 1), join(dir, 'slate.flv'));
    const plain = await runCommandTo(slateCommand({ ...logoShow, profile: { ...logoShow.profile, overlay: undefined } }, ['Up next'], 1), join(dir, 'slate-plain.flv'));
    const changed = changedPixels(await grayFrameAt(slate, 0.5, W, H), await grayFrameAt(plain, 0.5, W, H), W);
    expectLogoBox(changed);
  });

  it("draws the channel's name in its corner", async () => {
    const changed = await changesAt(await play(nameShow, 'name'), 1.5);
    expect(changed.count).toBeGreaterThan(100);
    expect(changed.box?.x0).toBeLessThan(W / 4);
    expect(changed.box?.y0).toBeGreaterThan(H * 0.8);
  });
});
