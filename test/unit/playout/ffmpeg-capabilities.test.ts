import { describe, expect, it } from 'vitest';
import { parseEncoderNames, parseHelpOptions, parseVideoSources, parseVersion } from '../../../src/playout/ffmpeg-capabilities.js';

/** Captured from Debian 12's ffmpeg 5.1 (`ffmpeg -version`), shortened. */
const DEBIAN_VERSION = `ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers
built with gcc 12 (Debian 12.2.0-14+deb12u1)
configuration: --prefix=/usr --extra-version=0+deb12u1 --enable-gpl --enable-libx264
libavutil      57. 28.100 / 57. 28.100
libavcodec     59. 37.100 / 59. 37.100
libavformat    59. 27.100 / 59. 27.100
`;

/** Captured from `ffmpeg -hide_banner -encoders` (5.1), shortened. */
const ENCODERS = `Encoders:
 V..... = Video
 A..... = Audio
 S..... = Subtitle
 .F.... = Frame-level multithreading
 ..S... = Slice-level multithreading
 ...X.. = Codec is experimental
 ....B. = Supports draw_horiz_band
 .....D = Supports direct rendering method 1
 ------
 V....D a64multi             Multicolor charset for Commodore 64 (codec a64_multi)
 V....D libx264              libx264 H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10 (codec h264)
 V....D libx264rgb           libx264 H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10 RGB (codec h264)
 V.S... mpeg4                MPEG-4 part 2
 A..... aac                  AAC (Advanced Audio Coding)
 A..... libopus              libopus Opus (codec opus)
 S..... ssa                  ASS (Advanced SubStation Alpha) subtitle (codec ass)
`;

/** Captured from `ffmpeg -hide_banner -h full` (5.1), the lines around -re. */
const HELP_51 = `-accurate_seek      enable/disable accurate seeking with -ss
-itsoffset time_off  set the input ts offset
-re                 read input at native frame rate; equivalent to -readrate 1
-readrate speed     read input at specified rate
-shortest           finish encoding within shortest input

AVCodecContext AVOptions:
  -b                 <int64>      E..VA...... set bitrate (in bits/s) (from 0 to INT_MAX) (default 200000)
`;

/** ffmpeg 6.1 adds this line (text from fftools/ffmpeg_opt.c's option table). */
const HELP_61 = `${HELP_51.split('\n').slice(0, 4).join('\n')}
-readrate_initial_burst seconds  The initial amount of input to burst read before imposing any readrate
`;

describe('parseVersion', () => {
  it.each([
    [DEBIAN_VERSION, '5.1.9-0+deb12u1', 5, 1],
    ['ffmpeg version 6.1-static https://johnvansickle.com/ffmpeg/  Copyright (c) 2000-2023', '6.1-static', 6, 1],
    ['ffmpeg version n7.0.2 Copyright (c) 2000-2024 the FFmpeg developers', 'n7.0.2', 7, 0],
    ['ffmpeg version 4.4.2-0ubuntu0.22.04.1 Copyright (c) 2000-2021', '4.4.2-0ubuntu0.22.04.1', 4, 4],
    ['ffprobe version 5.1.9-0+deb12u1 Copyright (c) 2007-2026 the FFmpeg developers', '5.1.9-0+deb12u1', 5, 1],
  ])('reads %#', (text, version, major, minor) => {
    expect(parseVersion(text)).toEqual({ version, major, minor });
  });

  it('takes a git build major from libavformat', () => {
    const r = parseVersion('ffmpeg version N-113542-g2c1ff8e4c4 Copyright\nlibavformat    60. 16.100 / 60. 16.100\n');
    expect(r.version).toBe('N-113542-g2c1ff8e4c4');
    expect(r.major).toBe(6);
    expect(r.minor).toBeNaN();
  });

  it('says unknown for text that is not a version', () => {
    const r = parseVersion('hello');
    expect(r.version).toBe('unknown');
    expect(r.major).toBeNaN();
  });
});

describe('parseEncoderNames', () => {
  it('lists the encoders after the legend, not the legend itself', () => {
    const names = parseEncoderNames(ENCODERS);
    expect([...names]).toEqual(['a64multi', 'libx264', 'libx264rgb', 'mpeg4', 'aac', 'libopus', 'ssa']);
  });

  it('finds nothing without the legend separator (a minimal or broken output)', () => {
    expect(parseEncoderNames(' V....D libx264 libx264 H.264\n').size).toBe(0);
  });

  it('does not mistake libx264rgb for libx264', () => {
    const names = parseEncoderNames(ENCODERS.replace(/^ V....D libx264 .*$/m, ''));
    expect(names.has('libx264')).toBe(false);
    expect(names.has('libx264rgb')).toBe(true);
  });
});

describe('parseHelpOptions', () => {
  it('finds -readrate but not -readrate_initial_burst in 5.1', () => {
    const options = parseHelpOptions(HELP_51);
    expect(options.has('readrate')).toBe(true);
    expect(options.has('re')).toBe(true);
    expect(options.has('readrate_initial_burst')).toBe(false);
    // Codec AVOptions are indented and are not global options.
    expect(options.has('b')).toBe(false);
  });

  it('finds -readrate_initial_burst in 6.1', () => {
    expect(parseHelpOptions(HELP_61).has('readrate_initial_burst')).toBe(true);
  });

  it('does not count a mention inside a description', () => {
    expect(parseHelpOptions('-re    equivalent to -readrate 1\n').has('readrate')).toBe(false);
  });

  it('lists the video sources of `ffmpeg -filters` (the test cards `generate` can use)', () => {
    const text = [
      'Filters:',
      '  T.. = Timeline support',
      '  | = Source or sink filter',
      ' ... abench            A->A       Benchmark part of a filtergraph.',
      ' ... smptebars         |->V       Generate SMPTE color bars.',
      ' ... testsrc2          |->V       Generate another test pattern.',
      ' ... anullsrc          |->A       Null audio source, return empty audio frames.',
      ' ... buffersink        V->|       Buffer video frames, and make them available to the end of the filter graph.',
    ].join('\n');
    expect(parseVideoSources(text)).toEqual(new Set(['smptebars', 'testsrc2']));
  });
});
