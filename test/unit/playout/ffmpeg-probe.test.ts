import { describe, expect, it } from 'vitest';
import { copyCompatible } from '../../../src/playout/copy-compatible.js';
import { parseFfmpegInputInfo } from '../../../src/playout/ffmpeg-info.js';
import { parseFfprobeJson } from '../../../src/playout/ffmpeg-probe.js';
import type { MediaProbe } from '../../../src/playout/media-probe.js';

const SQUARE = { num: 1, den: 1 };

/** `ffmpeg -hide_banner -i a.mp4` (5.1): H.264 640x360 25 fps + AAC 44.1 kHz stereo in MP4. */
const MP4_STDERR = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'file:/tmp/ffs/a.mp4':
  Metadata:
    major_brand     : isom
    minor_version   : 512
    compatible_brands: isomiso2avc1mp41
    encoder         : Lavf59.27.100
  Duration: 00:00:02.00, start: 0.000000, bitrate: 1880 kb/s
  Stream #0:0[0x1](und): Video: h264 (Constrained Baseline) (avc1 / 0x31637661), yuv420p(progressive), 640x360 [SAR 1:1 DAR 16:9], 1739 kb/s, 25 fps, 25 tbr, 12800 tbn (default)
    Metadata:
      handler_name    : VideoHandler
      vendor_id       : [0][0][0][0]
      encoder         : Lavc59.37.100 libx264
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, stereo, fltp, 127 kb/s (default)
    Metadata:
      handler_name    : SoundHandler
      vendor_id       : [0][0][0][0]
At least one output file must be specified
`;

/** FLV, 1280x720 at 30000/1001 fps, no audio. */
const FLV_NO_AUDIO_STDERR = `Input #0, flv, from 'file:/tmp/ffs/a.flv':
  Metadata:
    encoder         : Lavf59.27.100
  Duration: 00:00:02.00, start: 0.000000, bitrate: 7409 kb/s
  Stream #0:0: Video: h264 (Constrained Baseline), yuv420p(progressive), 1280x720 [SAR 1:1 DAR 16:9], 29.97 fps, 29.97 tbr, 1k tbn
At least one output file must be specified
`;

/** Matroska with 5.1 audio at 48 kHz. */
const MKV_51_STDERR = `Input #0, matroska,webm, from 'file:/tmp/ffs/c.mkv':
  Metadata:
    ENCODER         : Lavf59.27.100
  Duration: 00:00:01.02, start: 0.000000, bitrate: 1141 kb/s
  Stream #0:0: Video: h264 (Constrained Baseline), yuv420p(progressive), 320x240 [SAR 1:1 DAR 4:3], 29.97 fps, 29.97 tbr, 1k tbn
    Metadata:
      ENCODER         : Lavc59.37.100 libx264
      DURATION        : 00:00:01.022000000
  Stream #0:1: Audio: aac (LC), 48000 Hz, 5.1, fltp
    Metadata:
      DURATION        : 00:00:01.022000000
At least one output file must be specified
`;

/** MP4 with cover art before the real video, BT.709 colour, and an mono track (shape as printed by ffmpeg 5.1). */
const COVER_ART_STDERR = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'file:/m/movie.mp4':
  Duration: 01:32:05.48, start: 0.000000, bitrate: 2500 kb/s
  Stream #0:0[0x1](und): Video: mjpeg (Baseline), yuvj420p(pc, bt470bg/unknown/unknown), 600x900, 90k tbr, 90k tbn (attached pic)
  Stream #0:1[0x2](eng): Video: h264 (High) (avc1 / 0x31637661), yuv420p(tv, bt709, progressive), 1920x1080 [SAR 1:1 DAR 16:9], 2300 kb/s, 23.98 fps, 23.98 tbr, 24k tbn (default)
  Stream #0:2[0x3](eng): Audio: ac3 (ac-3 / 0x332D6361), 48000 Hz, mono, fltp, 192 kb/s (default)
At least one output file must be specified
`;

