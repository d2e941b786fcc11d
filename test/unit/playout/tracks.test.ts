import { describe, expect, it } from 'vitest';
import type { AudioProbe, SubtitleProbe } from '../../../src/playout/media-probe.js';
import { languageKey, preferenceRank } from '../../../src/playout/tracks/language.js';
import { chooseAudio, chooseSubtitleTrack, describeTrack } from '../../../src/playout/tracks/track-choice.js';

const audio = (index: number, language?: string, extra: Partial<AudioProbe> = {}): AudioProbe => ({
  index,
  codec: 'aac',
  sampleRate: 48_000,
  channels: 2,
  ...(language !== undefined ? { language } : {}),
  ...extra,
});
const subtitle = (index: number, language: string, extra: Partial<SubtitleProbe> = {}): SubtitleProbe => ({ index, codec: 'subrip', form: 'text', language, ...extra });

describe('language codes', () => {
  it('reduces 639-1, 639-2/B and /T and the tags of subtitle file names to one key', () => {
    for (const tag of ['chi', 'zho', 'zh', 'ZH-cn', 'zh_TW', 'chs', 'cht', '简体', 'big5']) expect(languageKey(tag), tag).toBe('zho');
    expect(languageKey('ger')).toBe('deu');
    expect(languageKey('de')).toBe('deu');
    expect(languageKey('en-US')).toBe('eng');
    expect(languageKey('und')).toBeUndefined();
    expect(languageKey(undefined)).toBeUndefined();
    expect(languageKey('tlh')).toBe('tlh');
    expect(languageKey('not a language')).toBeUndefined();
  });

  it('ranks by preference, best first', () => {
    expect(preferenceRank('jpn', ['ja', 'eng'])).toBe(0);
    expect(preferenceRank('en', ['ja', 'eng'])).toBe(1);
    expect(preferenceRank('fre', ['ja', 'eng'])).toBe(-1);
    expect(preferenceRank(undefined, ['ja'])).toBe(-1);
  });
});

describe('chooseAudio', () => {
  const tracks = [audio(1, 'eng'), audio(2, 'jpn', { isDefault: true }), audio(3, 'eng', { title: 'Commentary' })];

  it("takes the item's language or track number", () => {
    expect(chooseAudio(tracks, { language: 'en' }, [])).toMatchObject({ ok: true, track: { index: 1 } });
    expect(chooseAudio(tracks, { number: 3 }, [])).toMatchObject({ ok: true, track: { index: 3 } });
  });

  it("takes the playlist's preferred language, else the file's default track, else the first", () => {
    expect(chooseAudio(tracks, undefined, ['fre', 'eng'])).toMatchObject({ ok: true, track: { index: 1 } });
    expect(chooseAudio(tracks, undefined, ['fre'])).toMatchObject({ ok: true, track: { index: 2 }, why: "the file's default" });
    expect(chooseAudio([audio(4), audio(5)], undefined, [])).toMatchObject({ ok: true, track: { index: 4 }, why: 'the first' });
  });

  it('names what the file has when the asked-for track is not there', () => {
    expect(chooseAudio(tracks, { number: 4 }, [])).toEqual({ ok: false, problem: 'the file has 3 audio tracks, so no track 4 (it has: 1 eng, 2 jpn, 3 eng "Commentary")' });
    expect(chooseAudio(tracks, { language: 'kor' }, [])).toMatchObject({ ok: false, problem: expect.stringContaining("no audio track in 'kor'") });
    expect(chooseAudio([], { number: 1 }, [])).toEqual({ ok: false, problem: 'the file has no audio track to choose' });
    expect(chooseAudio([], undefined, ['eng'])).toBeUndefined();
  });
});

describe('chooseSubtitleTrack', () => {
  const tracks = [subtitle(3, 'eng', { forced: true }), subtitle(4, 'chi'), subtitle(5, 'eng')];

  it('takes a track by spec, or by preference (a full track before a forced one), or none', () => {
    expect(chooseSubtitleTrack(tracks, { number: 2 }, [])).toMatchObject({ ok: true, track: { index: 4 } });
    expect(chooseSubtitleTrack(tracks, undefined, ['eng', 'zho'])).toMatchObject({ ok: true, track: { index: 5 } });
    expect(chooseSubtitleTrack(tracks, undefined, ['zh'])).toMatchObject({ ok: true, track: { index: 4 } });
    expect(chooseSubtitleTrack(tracks, undefined, [])).toBeUndefined();
    expect(chooseSubtitleTrack(tracks, undefined, ['fre'])).toBeUndefined();
    expect(chooseSubtitleTrack([], { language: 'chi' }, [])).toEqual({ ok: false, problem: 'the file has no subtitle track' });
  });

  it('describes a track by number, language and a short name', () => {
    expect(describeTrack({ language: 'jpn', title: 'Japanese' }, 2)).toBe('2 jpn "Japanese"');
    expect(describeTrack({ language: 'und' }, 1)).toBe('1');
    expect(describeTrack({ title: 'x'.repeat(40) }, 1)).toBe(`1 "${'x'.repeat(29)}…"`);
  });
});
