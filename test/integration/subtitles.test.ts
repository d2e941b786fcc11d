import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { locateFfmpeg } from '../../src/playout/ffmpeg-locate.js';
import { normalizeCommand } from '../../src/playout/normalize-command.js';
import { loadPlaylist } from '../../src/playout/playlist.js';
import { itemCommand } from '../../src/playout/segment-commands.js';
import { type Show, prepareShow } from '../../src/playout/show.js';
import { systemClock } from '../../src/util/clock.js';
import { scratchPlaylist, scratchSubdir } from '../helpers/media.js';
import {
  type Changed,
  assText,
  changedPixels,
  ffmpegTo,
  grayFrameAt,
  latinOnlyFontconfig,
  maskDifference,
  pgsStream,
  runCommandTo,
  srtText,
  writeEncoded,
} from '../helpers/movie-night.js';
import { describeWithPeers } from '../helpers/peers.js';
import { trackProcesses } from '../helpers/processes.js';

/**
 * Subtitles burned in by the real ffmpeg (libass, and the overlay of picture subtitles), checked on decoded frames of
 * the FLV playout writes: at a cue's time text pixels appear where the subtitle belongs, and outside its time the
 * frame is the same as without subtitles.
 */
const W = 640;
const H = 360;
const CUE = { fromS: 1, toS: 2 };
/** Times (s) inside the cue and outside it. */
const DURING = 1.5;
const BEFORE = 0.5;
const AFTER = 2.6;

