import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { movieTitle } from '../../../src/playout/folder/folder-playlist.js';
import { naturalSort } from '../../../src/playout/folder/natural-sort.js';
import { timecode } from '../../../src/playout/folder/playlist-yaml.js';
import { globSegment, scanSources, sourcesName } from '../../../src/playout/folder/source-scan.js';
import { cleanTitle, titleFromFileName } from '../../../src/playout/folder/title-clean.js';
import { scratchSubdir } from '../../helpers/media.js';

describe('natural order', () => {
  it('compares numbers by value and letters without case', () => {
    expect(naturalSort(['Part 10.mkv', 'part 2.mkv', 'Part 1.mkv', 'Part 1b.mkv', 'Épilogue.mkv', 'Act II.mkv'])).toEqual([
      'Act II.mkv',
      'Épilogue.mkv',
      'Part 1.mkv',
      'Part 1b.mkv',
      'part 2.mkv',
      'Part 10.mkv',
    ]);
    expect(naturalSort(['b', 'B', 'a'])).toEqual(['a', 'B', 'b']);
  });
});

describe('titles from file names', () => {
  it.each([
    ['The.Big.Lebowski.1998.1080p.BluRay.x264-GROUP.mkv', 'The Big Lebowski (1998)'],
    ['The.Big.Lebowski.1998.mkv', 'The Big Lebowski (1998)'],
    ['Amélie (2001).mkv', 'Amélie (2001)'],
    ['Amélie.mkv', 'Amélie'],
    ['2001.A.Space.Odyssey.1968.2160p.UHD.mkv', '2001 A Space Odyssey (1968)'],
    ['1917.2019.720p.WEB-DL.mp4', '1917 (2019)'],
    ['Blade Runner 2049.mkv', 'Blade Runner 2049'],
    ['Blade.Runner.2049.2017.1080p.mkv', 'Blade Runner 2049 (2017)'],
    ["Charlotte's.Web.2006.1080p.mkv", "Charlotte's Web (2006)"],
    ['[YTS.MX] Spirited Away (2001) [1080p].mp4', 'Spirited Away (2001)'],
    ['Movie Part 2.mp4', 'Movie Part 2'],
    ['卧虎藏龙.Crouching.Tiger.2000.BluRay.mkv', '卧虎藏龙 Crouching Tiger (2000)'],
    ['my_home_video.mov', 'my home video'],
    ['Dr. Strangelove', 'Dr. Strangelove'],
  ])('%s → %s', (name, title) => {
    expect(titleFromFileName(name)).toBe(title);
  });

  it("prefers the container's title tag, cleaned, unless it is an address", () => {
    expect(movieTitle('/m/x.mkv', { durationS: 1, formatName: 'matroska', title: 'Amélie' })).toBe('Amélie');
    expect(movieTitle('/m/x.mkv', { durationS: 1, formatName: 'matroska', title: 'Heat.1995.1080p.BluRay.x264' })).toBe('Heat (1995)');
    expect(movieTitle('/m/Heat.1995.mkv', { durationS: 1, formatName: 'matroska', title: 'www.example.com' })).toBe('Heat (1995)');
    expect(cleanTitle('  ')).toBe('  ');
  });
});

describe('scanning folders, files and globs', () => {
  const make = () => {
    const dir = scratchSubdir('scan');
    mkdirSync(join(dir, 'Friday', 'Extras (2001)', 'deeper'), { recursive: true });
    for (const name of ['Part 10.mkv', 'Part 2.mkv', 'Part 1.MP4', 'Part 2.srt', 'cover.jpg', '.hidden.mkv', '[x] y.mkv']) writeFileSync(join(dir, 'Friday', name), '');
    writeFileSync(join(dir, 'Friday', 'Extras (2001)', 'Extra.mkv'), '');
    writeFileSync(join(dir, 'Friday', 'Extras (2001)', 'deeper', 'too deep.mkv'), '');
    return dir;
  };

  it('finds the movies of a folder and its subfolders, in natural order, without hidden files or other files', () => {
    const dir = make();
    const files = scanSources(['Friday'], { cwd: dir }).map((file) => file.slice(dir.length + 1));
    expect(files).toEqual(['Friday/[x] y.mkv', 'Friday/Extras (2001)/Extra.mkv', 'Friday/Part 1.MP4', 'Friday/Part 2.mkv', 'Friday/Part 10.mkv']);
    expect(sourcesName(scanSources(['Friday'], { cwd: dir }))).toBe('Friday');
  });

  it('expands patterns (a name with brackets is a file first), and takes several sources at once', () => {
    const dir = make();
    const rel = (files: string[]) => files.map((file) => file.slice(dir.length + 1));
    expect(rel(scanSources(['Friday/Part *.mkv'], { cwd: dir }))).toEqual(['Friday/Part 2.mkv', 'Friday/Part 10.mkv']);
    expect(rel(scanSources(['Friday/**/*.mkv'], { cwd: dir }))).toContain('Friday/Extras (2001)/deeper/too deep.mkv');
    expect(rel(scanSources(['Friday/[x] y.mkv'], { cwd: dir }))).toEqual(['Friday/[x] y.mkv']);
    expect(rel(scanSources(['Friday/Part 2.mkv', 'Friday/Part 1.MP4', 'Friday/Part 2.mkv'], { cwd: dir }))).toEqual(['Friday/Part 1.MP4', 'Friday/Part 2.mkv']);
    expect(globSegment('Part ?.mkv').test('Part 2.mkv')).toBe(true);
    expect(globSegment('[!a]*').test('abc')).toBe(false);
    expect(globSegment('*').test('.hidden')).toBe(false);
  });

  it('says what is wrong in one line: nothing there, no movies, too many', () => {
    const dir = make();
    const problem = (sources: string[], maxItems?: number) => {
      try {
        scanSources(sources, { cwd: dir, ...(maxItems !== undefined ? { maxItems } : {}) });
      } catch (error) {
        expect(error).toBeInstanceOf(UserError);
        return (error as Error).message;
      }
      return 'no error';
    };
    expect(problem(['Saturday'])).toBe('Saturday: no such file or folder');
    expect(problem(['Friday/*.avi'])).toBe('Friday/*.avi: matches no movie files');
    expect(problem(['Friday/cover.jpg'])).toBe('Friday/cover.jpg: holds no movie files');
    expect(problem(['Friday'], 4)).toBe('Friday: more than 4 movie files');
  });
});

describe('playlist init', () => {
  it('writes lengths as timecodes the playlist reads back', () => {
    expect(timecode(7020.4)).toBe('1:57:00.4');
    expect(timecode(2)).toBe('0:00:02');
    expect(timecode(65.04)).toBe('0:01:05');
    expect(timecode(59.96)).toBe('0:01:00');
  });
});