/** ffmpeg 5.1: a 16:9 PAL DVD rip (SAR 64:45), with a display matrix (a phone's portrait video would say -90). */
const ANAMORPHIC_AND_ROTATED_STDERR = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'file:/m/dvd.mp4':
  Duration: 00:00:02.00, start: 0.000000, bitrate: 3171 kb/s
  Stream #0:0[0x1](und): Video: h264 (Constrained Baseline) (avc1 / 0x31637661), yuv420p(progressive), 720x576 [SAR 64:45 DAR 16:9], 3166 kb/s, 25 fps, 25 tbr, 12800 tbn (default)
    Metadata:
      handler_name    : VideoHandler
    Side data:
      displaymatrix: rotation of -90.00 degrees
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, stereo, fltp, 127 kb/s (default)
At least one output file must be specified
`;

/** ffmpeg 5.1: an MP3 with an attached picture. */
const MP3_COVER_STDERR = `Input #0, mp3, from 'file:/m/song.mp3':
  Metadata:
    encoder         : Lavf59.27.100
  Duration: 00:00:03.03, start: 0.025056, bitrate: 158 kb/s
  Stream #0:0: Audio: mp3, 44100 Hz, mono, fltp, 128 kb/s
  Stream #0:1: Video: mjpeg (Baseline), yuvj444p(pc, bt470bg/unknown/unknown), 200x200 [SAR 1:1 DAR 1:1], 90k tbr, 90k tbn (attached pic)
    Metadata:
      comment         : Other
At least one output file must be specified
`;

/** ffmpeg 5.1: an MKV with a title, two audio tracks (the second the default) and two subtitle tracks. */
const MKV_TRACKS_STDERR = `Input #0, matroska,webm, from 'file:/m/two.mkv':
  Metadata:
    title           : My Film
    ENCODER         : Lavf59.27.100
  Duration: 00:00:02.02, start: 0.000000, bitrate: 85 kb/s
  Stream #0:0: Video: h264 (Constrained Baseline), yuv420p(progressive), 160x90 [SAR 1:1 DAR 16:9], 10 fps, 10 tbr, 1k tbn
    Metadata:
      title           : not the film's title
  Stream #0:1(eng): Audio: aac (LC), 44100 Hz, mono, fltp
    Metadata:
      ENCODER         : Lavc59.37.100 aac
  Stream #0:2(jpn): Audio: aac (LC), 44100 Hz, mono, fltp (default)
    Metadata:
      title           : Japanese
  Stream #0:3(chi): Subtitle: subrip
  Stream #0:4(eng): Subtitle: hdmv_pgs_subtitle (pgssub), 1920x1080 (forced)