describeWithPeers(['ffmpeg', 'ffprobe', 'iconv', 'fontconfig', 'cjk-font'], 'burned-in subtitles', () => {
  trackProcesses();
  let dir: string;
  let show: Show;
  let reference: string;
  /** Frames of each item's output at BEFORE, DURING and AFTER, compared with the same times without subtitles. */
  const changes = new Map<string, { before: Changed; during: Changed; after: Changed }>();

  const measure = async (name: string, file: string): Promise<{ before: Changed; during: Changed; after: Changed }> => {
    const at = async (t: number) => changedPixels(await grayFrameAt(file, t, W, H), await grayFrameAt(reference, t, W, H), W);
    const result = { before: await at(BEFORE), during: await at(DURING), after: await at(AFTER) };
    changes.set(name, result);
    return result;
  };

  beforeAll(async () => {
    dir = scratchSubdir('subtitles');
    const p = (name: string) => join(dir, name);
    const movie = await ffmpegTo(
      ['-f', 'lavfi', '-i', `color=c=0x202020:size=${W}x${H}:rate=10:duration=3`, '-f', 'lavfi', '-i', 'sine=frequency=440:duration=3', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac'],
      p('movie.mp4'),
    );
    // A name with every character the filter graph treats specially, and CJK.
    writeEncoded(p("we:ird, na'me [x];\\ 电影 b.srt"), srtText([{ ...CUE, text: 'HELLO WORLD' }]), 'utf-8');
    writeEncoded(p('chinese-gbk.srt'), srtText([{ ...CUE, text: '你好，世界' }]), 'gbk');
    writeEncoded(p('bom.srt'), srtText([{ ...CUE, text: 'BYTE ORDER MARK' }]), 'utf-8-bom');
    writeFileSync(p('styled.ass'), assText([{ ...CUE, text: 'STYLED AT THE TOP' }]));
    const embeddedSrt = writeEncoded(p('embedded.srt'), srtText([{ ...CUE, text: 'EMBEDDED TRACK' }]), 'utf-8');
    await ffmpegTo(['-i', movie, '-i', embeddedSrt, '-map', '0', '-map', '1', '-c', 'copy', '-c:s', 'srt', '-metadata:s:s:0', 'language=chi'], p('subrip.mkv'));
    await ffmpegTo(['-i', movie, '-i', embeddedSrt, '-map', '0', '-map', '1', '-c', 'copy', '-c:s', 'mov_text'], p('mov_text.mp4'));
    writeFileSync(p('boxes.sup'), pgsStream(W, H, [CUE], { x: 220, y: 290, width: 200, height: 30 }));
    await ffmpegTo(['-i', movie, '-i', p('boxes.sup'), '-map', '0', '-map', '1', '-c', 'copy', '-metadata:s:s:0', 'language=eng'], p('pgs.mkv'));

    const playlist = scratchPlaylist('subtitles-show', [
      'transcode: normalize',
      `output: { width: ${W}, height: ${H}, fps: 10, video_bitrate: 400k }`,
      // DejaVu Sans has no CJK glyphs: libass takes them from a CJK font, or draws DejaVu's .notdef box without one.
      'subtitle_style: { font: DejaVu Sans, size: 7, outline: 0.5 }',
      'items:',
      `  - { file: ${JSON.stringify(p('movie.mp4'))}, title: Weird name, subtitles: ${JSON.stringify(p("we:ird, na'me [x];\\ 电影 b.srt"))} }`,
      `  - { file: ${JSON.stringify(p('movie.mp4'))}, title: Chinese GBK, subtitles: ${JSON.stringify(p('chinese-gbk.srt'))} }`,
      `  - { file: ${JSON.stringify(p('movie.mp4'))}, title: BOM, subtitles: ${JSON.stringify(p('bom.srt'))} }`,
      `  - { file: ${JSON.stringify(p('movie.mp4'))}, title: ASS, subtitles: ${JSON.stringify(p('styled.ass'))} }`,
      `  - { file: ${JSON.stringify(p('subrip.mkv'))}, title: SubRip track, subtitles: { track: chi } }`,
      `  - { file: ${JSON.stringify(p('mov_text.mp4'))}, title: mov_text track, subtitles: { track: 1 } }`,
      `  - { file: ${JSON.stringify(p('pgs.mkv'))}, title: PGS track, subtitles: { track: eng } }`,
    ]);
    const tools = await locateFfmpeg();
    show = await prepareShow({ playlist: loadPlaylist(playlist), tools, start: { kind: 'now' }, clock: systemClock, timeZone: 'UTC' });
    const plainProbe = show.probes[0];
    if (plainProbe === undefined) throw new Error('the movie was not probed');
    reference = await runCommandTo(normalizeCommand({ kind: 'file', path: movie, probe: plainProbe, title: 'plain' }, 0, 3, show.profile), p('reference.flv'));
  }, 240_000);

  afterAll(() => show?.workspace.dispose());

  /** Plays item `index` from `inS` into its file for `seconds`, as the playout would, into an FLV file. */
  const play = (index: number, name: string, inS = 0, env?: NodeJS.ProcessEnv) => {
    const item = show.playlist.items[index];
    if (item === undefined) throw new Error(`no item ${index}`);
    return runCommandTo(itemCommand(show, item, show.probes[index], inS, 3 - inS), join(dir, `${name}.flv`), env);
  };

  /** Pixels changed during the cue only (at least `least`), and nothing before or after it. */
  const expectDuringCueOnly = (c: { before: Changed; during: Changed; after: Changed }, least = 50) => {
    expect(c.before.count).toBe(0);
    expect(c.after.count).toBe(0);
    expect(c.during.count).toBeGreaterThan(least);
  };
  /** Text at the bottom (libass's default place) during the cue only. */
  const expectBottomTextDuringCueOnly = (c: { before: Changed; during: Changed; after: Changed }) => {
    expectDuringCueOnly(c);
    expect(c.during.box?.y0).toBeGreaterThan(H * 0.6);
  };

  it('burns in a UTF-8 SubRip file whose name has colons, commas, quotes, brackets, a backslash, spaces and CJK', async () => {
    expect(show.tracks[0]?.subtitles?.label).toBe("we:ird, na'me [x];\\ 电影 b.srt");
    expect(show.timetable.slots[0]?.kind).toBe('item');
    expectBottomTextDuringCueOnly(await measure('weird', await play(0, 'weird')));
  });

  it('reads a GBK file as Chinese and draws it in a CJK font, not as empty boxes', async () => {
    expect(show.tracks[1]?.subtitles?.label).toBe('chinese-gbk.srt (gb18030)');
    const c = await measure('gbk', await play(1, 'gbk'));
    expectBottomTextDuringCueOnly(c);
    // fontconfig's answer for Chinese is a font that has the glyphs.
    const zhFamilies = execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' });
    const matched = execFileSync('fc-match', ['-f', '%{family}', 'sans-serif:lang=zh-cn'], { encoding: 'utf8' }).split(',')[0] ?? '';
    expect(zhFamilies).toContain(matched);
    // The same subtitles where fontconfig knows only DejaVu: libass draws .notdef boxes; the real glyphs differ.
    const boxes = changedPixels(await grayFrameAt(await play(1, 'gbk-boxes', 0, latinOnlyFontconfig(scratchSubdir('latin-fonts'))), DURING, W, H), await grayFrameAt(reference, DURING, W, H), W);
    expect(boxes.count).toBeGreaterThan(50);
    expect(maskDifference(c.during.mask, boxes.mask)).toBeGreaterThan(0.3);
  });

  it('reads a UTF-8 file with a byte order mark', async () => {
    expect(show.tracks[2]?.subtitles?.label).toBe('bom.srt (utf-8 with BOM)');
    expectBottomTextDuringCueOnly(await measure('bom', await play(2, 'bom')));
  });

  it("keeps an ASS file's own styling (its style puts big text at the top)", async () => {
    const c = await measure('ass', await play(3, 'ass'));
    expectDuringCueOnly(c, 200);
    expect(c.during.box?.y1).toBeLessThan(H * 0.4);
  });

  it('burns in embedded text tracks: SubRip in MKV chosen by language, mov_text in MP4 by number', async () => {
    expect(show.tracks[4]?.subtitles?.label).toBe('track 1 chi');
    expectBottomTextDuringCueOnly(await measure('subrip', await play(4, 'subrip')));
    expectBottomTextDuringCueOnly(await measure('mov_text', await play(5, 'mov_text')));
  });

  it('overlays picture subtitles (PGS) where and when they are', async () => {
    expect(show.tracks[6]?.subtitles?.label).toBe('track 1 eng (hdmv_pgs_subtitle, pictures)');
    const c = await measure('pgs', await play(6, 'pgs'));
    // The 200x30 white box at (220, 290), give or take a pixel of scaling.
    expectDuringCueOnly(c, 200 * 30 * 0.9);
    expect(c.during.box).toMatchObject({ x0: expect.closeTo(220, 0), y0: expect.closeTo(290, 0) });
    expect(Math.abs((c.during.box?.x1 ?? 0) - 419)).toBeLessThanOrEqual(2);
    expect(Math.abs((c.during.box?.y1 ?? 0) - 319)).toBeLessThanOrEqual(2);
  });

  it('keeps subtitles in step with an item started mid-way (a join in progress, a restart)', async () => {
    const inS = 1.2;
    const file = await play(0, 'joined', inS);
    const at = async (t: number) => changedPixels(await grayFrameAt(file, t, W, H), await grayFrameAt(reference, t + inS, W, H), W);
    // Output 0.3 s is 1.5 s into the movie (in the cue); output 1.0 s is 2.2 s (after it).
    const during = await at(DURING - inS);
    expect(during.count).toBeGreaterThan(50);
    expect(during.box?.y0).toBeGreaterThan(H * 0.6);
    expect((await at(AFTER - inS)).count).toBe(0);
    // And the same pixels as when the item played from its start.
    expect(maskDifference(during.mask, changes.get('weird')?.during.mask ?? new Uint8Array())).toBeLessThan(0.2);
  });

  it('shows which subtitles each item burns in, and that it is re-encoded for them', async () => {
    const { renderShow } = await import('../../src/playout/show-render.js');
    const text = renderShow(show);
    expect(text).toMatch(/Chinese GBK\s+re-encode \(subtitles\)\s+1\s+chinese-gbk\.srt \(gb18030\)/);
    expect(text).toMatch(/PGS track\s+re-encode \(subtitles\)\s+1\s+track 1 eng \(hdmv_pgs_subtitle, pictures\)/);
  });
});
