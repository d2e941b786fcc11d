import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { loadPlaylist } from '../../src/playout/playlist.js';
import { scratchSubdir } from '../helpers/media.js';
import { ffmpegTo, latinOnlyFontconfig, srtText, writeEncoded } from '../helpers/movie-night.js';
import { describeWithPeers } from '../helpers/peers.js';
import { trackProcesses } from '../helpers/processes.js';
import { cliEnv, requireBuilt, runCli } from '../helpers/server.js';

/**
 * No playlist needed: `kayak-cast schedule ~/Movies/Friday` plays a folder in natural order with cleaned titles and
 * the subtitles beside the movies; `kayak-cast playlist init` writes that show as a playlist that reads back the same.
 */
const AT = '2099-01-01T21:00';

/** The timetable's rows (from the column header on), as the CLI printed them. */
function table(stdout: string): string[] {
  const lines = stdout.split('\n');
  const header = lines.findIndex((line) => line.startsWith('START'));
  return lines.slice(header).filter((line) => line.trim() !== '');
}

describeWithPeers(['ffmpeg', 'ffprobe', 'iconv', 'fontconfig', 'cjk-font'], 'a folder as a playlist', () => {
  trackProcesses();
  let dir: string;
  const env = () => ({ ...cliEnv(), TZ: 'UTC' });

  beforeAll(async () => {
    await requireBuilt();
    dir = join(scratchSubdir('folder-show'), 'Friday');
    mkdirSync(join(dir, 'Extras (2001)'), { recursive: true });
    const clip = ['-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=10:duration=2', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac'];
    await Promise.all([
      ffmpegTo(clip, join(dir, 'Part 1.mp4')),
      ffmpegTo(clip, join(dir, 'Part 2.mp4')),
      ffmpegTo(clip, join(dir, 'Part 10.mp4')),
      ffmpegTo(clip, join(dir, 'The.Big.Lebowski.1998.1080p.BluRay.x264-GRP.mkv')),
      ffmpegTo([...clip, '-metadata', 'title=Amélie'], join(dir, 'amelie.mp4')),
      ffmpegTo(clip, join(dir, 'Extras (2001)', 'Extra.mkv')),
    ]);
    writeEncoded(join(dir, 'Part 2.zh.srt'), srtText([{ fromS: 0.5, toS: 1.5, text: '你好，世界' }]), 'gbk');
    writeFileSync(join(dir, 'notes.txt'), 'not a movie');
    writeFileSync(join(dir, 'broken.mkv'), 'not a movie either, though it says so');
  }, 120_000);

  const expectedRows = [
    /^START\s+END\s+LENGTH\s+TITLE\s+MODE\s+AUDIO\s+SUBTITLES$/,
    /^21:00:00\s+21:00:02\s+2s\s+Amélie\s+re-encode\s+1\s+-$/,
    /^21:00:02\s+21:00:04\s+2s\s+Extra\s+re-encode\s+1\s+-$/,
    /^21:00:04\s+21:00:06\s+2s\s+Part 1\s+re-encode\s+1\s+-$/,
    /^21:00:06\s+21:00:08\s+2s\s+Part 2\s+re-encode \(subtitles\)\s+1\s+Part 2\.zh\.srt \(gb18030\)$/,
    /^21:00:08\s+21:00:10\s+2s\s+Part 10\s+re-encode\s+1\s+-$/,
    /^21:00:10\s+21:00:12\s+2s\s+The Big Lebowski \(1998\)\s+re-encode\s+1\s+-$/,
    /^21:00:12\s+21:10:12\s+10m\s+\(End slate, then the stream ends\)\s+slate$/,
  ];

  it('plays the movies of a folder in natural order, titled by tag or cleaned name, with the subtitles beside them', async () => {
    const r = await runCli(['schedule', dir, '--check', '--at', AT], { env: env(), timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${dir}: stream 'Friday'`);
    const rows = table(r.stdout);
    expect(rows).toHaveLength(expectedRows.length);
    rows.forEach((row, i) => expect(row).toMatch(expectedRows[i] as RegExp));
    expect(r.stderr).toMatch(/left out .*broken\.mkv: /);
    expect(r.stderr).not.toContain('notes.txt');
  });

  it('takes a quoted glob, in natural order too', async () => {
    const r = await runCli(['schedule', join(dir, 'Part *.mp4'), '--check', '--at', AT], { env: env(), timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(table(r.stdout).slice(1, 4).map((row) => /\d+s\s+(Part \d+)/.exec(row)?.[1])).toEqual(['Part 1', 'Part 2', 'Part 10']);
  });

  it('says which pattern matched nothing', async () => {
    const r = await runCli(['schedule', join(dir, '*.avi'), '--check'], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(dir, '*.avi')}: matches no movie files`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('playlist init writes the show as a commented playlist that reads back as the same show', async () => {
    const init = await runCli(['playlist', 'init', dir], { env: env(), timeoutMs: 120_000 });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('subtitles: auto');
    expect(init.stdout).toContain('# 0:00:02 long; video h264 160x90 10 fps; audio 1 aac');
    expect(init.stdout).toContain('# out: "0:00:02"');
    expect(init.stdout).toContain('# beside it: Part 2.zh.srt');
    const file = join(scratchSubdir('init'), 'friday.yaml');
    writeFileSync(file, init.stdout);
    const playlist = loadPlaylist(file);
    expect(playlist.items.map((item) => item.title)).toEqual(['Amélie', 'Extra', 'Part 1', 'Part 2', 'Part 10', 'The Big Lebowski (1998)']);
    expect(playlist.items.map((item) => (item.source.kind === 'file' ? item.source.path : ''))).toEqual(
      ['amelie.mp4', 'Extras (2001)/Extra.mkv', 'Part 1.mp4', 'Part 2.mp4', 'Part 10.mp4', 'The.Big.Lebowski.1998.1080p.BluRay.x264-GRP.mkv'].map((name) => join(dir, name)),
    );
    expect(playlist.subtitles).toEqual({ default: 'auto', languages: [] });
    const again = await runCli(['schedule', file, '--check', '--at', AT], { env: env(), timeoutMs: 120_000 });
    expect(again.code, again.stderr).toBe(0);
    const rows = table(again.stdout);
    rows.forEach((row, i) => expect(row).toMatch(expectedRows[i] as RegExp));
  });

  it('refuses Chinese subtitles when fontconfig has no CJK font, and says how to get one', async () => {
    const latin = latinOnlyFontconfig(scratchSubdir('latin-fonts'));
    const r = await runCli(['schedule', dir, '--check', '--at', AT], { env: { ...env(), FONTCONFIG_FILE: latin.FONTCONFIG_FILE }, timeoutMs: 120_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/items\[3\]\.subtitles: the subtitles have Chinese, Japanese or Korean text, but fontconfig has no font for it .*apt-get install fonts-noto-cjk.*brew install --cask font-noto-sans-cjk/);
    const doctor = await runCli(['doctor'], { env: { ...env(), FONTCONFIG_FILE: latin.FONTCONFIG_FILE }, timeoutMs: 60_000 });
    expect(doctor.stdout).toMatch(/CJK fonts\s+no: none: Chinese, Japanese and Korean text would show as empty boxes; install a CJK font/);
    const fine = await runCli(['doctor'], { env: env(), timeoutMs: 60_000 });
    expect(fine.stdout).toMatch(/CJK fonts\s+yes: /);
    expect(fine.stdout).toMatch(/subtitles\s+yes/);
  });
});