At least one output file must be specified
`;

describe('parseFfmpegInputInfo', () => {
  it('lists every audio and subtitle track with its language, name and dispositions, and the title', () => {
    const probe = parseFfmpegInputInfo(MKV_TRACKS_STDERR);
    expect(probe?.title).toBe('My Film');
    expect(probe?.audioTracks).toEqual([
      { index: 1, codec: 'aac', sampleRate: 44100, channels: 1, language: 'eng' },
      { index: 2, codec: 'aac', sampleRate: 44100, channels: 1, language: 'jpn', isDefault: true, title: 'Japanese' },
    ]);
    expect(probe?.audio?.index).toBe(2);
    expect(probe?.subtitleTracks).toEqual([
      { index: 3, codec: 'subrip', form: 'text', language: 'chi' },
      { index: 4, codec: 'hdmv_pgs_subtitle', form: 'image', language: 'eng', forced: true },
    ]);
  });

  it('reads an MP4 with video and audio', () => {
    expect(parseFfmpegInputInfo(MP4_STDERR)).toEqual({
      durationS: 2,
      formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
      video: { index: 0, codec: 'h264', profile: 'Constrained Baseline', pixFmt: 'yuv420p', width: 640, height: 360, fps: 25, sar: SQUARE, rotation: 0 },
      audio: { index: 1, codec: 'aac', sampleRate: 44100, channels: 2, isDefault: true },
      audioTracks: [{ index: 1, codec: 'aac', sampleRate: 44100, channels: 2, isDefault: true }],
    });
  });

  it('reads an FLV without audio', () => {
    const probe = parseFfmpegInputInfo(FLV_NO_AUDIO_STDERR);
    expect(probe?.formatName).toBe('flv');
    expect(probe?.audio).toBeUndefined();
    expect(probe?.video).toMatchObject({ width: 1280, height: 720, codec: 'h264' });
    expect(probe?.video?.fps).toBeCloseTo(30000 / 1001, 2);
  });

  it('counts 5.1 as six channels and skips per-stream metadata', () => {
    const probe = parseFfmpegInputInfo(MKV_51_STDERR);
    expect(probe?.durationS).toBeCloseTo(1.02, 3);
    expect(probe?.formatName).toBe('matroska,webm');
    expect(probe?.audio).toEqual({ index: 1, codec: 'aac', sampleRate: 48000, channels: 6 });
  });

  it('tells cover art from the picture and reads parenthesised colour info', () => {
    const probe = parseFfmpegInputInfo(COVER_ART_STDERR);
    expect(probe?.durationS).toBeCloseTo(5525.48, 2);
    expect(probe?.video).toEqual({
      index: 1, codec: 'h264', profile: 'High', pixFmt: 'yuv420p', width: 1920, height: 1080, fps: 23.98, sar: SQUARE, rotation: 0,
      color: { range: 'tv', space: 'bt709', primaries: 'bt709', transfer: 'bt709' },
    });
    expect(probe?.audio).toEqual({ index: 2, codec: 'ac3', sampleRate: 48000, channels: 1, language: 'eng', isDefault: true });
    expect(probe?.coverArt).toEqual({ index: 0 });
  });

  it('reads the sample aspect ratio of an anamorphic DVD and the rotation of a phone video', () => {
    const probe = parseFfmpegInputInfo(ANAMORPHIC_AND_ROTATED_STDERR);
    expect(probe?.video).toMatchObject({ width: 720, height: 576, sar: { num: 64, den: 45 }, rotation: 90 });
    const phone = parseFfmpegInputInfo(ANAMORPHIC_AND_ROTATED_STDERR.replace('rotation of -90.00', 'rotation of 90.00'));
    expect(phone?.video?.rotation).toBe(270);
  });

  it('reads a sound-only file with cover art', () => {
    const probe = parseFfmpegInputInfo(MP3_COVER_STDERR);
    expect(probe?.video).toBeUndefined();
    expect(probe?.audio).toEqual({ index: 0, codec: 'mp3', sampleRate: 44100, channels: 1 });
    expect(probe?.coverArt).toEqual({ index: 1 });
  });

  it('returns undefined when ffmpeg could not open the input', () => {
    expect(parseFfmpegInputInfo('file:/tmp/t.txt: Invalid data found when processing input\n')).toBeUndefined();
    expect(parseFfmpegInputInfo('file:/tmp/nope.mp4: No such file or directory\n')).toBeUndefined();
  });

  it('leaves the duration NaN when ffmpeg prints N/A', () => {
    const probe = parseFfmpegInputInfo(FLV_NO_AUDIO_STDERR.replace('Duration: 00:00:02.00', 'Duration: N/A'));
    expect(probe?.durationS).toBeNaN();
  });
});

describe('parseFfprobeJson', () => {
  it('reads format and the first video and audio streams', () => {
    const probe = parseFfprobeJson({
      streams: [
        { codec_type: 'video', codec_name: 'mjpeg', width: 600, height: 900, disposition: { attached_pic: 1 } },
        {
          codec_type: 'video', codec_name: 'h264', profile: 'High', width: 1280, height: 720, pix_fmt: 'yuv420p',
          avg_frame_rate: '30000/1001', r_frame_rate: '30000/1001', disposition: { attached_pic: 0 },
        },
        { codec_type: 'audio', codec_name: 'aac', sample_rate: '48000', channels: 2 },
        { codec_type: 'audio', codec_name: 'ac3', sample_rate: '44100', channels: 6 },
      ],
      format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '3.000000' },
    });
    expect(probe.durationS).toBe(3);
    expect(probe.video).toMatchObject({ index: 1, codec: 'h264', profile: 'High', width: 1280, height: 720, pixFmt: 'yuv420p', rate: '30000/1001' });
    expect(probe.video?.fps).toBeCloseTo(29.97, 2);
    expect(probe.audio).toEqual({ index: 2, codec: 'aac', sampleRate: 48000, channels: 2 });
    expect(probe.coverArt).toEqual({ index: 0 });
  });

  it('reads the sample aspect ratio, the display matrix (or an old rotate tag) and colour', () => {
    const stream = { codec_type: 'video', codec_name: 'h264', width: 720, height: 576, sample_aspect_ratio: '64:45', color_range: 'tv', color_space: 'bt470bg', color_primaries: 'unknown' };
    const matrix = parseFfprobeJson({ streams: [{ ...stream, side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }] }], format: { duration: '1' } });
    expect(matrix.video).toMatchObject({ sar: { num: 64, den: 45 }, rotation: 90, color: { range: 'tv', space: 'bt470bg' } });
    expect(matrix.video?.color?.primaries).toBeUndefined();
    expect(parseFfprobeJson({ streams: [{ ...stream, tags: { rotate: '270' } }], format: { duration: '1' } }).video?.rotation).toBe(270);
    expect(parseFfprobeJson({ streams: [{ ...stream, sample_aspect_ratio: '0:1' }], format: { duration: '1' } }).video?.sar).toEqual(SQUARE);
  });

  it('falls back to r_frame_rate and to stream durations', () => {
    const probe = parseFfprobeJson({
      streams: [{ codec_type: 'video', codec_name: 'h264', width: 2, height: 2, avg_frame_rate: '0/0', r_frame_rate: '25/1', duration: '4.5' }],
      format: { format_name: 'h264' },
    });
    expect(probe.video?.fps).toBe(25);
    expect(probe.durationS).toBe(4.5);
    expect(probe.audio).toBeUndefined();
  });

  it('survives JSON without streams or format', () => {
    const probe = parseFfprobeJson({});
    expect(probe.video).toBeUndefined();
    expect(probe.durationS).toBe(-Infinity);
  });
});

describe('copyCompatible', () => {
  const item = (overrides: { video?: Partial<NonNullable<MediaProbe['video']>>; audio?: Partial<NonNullable<MediaProbe['audio']>> | null } = {}): MediaProbe => ({
    durationS: 3,
    formatName: 'flv',
    video: { index: 0, codec: 'h264', width: 1280, height: 720, fps: 25, pixFmt: 'yuv420p', profile: 'High', sar: SQUARE, rotation: 0, ...overrides.video },
    ...(overrides.audio === null ? {} : { audio: { index: 1, codec: 'aac', sampleRate: 48000, channels: 2, ...overrides.audio } }),
  });
  const numbered = (...probes: MediaProbe[]) => probes.map((probe, i) => ({ number: i + 1, probe }));

  it('names items by their playlist number, skipping generated ones', () => {
    const r = copyCompatible([{ number: 2, probe: item() }, { number: 5, probe: item({ video: { width: 640, height: 360 } }) }]);
    expect(r).toEqual({ ok: false, reasons: ['item 5 is 640x360, item 2 is 1280x720'] });
  });

  it('accepts matching items, an empty list and one item', () => {
    expect(copyCompatible(numbered(item(), item({ video: { profile: 'Main' } }), item()))).toEqual({ ok: true });
    expect(copyCompatible([])).toEqual({ ok: true });
    expect(copyCompatible(numbered(item()))).toEqual({ ok: true });
  });

  it('treats frame rates within 0.01 as equal', () => {
    expect(copyCompatible(numbered(item({ video: { fps: 30000 / 1001 } }), item({ video: { fps: 29.97 } })))).toEqual({ ok: true });
    expect(copyCompatible(numbered(item({ video: { fps: 29.97 } }), item({ video: { fps: 29.985 } }))).ok).toBe(false);
  });

  it.each([
    ['size', { video: { width: 640, height: 360 } }, /item 2 is 640x360, item 1 is 1280x720/],
    ['fps', { video: { fps: 30 } }, /item 2 runs at 30 fps, item 1 at 25 fps/],
    ['pixel format', { video: { pixFmt: 'yuv420p10le' } }, /pixel format is yuv420p10le/],
    ['sample rate', { audio: { sampleRate: 44100 } }, /item 2's audio is 44100 Hz, item 1's is 48000 Hz/],
    ['channels', { audio: { channels: 1 } }, /item 2 has 1 audio channels, item 1 has 2/],
    ['no audio', { audio: null }, /item 2 has no audio/],
    ['video codec', { video: { codec: 'hevc' } }, /item 2's video is hevc, not h264/],
    ['audio codec', { audio: { codec: 'mp3' } }, /item 2's audio is mp3, not aac/],
    ['rotation', { video: { rotation: 90 } }, /item 2 is shown turned by 90°/],
  ] as const)('rejects a different %s with a reason', (_name, overrides, reason) => {
    const r = copyCompatible(numbered(item(), item(overrides as Parameters<typeof item>[0])));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reasons.join('\n')).toMatch(reason);
  });

  it('rejects an item without video and lists every reason', () => {
    const noVideo: MediaProbe = { durationS: 3, formatName: 'mp3', audio: { index: 0, codec: 'mp3', sampleRate: 44100, channels: 2 } };
    const r = copyCompatible(numbered(item(), noVideo));
    expect(r).toEqual({ ok: false, reasons: ['item 2 has no video', "item 2's audio is mp3, not aac", "item 2's audio is 44100 Hz, item 1's is 48000 Hz"] });
  });
});
