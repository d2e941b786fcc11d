import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { DEFAULT_END_SLATE_S, DEFAULT_OUTPUT, PlaylistError, loadPlaylist, parsePlaylist, streamFromFileName } from '../../../src/playout/playlist.js';
import { UserError } from '../../../src/errors.js';

const FILE = '/shows/movies.yaml';

function problemsOf(text: string): string[] {
  try {
    parsePlaylist(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(PlaylistError);
    expect(error).toBeInstanceOf(UserError);
    return (error as PlaylistError).message.split('\n');
  }
  throw new Error('expected a PlaylistError');
}

describe('parsePlaylist', () => {
  it('reads every field and applies defaults', () => {
    const playlist = parsePlaylist(
      [
        'start: "21:00"',
        'timezone: Europe/Berlin',
        'loop: true',
        'transcode: normalize',
        'output: { width: 640, fps: 25, video_bitrate: 1.5M, audio_bitrate: 96000 }',
        'filler: filler',
        'items:',
        '  - a.mp4',
        '  - file: ../b.mkv',
        '    title: Bee',
        '    in: "1:02:03.5"',
        '    out: 4000',
        '    at: "23:30"',
        '  - generate: { pattern: smptebars, seconds: 20, tone: 440 }',
      ].join('\n'),
      FILE,
    );
    expect(playlist.file).toBe(FILE);
    expect(playlist.stream).toBe('movies');
    expect(playlist.start).toEqual({ kind: 'clock', hour: 21, minute: 0 });
    expect(playlist.timezone).toBe('Europe/Berlin');
    expect(playlist.loop).toBe(true);
    expect(playlist.transcode).toBe('normalize');
    expect(playlist.output).toEqual({ ...DEFAULT_OUTPUT, width: 640, fps: 25, videoBitrate: 1_500_000, audioBitrate: 96_000 });
    expect(playlist.filler).toBe('/shows/filler');
    expect(playlist.items).toEqual([
      { index: 0, title: 'a', source: { kind: 'file', path: '/shows/a.mp4' }, line: 8 },
      { index: 1, title: 'Bee', source: { kind: 'file', path: '/b.mkv' }, inS: 3723.5, outS: 4000, at: { kind: 'clock', hour: 23, minute: 30 }, line: 9 },
      { index: 2, title: 'Test card (smptebars)', source: { kind: 'generated', pattern: 'smptebars', seconds: 20, toneHz: 440 }, line: 14 },
    ]);
  });

  it('defaults: auto, no loop, 720p30, stream from the file name', () => {
    const playlist = parsePlaylist('items: [x.mp4]\n', '/a/Movie Night (Friday).yml');
    expect(playlist).toMatchObject({ stream: 'Movie-Night-Friday', loop: false, transcode: 'auto', output: DEFAULT_OUTPUT });
    expect(playlist.start).toBeUndefined();
    expect(playlist.timezone).toBeUndefined();
  });

  it('accepts in/out as MM:SS, seconds and numeric strings, and ISO starts with and without offset', () => {
    const playlist = parsePlaylist(
      ['start: 2026-11-27T21:00:00+01:00', 'items:', '  - { file: a.mp4, in: "01:30", out: "95.25" }', '  - { file: b.mp4, at: 2026-11-27T23:00 }'].join('\n'),
      FILE,
    );
    expect(playlist.start).toEqual({ kind: 'instant', text: '2026-11-27T21:00:00+01:00', epochMs: Date.UTC(2026, 10, 27, 20) });
    expect(playlist.items[0]).toMatchObject({ inS: 90, outS: 95.25 });
    expect(playlist.items[1]!.at).toEqual({ kind: 'instant', text: '2026-11-27T23:00' });
  });

  it('sanitises default stream keys', () => {
    expect(streamFromFileName('/x/../Sunday night!.yaml')).toBe('Sunday-night');
    expect(streamFromFileName('/x/###.yaml')).toBe('channel');
  });
});

describe('playlist errors name file:line and field', () => {
  it('bad in point', () => {
    expect(problemsOf('items:\n  - a.mp4\n  - file: b.mp4\n    in: 1:2x\n')).toEqual([
      `${FILE}:4: items[1].in: expected HH:MM:SS(.mmm), MM:SS or seconds, got '1:2x'`,
    ]);
  });

  it('out not after in', () => {
    expect(problemsOf('items:\n  - file: b.mp4\n    in: 60\n    out: "0:59"\n')).toEqual([
      `${FILE}:4: items[0].out: expected out to be after in (60 s), got 59 s`,
    ]);
    expect(problemsOf('items:\n  - { file: b.mp4, out: 0 }\n')[0]).toMatch(/^\/shows\/movies\.yaml:2: items\[0\]\.out: expected out to be after in/);
  });

  it('unknown fields, with a suggestion', () => {
    expect(problemsOf('items:\n  - file: a.mp4\n    titel: A\nshuffle: true\n')).toEqual([
      `${FILE}:3: items[0].titel: unknown field (did you mean 'title'?); expected one of file, generate, title, in, out, at, subtitles, audio`,
      `${FILE}:4: shuffle: unknown field; expected one of stream, start, timezone, loop, end_slate, transcode, output, filler, subtitles, subtitle_style, audio, normalize_loudness, break, overlay, show_titles, items`,
    ]);
  });

  it('end_slate: a length in units, a timecode or seconds; 0 for none; ten minutes by default', () => {
    const endSlate = (value: string) => parsePlaylist(`end_slate: ${value}\nitems: [a.mp4]\n`, FILE).endSlateS;
    expect(endSlate('10m')).toBe(600);
    expect(endSlate('1h30m')).toBe(5400);
    expect(endSlate('90s')).toBe(90);
    expect(endSlate('"0:02:30"')).toBe(150);
    expect(endSlate('45')).toBe(45);
    expect(endSlate('0')).toBe(0);
    expect(parsePlaylist('items: [a.mp4]\n', FILE).endSlateS).toBe(DEFAULT_END_SLATE_S);
    expect(problemsOf('end_slate: soon\nitems: [a.mp4]\n')).toEqual([
      `${FILE}:1: end_slate: expected a length like 10m, 90s, 1h30m or 0:10:00 (0: none), at most 24 h, got 'soon'`,
    ]);
    expect(problemsOf('end_slate: 25h\nitems: [a.mp4]\n')).toHaveLength(1);
  });

  it('wrong transcode', () => {
    expect(problemsOf('transcode: fast\nitems: [a.mp4]\n')).toEqual([`${FILE}:1: transcode: expected auto, copy or normalize, got 'fast'`]);
  });

  it('bad time zone', () => {
    expect(problemsOf('items: [a.mp4]\ntimezone: Europe/Atlantis\n')).toEqual([
      `${FILE}:2: timezone: expected an IANA time zone like Europe/Berlin, got 'Europe/Atlantis'`,
    ]);
  });

  it('empty and missing items', () => {
    expect(problemsOf('loop: true\nitems: []\n')).toEqual([`${FILE}:2: items: expected at least one item, got an empty list`]);
    expect(problemsOf('loop: true\n')).toEqual([`${FILE}:1: items: missing; expected a list of items`]);
    expect(problemsOf('# nothing\n')).toEqual([`${FILE}:1: the file is empty; expected a mapping with at least \`items\``]);
  });

  it('reports several problems at once, in line order', () => {
    const problems = problemsOf(
      ['loop: maybe', 'start: "25:00"', 'output:', '  width: 641', '  video_bitrate: fast', 'items:', '  - 42', '  - {}', '  - { generate: { pattern: plaid, seconds: 0 } }', '  - { file: a.mp4, at: soon }'].join('\n'),
    );
    expect(problems).toEqual([
      `${FILE}:1: loop: expected true or false, got 'maybe'`,
      `${FILE}:2: start: hour 25 is out of range (00-23), got '25:00'`,
      `${FILE}:4: output.width: expected an even number of pixels from 16 to 7680, got 641`,
      expect.stringMatching(/^\/shows\/movies\.yaml:5: output\.video_bitrate: expected a bitrate like '2500k'.*got 'fast'$/),
      `${FILE}:7: items[0]: expected a file name or a mapping with file or generate, got 42`,
      `${FILE}:8: items[1]: expected a file or a generate mapping, got neither`,
      `${FILE}:9: items[2].generate.pattern: expected testsrc, testsrc2, smptebars, smptehdbars, pal75bars, pal100bars, rgbtestsrc, yuvtestsrc, colorspectrum, zoneplate, got 'plaid'`,
      expect.stringMatching(/^\/shows\/movies\.yaml:9: items\[2\]\.generate\.seconds: expected a number of seconds above 0/),
      `${FILE}:10: items[3].at: expected HH:MM or an ISO date-time like 2026-11-27T21:00, got 'soon'`,
    ]);
  });

  it('YAML syntax errors and duplicate keys point at their line', () => {
    expect(problemsOf('items:\n  - a.mp4\nloop: true\nloop: false\n')).toEqual([expect.stringMatching(/^\/shows\/movies\.yaml:4: YAML syntax: Map keys must be unique/)]);
    expect(problemsOf('items: [a.mp4\nloop: true\n')[0]).toMatch(/^\/shows\/movies\.yaml:\d+: YAML syntax: /);
  });

  it('a date-time `at` in a looping playlist', () => {
    expect(problemsOf('loop: true\nitems:\n  - a.mp4\n  - { file: b.mp4, at: 2026-11-27T23:00 }\n')).toEqual([
      `${FILE}:4: items[1].at: expected HH:MM in a looping playlist (a date-time happens only once), got '2026-11-27T23:00'`,
    ]);
  });

  it('a bad stream key', () => {
    expect(problemsOf('stream: my show\nitems: [a.mp4]\n')).toEqual([
      `${FILE}:1: stream: expected a stream key of letters, digits, ., _, ~ or -, got 'my show'`,
    ]);
  });

  it('messages use the path as given; a missing playlist is a UserError', () => {
    expect(() => parsePlaylist('items: 3\n', 'rel/x.yaml')).toThrow(/^rel\/x\.yaml:1: items: expected a list of items, got 3$/);
    expect(() => loadPlaylist('/nonexistent/x.yaml')).toThrow(UserError);
  });
});

describe('shipped playlists', () => {
  it('demo.yaml plays without movie files', () => {
    const demo = loadPlaylist(resolve('playlists/demo.yaml'));
    expect(demo).toMatchObject({ loop: true, transcode: 'normalize', output: DEFAULT_OUTPUT });
    expect(demo.items.length).toBeGreaterThanOrEqual(3);
    expect(demo.items.every((item) => item.source.kind === 'generated')).toBe(true);
    const patterns = new Set(demo.items.map((item) => (item.source.kind === 'generated' ? item.source.pattern : '')));
    expect(patterns).toEqual(new Set(['testsrc2', 'smptebars', 'smptehdbars']));
  });

  it('movie-night.yaml loads', () => {
    const night = loadPlaylist('playlists/movie-night.yaml');
    expect(night.stream).toBe('movie-night');
    expect(night.items.length).toBeGreaterThan(0);
  });
});
