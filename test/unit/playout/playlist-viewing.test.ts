import { describe, expect, it } from 'vitest';
import { PlaylistError, parsePlaylist } from '../../../src/playout/playlist.js';

const FILE = '/shows/movies.yaml';
const parse = (lines: string[]) => parsePlaylist(lines.join('\n'), FILE);

function problemsOf(lines: string[]): string[] {
  try {
    parse(lines);
  } catch (error) {
    expect(error).toBeInstanceOf(PlaylistError);
    return (error as PlaylistError).message.split('\n');
  }
  throw new Error('expected a PlaylistError');
}

describe('playlist: subtitles, audio, loudness, overlay, titles', () => {
  it('reads every new field, paths relative to the playlist', () => {
    const playlist = parse([
      'subtitles: { languages: [chi, zho, eng] }',
      'subtitle_style: { font: Noto Sans CJK SC, size: "6%", outline: 0.4, position: top, margin: 3, color: "#ffee00" }',
      'audio: { languages: [jpn, eng] }',
      'normalize_loudness: true',
      'break: 5m',
      'overlay: { image: logo.png }',
      'show_titles: 5s',
      'items:',
      '  - { file: a.mkv, subtitles: a.zh.srt }',
      '  - { file: b.mkv, subtitles: { file: ~/subs/b.srt, encoding: GBK } }',
      '  - { file: c.mkv, subtitles: { track: chi }, audio: { track: 2 } }',
      '  - { file: d.mkv, subtitles: none, audio: jpn }',
      '  - { file: e.mkv, subtitles: auto }',
      '  - f.mkv',
    ]);
    expect(playlist.subtitles).toEqual({ default: 'auto', languages: ['chi', 'zho', 'eng'] });
    expect(playlist.subtitleStyle).toEqual({ font: 'Noto Sans CJK SC', size: 6, outline: 0.4, position: 'top', margin: 3, color: '#ffee00' });
    expect(playlist.audioLanguages).toEqual(['jpn', 'eng']);
    expect(playlist.loudnessLufs).toBe(-16);
    expect(playlist.breakS).toBe(300);
    expect(playlist.overlay).toEqual({ image: '/shows/logo.png', position: 'top-right' });
    expect(playlist.overlayLine).toBe(6);
    expect(playlist.showTitlesS).toBe(5);
    const [a, b, c, d, e, f] = playlist.items;
    expect(a?.subtitles).toEqual({ kind: 'file', path: '/shows/a.zh.srt' });
    expect(b?.subtitles).toMatchObject({ kind: 'file', encoding: 'gbk' });
    expect(b?.subtitles?.kind === 'file' && b.subtitles.path.endsWith('/subs/b.srt')).toBe(true);
    expect(c?.subtitles).toEqual({ kind: 'track', track: { language: 'chi' } });
    expect(c?.audio).toEqual({ number: 2 });
    expect(d?.subtitles).toEqual({ kind: 'none' });
    expect(d?.audio).toEqual({ language: 'jpn' });
    expect(e?.subtitles).toEqual({ kind: 'auto' });
    expect(f?.subtitles).toBeUndefined();
  });

  it('defaults: no subtitles, the files\' own audio, loudness untouched, no break, overlay or titles', () => {
    const playlist = parse(['items: [a.mp4]']);
    expect(playlist.subtitles).toEqual({ default: 'none', languages: [] });
    expect(playlist.audioLanguages).toEqual([]);
    expect(playlist.loudnessLufs).toBeUndefined();
    expect(playlist.breakS).toBe(0);
    expect(playlist.overlay).toBeUndefined();
    expect(playlist.showTitlesS).toBe(0);
    expect(parse(['normalize_loudness: -23', 'subtitles: auto', 'show_titles: true', 'items: [a.mp4]'])).toMatchObject({ loudnessLufs: -23, subtitles: { default: 'auto' }, showTitlesS: 5 });
  });

  it('says what is wrong, at its line', () => {
    expect(
      problemsOf([
        'subtitles: { languages: [chinese language] }',
        'normalize_loudness: loud',
        'overlay: { image: a.png, text: Kayak }',
        'subtitle_style: { size: 50, position: middle, colour: red }',
        'items:',
        '  - { file: a.mkv, subtitles: { track: 0 } }',
        '  - { file: b.mkv, subtitles: { file: b.srt, encoding: klingon } }',
        '  - { file: c.mkv, subtitles: { file: c.srt, track: 2 } }',
        '  - { file: d.mkv, audio: { track: first } }',
        '  - { generate: { pattern: testsrc2, seconds: 5 }, subtitles: x.srt }',
      ]),
    ).toEqual([
      `${FILE}:1: subtitles.languages: expected a list of language codes like [chi, zho, eng] (at most 20), got a list`,
      `${FILE}:2: normalize_loudness: expected true, false, or a target in LUFS from -40 to -5, got 'loud'`,
      `${FILE}:3: overlay: expected image or text, got both`,
      `${FILE}:4: subtitle_style.size: expected a percentage of the picture height above 0 and at most 20, got 50`,
      `${FILE}:4: subtitle_style.position: expected bottom or top, got 'middle'`,
      `${FILE}:4: subtitle_style.colour: unknown field (did you mean 'color'?); expected one of font, size, outline, position, margin, color`,
      `${FILE}:6: items[0].subtitles.track: expected a language code like jpn, chi or en, or a track number from 1 to 99, got 0`,
      `${FILE}:7: items[1].subtitles.encoding: expected a text encoding like utf-8, gbk, gb18030 or big5, got 'klingon'`,
      `${FILE}:8: items[2].subtitles: expected file or track, got both`,
      `${FILE}:9: items[3].audio.track: expected a language code like jpn, chi or en, or a track number from 1 to 99, got 'first'`,
      `${FILE}:10: items[4].subtitles: expected subtitles only on a file item, got them on a generated one`,
    ]);
  });
});

describe('playlists/movie-night.yaml', () => {
  it('shows every new field, and loads', async () => {
    const { loadPlaylist } = await import('../../../src/playout/playlist.js');
    const { REPO_ROOT } = await import('../../helpers/server.js');
    const playlist = loadPlaylist(`${REPO_ROOT}/playlists/movie-night.yaml`);
    expect(playlist).toMatchObject({ breakS: 300, loudnessLufs: -16, showTitlesS: 5, audioLanguages: ['jpn', 'eng'], subtitles: { default: 'auto' } });
    expect(playlist.overlay).toBeDefined();
    expect(playlist.subtitleStyle).toBeDefined();
    expect(playlist.items.some((item) => item.subtitles?.kind === 'track' && item.audio !== undefined)).toBe(true);
  });
});
