import { describe, expect, it } from 'vitest';
import { renderMediaPlaylist, renderMultivariantPlaylist } from '../../../../src/protocol/hls/m3u8.js';
import { checkMediaPlaylist, checkMultivariantPlaylist, LivePlaylistChecker } from '../../../helpers/hls-checker.js';

const T0 = Date.UTC(2026, 10, 27, 20, 0, 0);
const segment = (n: number, durationMs = 2000, discontinuity = false) => ({ uri: `a-${n}.ts`, durationMs, programDateTime: T0 + n * 2000, discontinuity });

describe('m3u8 rendering', () => {
  it('writes a live media playlist that the RFC 8216 checker accepts', () => {
    const text = renderMediaPlaylist({ targetDurationS: 2, mediaSequence: 7, discontinuitySequence: 1, segments: [segment(7), segment(8, 1960, true)] });
    expect(text).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:3',
        '#EXT-X-TARGETDURATION:2',
        '#EXT-X-MEDIA-SEQUENCE:7',
        '#EXT-X-DISCONTINUITY-SEQUENCE:1',
        '#EXT-X-PROGRAM-DATE-TIME:2026-11-27T20:00:14.000Z',
        '#EXTINF:2.000,',
        'a-7.ts',
        '#EXT-X-DISCONTINUITY',
        '#EXT-X-PROGRAM-DATE-TIME:2026-11-27T20:00:16.000Z',
        '#EXTINF:1.960,',
        'a-8.ts',
        '',
      ].join('\n'),
    );
    const { playlist, problems } = checkMediaPlaylist(text);
    expect(problems).toEqual([]);
    expect(playlist.segments.map((s) => [s.uri, s.discontinuity])).toEqual([['a-7.ts', false], ['a-8.ts', true]]);
  });

  it('writes a multivariant playlist with CODECS, BANDWIDTH, RESOLUTION and FRAME-RATE', () => {
    const text = renderMultivariantPlaylist([{ uri: 'movie/index.m3u8', bandwidth: 2_612_345.2, averageBandwidth: 2_400_000, codecs: ['avc1.64001f', 'mp4a.40.2'], resolution: { width: 1280, height: 720 }, frameRate: 30 }]);
    expect(text).toBe('#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=2612346,AVERAGE-BANDWIDTH=2400000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=30.000\nmovie/index.m3u8\n');
    const { variants, problems } = checkMultivariantPlaylist(text);
    expect(problems).toEqual([]);
    expect(variants[0]?.attributes.CODECS).toBe('"avc1.64001f,mp4a.40.2"');
  });
});

describe('the RFC 8216 checker catches', () => {
  it('a missing #EXTM3U, an EXTINF above the target, a bad date-time, a URI without EXTINF, version too low', () => {
    const { problems } = checkMediaPlaylist('#EXT-X-TARGETDURATION:2\n#EXTINF:2.6,\na.ts\n#EXT-X-PROGRAM-DATE-TIME:yesterday\n#EXTINF:2,\nb.ts\nc.ts\n');
    expect(problems.join('\n')).toMatch(/4\.3\.1\.1/);
    expect(problems.join('\n')).toMatch(/4\.3\.3\.1: EXTINF 2\.6/);
    expect(problems.join('\n')).toMatch(/4\.3\.2\.6/);
    expect(problems.join('\n')).toMatch(/URI c\.ts has no EXTINF/);
    expect(problems.join('\n')).toMatch(/needs EXT-X-VERSION 3/);
  });

  it('reloads that change the target, go back, rename a segment, drop the tail or miscount discontinuities', () => {
    const render = (target: number, seq: number, segments: ReturnType<typeof segment>[], disc = 0) => renderMediaPlaylist({ targetDurationS: target, mediaSequence: seq, discontinuitySequence: disc, segments });
    const problemsOf = (...playlists: string[]) => {
      const live = new LivePlaylistChecker();
      for (const text of playlists) live.add(text);
      return live.problems.join('\n');
    };
    const first = render(2, 5, [segment(5), segment(6, 2000, true), segment(7), segment(8)]);
    expect(problemsOf(first, render(2, 5, [segment(5), segment(6, 2000, true), segment(7), segment(8), segment(9)]))).toBe('');
    expect(problemsOf(first, render(3, 5, [segment(5), segment(6, 2000, true), segment(7), segment(8)]))).toMatch(/TARGETDURATION changed 2 -> 3/);
    expect(problemsOf(first, render(2, 4, [segment(4), segment(5)]))).toMatch(/MEDIA-SEQUENCE went back/);
    expect(problemsOf(first, render(2, 6, [{ ...segment(6, 2000, true), uri: 'other.ts' }, segment(7), segment(8)]))).toMatch(/sequence 6 was a-6\.ts .* now other\.ts/);
    const text = problemsOf(first, render(2, 7, [segment(7), segment(8)]));
    expect(text).toMatch(/DISCONTINUITY-SEQUENCE 0, expected 1/);
    expect(text).toMatch(/less than three target durations/);
    expect(problemsOf(first, render(2, 5, [segment(5), segment(6, 2000, true)]))).toMatch(/removed from the end/);
  });

  it('a multivariant playlist without BANDWIDTH or with media tags', () => {
    const { problems } = checkMultivariantPlaylist('#EXTM3U\n#EXT-X-STREAM-INF:CODECS="avc1.42c01e",RESOLUTION=wide\nv.m3u8\n#EXTINF:2,\n');
    expect(problems.join('\n')).toMatch(/BANDWIDTH undefined/);
    expect(problems.join('\n')).toMatch(/RESOLUTION wide/);
    expect(problems.join('\n')).toMatch(/#EXTINF in a multivariant/);
  });
});
