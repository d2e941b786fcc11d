import { describe, expect, it } from 'vitest';
import { chooseSidecar, findSidecars } from '../../../src/playout/subtitles/sidecar.js';
import { assColour, forceStyle } from '../../../src/playout/subtitles/subtitle-style.js';
import { decodeSubtitleText, encodingName, hasCjk } from '../../../src/playout/subtitles/text-encoding.js';

/** 你好，世界。这是一个测试字幕。 in GBK, and 你好，世界。這是一個測試字幕。 in Big5 (bytes as iconv writes them). */
const GBK = Buffer.from('c4e3bac3a3accac0bde7a1a3d5e2cac7d2bbb8f6b2e2cad4d7d6c4bba1a3', 'hex');
const BIG5 = Buffer.from('a741a66ea141a540acc9a143b36fac4fa440add3b4fab8d5a672b9f5a143', 'hex');

describe('decodeSubtitleText', () => {
  it('reads UTF-8, and UTF-8 or UTF-16 after a byte order mark', () => {
    expect(decodeSubtitleText(Buffer.from('Amélie 你好'))).toEqual({ text: 'Amélie 你好', encoding: 'utf-8', bom: false });
    expect(decodeSubtitleText(Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('1\nHi')]))).toEqual({ text: '1\nHi', encoding: 'utf-8', bom: true });
    expect(decodeSubtitleText(Buffer.from([0xff, 0xfe, ...Buffer.from('Hi', 'utf16le')]))).toEqual({ text: 'Hi', encoding: 'utf-16le', bom: true });
  });

  it('tells GBK from Big5 by which reads as common Chinese', () => {
    expect(decodeSubtitleText(GBK)).toMatchObject({ text: '你好，世界。这是一个测试字幕。', encoding: 'gb18030' });
    expect(decodeSubtitleText(BIG5)).toMatchObject({ text: '你好，世界。這是一個測試字幕。', encoding: 'big5' });
  });

  it('falls back to Windows-1252 for Western files, and follows the encoding it is told', () => {
    expect(decodeSubtitleText(Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x0a]))).toMatchObject({ text: 'Café\n', encoding: 'windows-1252' });
    expect(decodeSubtitleText(BIG5, 'big5').text).toBe('你好，世界。這是一個測試字幕。');
    expect(() => decodeSubtitleText(BIG5, 'klingon')).toThrow(RangeError);
    expect(encodingName('GBK')).toBe('gbk');
    expect(encodingName('gb2312')).toBe('gbk');
    expect(encodingName('nope')).toBeUndefined();
  });

  it('sees CJK text', () => {
    expect(hasCjk('你好')).toBe(true);
    expect(hasCjk('こんにちは')).toBe(true);
    expect(hasCjk('안녕')).toBe(true);
    expect(hasCjk('Amélie, 1:00')).toBe(false);
  });
});

describe('subtitle files beside a movie', () => {
  const names = ['Movie.mkv', 'Movie.srt', 'Movie.zh.srt', 'Movie.eng.forced.srt', 'Movie.en.ass', 'Movie 2.srt', 'Other.srt', 'movie.chs.vtt', 'Movie.nfo'];

  it('finds the files named after the movie, with their language tags', () => {
    expect(findSidecars('Movie.mkv', names)).toEqual([
      { name: 'Movie.en.ass', language: 'en', forced: false },
      { name: 'Movie.eng.forced.srt', language: 'eng', forced: true },
      { name: 'Movie.srt', forced: false },
      { name: 'Movie.zh.srt', language: 'zh', forced: false },
      { name: 'movie.chs.vtt', language: 'chs', forced: false },
    ]);
  });

  it('chooses by preference, a full file before a forced one, else the untagged one', () => {
    const found = findSidecars('Movie.mkv', names);
    expect(chooseSidecar(found, ['chi', 'eng'])?.name).toBe('Movie.zh.srt');
    expect(chooseSidecar(found, ['eng'])?.name).toBe('Movie.en.ass');
    expect(chooseSidecar(found, ['fre'])?.name).toBe('Movie.srt');
    expect(chooseSidecar(found, [])?.name).toBe('Movie.srt');
    expect(chooseSidecar(findSidecars('Movie.mkv', ['Movie.zh.srt']), [])?.name).toBe('Movie.zh.srt');
    expect(chooseSidecar(findSidecars('Movie.mkv', ['Movie.zh.srt']), ['eng'])).toBeUndefined();
  });
});

describe('subtitle_style', () => {
  it("turns shares of the picture height into the script's 288 lines", () => {
    expect(forceStyle({ font: 'Noto Sans CJK SC', size: 5, outline: 0.5, position: 'top', margin: 4, color: '#ffd700' })).toBe(
      'FontName=Noto Sans CJK SC,FontSize=14.4,Outline=1.44,BorderStyle=1,Alignment=8,MarginV=11.52,PrimaryColour=&H0000D7FF',
    );
    expect(forceStyle({})).toBeUndefined();
    expect(forceStyle(undefined)).toBeUndefined();
    expect(assColour('#102030')).toBe('&H00302010');
  });
});
