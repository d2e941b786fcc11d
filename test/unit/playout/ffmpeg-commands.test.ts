import { describe, expect, it } from 'vitest';
import { commandLine, copyCommand, type HeaderMatch, type ItemDressing } from '../../../src/playout/ffmpeg-commands.js';
import { filterValue } from '../../../src/playout/filters/filter-value.js';
import { itemDressing } from '../../../src/playout/segment-commands.js';
import type { MediaProbe, VideoProbe } from '../../../src/playout/media-probe.js';
import { normalizeCommand } from '../../../src/playout/normalize-command.js';

const PROFILE = { width: 1280, height: 720, fps: 30, videoBitrate: 2_500_000, audioBitrate: 128_000, sampleRate: 48_000 };
const VIDEO: VideoProbe = { index: 0, codec: 'h264', width: 1280, height: 720, fps: 25, sar: { num: 1, den: 1 }, rotation: 0 };
const MOVIE: MediaProbe = { durationS: 60, formatName: 'matroska,webm', video: VIDEO, audio: { index: 1, codec: 'aac', sampleRate: 48_000, channels: 6 } };

function option(command: { output: string[] }, name: string): string {
  return command.output[command.output.indexOf(name) + 1] ?? '';
}

describe('normalizeCommand', () => {
  it('normalizes a file with sound: fast seek, its probed streams, shape kept, fixed fps and GOP, stereo AAC', () => {
    const c = normalizeCommand({ kind: 'file', path: '/m/a b.mkv', probe: MOVIE, title: 'A' }, 90.5, 60, PROFILE);
    expect(c.inputs).toEqual([{ source: 'file:/m/a b.mkv', options: ['-ss', '90.5', '-noautorotate'] }]);
    const out = c.output.join(' ');
    expect(out).toContain('-map 0:0 -map 0:1');
    expect(option(c, '-vf')).toBe(
      'scale=in_color_matrix=bt709:out_color_matrix=bt709:out_range=tv,scale=1280:720,setsar=1,pad=1280:720:0:0,fps=30,tpad=stop_mode=clone:stop_duration=0.5,format=yuv420p',
    );
    expect(option(c, '-af')).toBe('aresample=48000,aformat=sample_fmts=fltp,apad=pad_dur=0.5');
    expect(out).toContain('-g 60 -keyint_min 60 -sc_threshold 0');
    expect(out).toContain('-profile:v high -level:v 4.1');
    expect(out).toContain('-color_range tv -colorspace bt709 -color_trc bt709 -color_primaries bt709');
    expect(out).toContain('-ar 48000 -ac 2');
    expect(option(c, '-t')).toBe('60');
  });

  it('maps the streams by their index (cover art first, a second audio track ignored)', () => {
    const probe: MediaProbe = { ...MOVIE, coverArt: { index: 0 }, video: { ...VIDEO, index: 1 }, audio: { index: 2, codec: 'eac3', sampleRate: 48_000, channels: 6 } };
    expect(normalizeCommand({ kind: 'file', path: '/m/x.mkv', probe, title: 'X' }, 0, 10, PROFILE).output.join(' ')).toContain('-map 0:1 -map 0:2');
  });

  it('keeps the display shape: an anamorphic DVD fills 16:9, PAL 4:3 is pillarboxed, a portrait phone video is turned upright', () => {
    const vf = (video: Partial<VideoProbe>) => option(normalizeCommand({ kind: 'file', path: '/m/x', probe: { ...MOVIE, video: { ...VIDEO, ...video } }, title: 'X' }, 0, 5, PROFILE), '-vf');
    expect(vf({ width: 720, height: 576, sar: { num: 64, den: 45 } })).toContain('scale=1280:720,setsar=1,pad=1280:720:0:0');
    expect(vf({ width: 720, height: 576, sar: { num: 16, den: 15 } })).toContain('scale=960:720,setsar=1,pad=1280:720:160:0');
    expect(vf({ width: 1920, height: 1080, rotation: 90 })).toContain('transpose=clock,scale=406:720,setsar=1,pad=1280:720:436:0');
    expect(vf({ width: 1920, height: 1080, rotation: 180 })).toContain('hflip,vflip,scale=1280:720');
  });

  it('adds silence for a file without sound, and a tone for a generated card', () => {
    const silent = normalizeCommand({ kind: 'file', path: '/m/x.mp4', probe: { durationS: 5, formatName: 'mp4', video: VIDEO }, title: 'X' }, 0, 10, PROFILE);
    expect(silent.inputs[1]).toEqual({ source: 'anullsrc=channel_layout=stereo:sample_rate=48000', options: ['-f', 'lavfi'] });
    expect(silent.output.join(' ')).toContain('-map 0:0 -map 1:a:0');
    const card = normalizeCommand({ kind: 'generated', pattern: 'smptehdbars', toneHz: 440 }, 0, 10, PROFILE);
    expect(card.inputs.map((i) => i.source)).toEqual(['smptehdbars=size=1280x720:rate=30', 'sine=frequency=440:sample_rate=48000']);
  });

  it('puts a sound-only file under a still card with its title, and its cover art when it has one', () => {
    const song: MediaProbe = { durationS: 200, formatName: 'mp3', audio: { index: 0, codec: 'mp3', sampleRate: 44_100, channels: 2 } };
    const plain = normalizeCommand({ kind: 'file', path: '/m/song.mp3', probe: song, title: 'Song' }, 0, 200, PROFILE);
    expect(plain.inputs.map((i) => i.source)).toEqual(['file:/m/song.mp3', 'color=c=0x14181f:size=1280x720:rate=30']);
    expect(option(plain, '-filter_complex')).toMatch(/^\[1:v\]drawtext=.*text='Song'.*\[v\]$/);
    expect(plain.output.join(' ')).toContain('-map [v] -map 0:0');
    const covered = normalizeCommand({ kind: 'file', path: '/m/song.mp3', probe: { ...song, coverArt: { index: 1 } }, title: 'Song' }, 0, 200, PROFILE);
    expect(option(covered, '-filter_complex')).toMatch(/^\[0:1\]scale=432:432:force_original_aspect_ratio=decrease,setsar=1,loop=loop=-1:size=1,fps=30\[cover\];\[1:v\]\[cover\]overlay=/);
  });

  it('writes CJK lines in a font that has the glyphs (when one was found), other lines in Sans', () => {
    const slate = normalizeCommand({ kind: 'slate', lines: ['我的电影 is unavailable', 'Next: Amélie at 23:00'] }, 0, 5, { ...PROFILE, cjkFont: 'WenQuanYi Micro Hei' });
    const vf = option(slate, '-vf');
    expect(vf).toContain("drawtext=font='WenQuanYi Micro Hei':fontcolor=white:fontsize=66:x=(w-text_w)/2:y=278:text='我的电影 is unavailable'");
    expect(vf).toContain("drawtext=font=Sans:fontcolor=white:fontsize=51:x=(w-text_w)/2:y=360:text='Next\\: Amélie at 23\\:00'");
    expect(option(normalizeCommand({ kind: 'slate', lines: ['我的电影'] }, 0, 5, PROFILE), '-vf')).toContain('drawtext=font=Sans:');
  });

  it('escapes slate text for the filter graph', () => {
    const slate = normalizeCommand({ kind: 'slate', lines: ["Friday's movie", 'starts at 21:00, 100%'] }, 0, 5, PROFILE);
    const vf = option(slate, '-vf');
    expect(vf).toContain("text='Friday\u2019s movie'");
    expect(vf).toContain("text='starts at 21\\:00\\, 100\\%'");
  });

  it('encodes copy mode\'s slates with the settings that repeat the items\' headers', () => {
    const match: HeaderMatch = { x264Params: 'cabac=0:ref=1', level: '3.0', rate: '30000/1001', pixFmt: 'yuv420p', sar: { num: 1, den: 1 }, color: { range: 'tv' }, audioChannels: 1 };
    const slate = normalizeCommand({ kind: 'slate', lines: ['Break'] }, 0, 5, { ...PROFILE, match });
    expect(slate.inputs[0]?.source).toBe('color=c=0x14181f:size=1280x720:rate=30000/1001');
    const out = slate.output.join(' ');
    expect(out).toContain('-c:v libx264 -level:v 3.0 -pix_fmt yuv420p -x264-params cabac=0:ref=1 -color_range tv');
    expect(out).not.toContain('-profile:v');
    expect(out).toContain('-ac 1');
  });
});

describe('copyCommand and commandLine', () => {
  it('copies the probed streams without re-encoding', () => {
    expect(copyCommand('/m/a.flv', MOVIE, 0, 12).output).toEqual(['-map', '0:0', '-map', '0:1', '-t', '12', '-c', 'copy']);
  });

  it('prints a command line that a shell would read back the same', () => {
    const line = commandLine('ffmpeg', copyCommand("/m/it's.mp4", MOVIE, 1.25, 2));
    expect(line).toBe("ffmpeg -ss 1.25 -i 'file:/m/it'\\''s.mp4' -map 0:0 -map 0:1 -t 2 -c copy -f flv -flvflags no_duration_filesize pipe:1");
  });
});

describe('normalizeCommand: what an item adds when re-encoded', () => {
  const file = (dressing: ItemDressing, probe: MediaProbe = MOVIE) => ({ kind: 'file' as const, path: '/m/a.mkv', probe, title: '我的电影', dressing });

  it('draws text subtitles on the output frame; started mid-way, the frames are moved to the movie\'s time for libass', () => {
    const burnIn = { form: 'text' as const, file: "/s/we:ird, na'me [x];\\ 电影.srt", forceStyle: 'FontName=Noto Sans,FontSize=14.4' };
    const fromStart = option(normalizeCommand(file({ burnIn }), 0, 60, PROFILE), '-vf');
    expect(fromStart).toContain(
      String.raw`pad=1280:720:0:0,subtitles=filename=/s/we\\:ird\, na\\\'me \[x\]\;\\\\ 电影.srt:force_style=FontName=Noto Sans\,FontSize=14.4,fps=30,`,
    );
    const joined = option(normalizeCommand(file({ burnIn }), 90.5, 60, PROFILE), '-vf');
    expect(joined).toMatch(/pad=1280:720:0:0,setpts=PTS\+90\.5\/TB,subtitles=filename=.*,setpts=PTS-90\.5\/TB,fps=30/);
  });

  it('overlays picture subtitles on the stored picture, before it is scaled', () => {
    const c = normalizeCommand(file({ burnIn: { form: 'image', streamIndex: 3 } }), 0, 60, PROFILE);
    expect(option(c, '-filter_complex')).toMatch(/^\[0:3\]\[0:0\]scale2ref\[subs\]\[base\];\[base\]\[subs\]overlay=eof_action=pass\[subbed\];\[subbed\]scale=in_color_matrix=.*format=yuv420p\[v\]$/);
    expect(c.output.join(' ')).toContain('-map [v] -map 0:1');
  });

  it('evens out loudness with loudnorm, back at the channel\'s sample rate, before the padding', () => {
    expect(option(normalizeCommand(file({ loudnessLufs: -16 }), 0, 60, PROFILE), '-af')).toBe(
      'aresample=48000,aformat=sample_fmts=fltp,loudnorm=I=-16:TP=-1.5:LRA=11,aresample=48000,apad=pad_dur=0.5',
    );
  });

  it('shows the title for its seconds, in the CJK family for a CJK title', () => {
    const vf = option(normalizeCommand(file({ titleS: 4.5 }), 0, 60, { ...PROFILE, cjkFont: 'WenQuanYi Micro Hei' }), '-vf');
    expect(vf).toMatch(/tpad=[^,]*,drawtext=font='WenQuanYi Micro Hei':fontcolor=white:fontsize=40:box=1:.*enable='lt\(t,4\.5\)':text='我的电影',format=yuv420p$/);
  });

  it('lays the logo over every picture (the channel name is drawn), slates and cards too', () => {
    const logo = { ...PROFILE, overlay: { image: '/l/logo.png', position: 'bottom-left' as const } };
    const c = normalizeCommand(file({}), 0, 60, logo);
    expect(c.inputs.at(-1)).toEqual({ source: 'file:/l/logo.png', options: [] });
    expect(option(c, '-filter_complex')).toMatch(/^\[0:0\]scale=.*\[main\];\[1:v\]scale=w=-2:h='min\(ih,90\)',setsar=1,format=rgba\[logo\];\[main\]\[logo\]overlay=x=24:y=H-h-24:eof_action=repeat,format=yuv420p\[v\]$/);
    const silent = normalizeCommand(file({}, { durationS: 5, formatName: 'mp4', video: VIDEO }), 0, 5, logo);
    expect(option(silent, '-filter_complex')).toContain('[2:v]scale=w=-2');
    const slate = normalizeCommand({ kind: 'slate', lines: ['x'] }, 0, 5, { ...PROFILE, overlay: { text: 'Kayak TV', position: 'top-right' } });
    expect(option(slate, '-vf')).toMatch(/drawtext=font=Sans:fontcolor=white@0\.85:fontsize=30:.*x=w-text_w-24:y=24:text='Kayak TV'$/);
  });
});

describe('itemDressing', () => {
  const item = { index: 0, title: 'A', source: { kind: 'file' as const, path: '/m/a.mkv' }, inS: 10, line: 1 };
  const context = { mode: 'normalize' as const, profile: PROFILE, dressing: { burnIns: [{ form: 'image' as const, streamIndex: 2 }], showTitlesS: 5, loudnessLufs: -20 } };

  it('shows the title only in the first seconds of the item, also when joined a little later', () => {
    expect(itemDressing(context, item, 10)).toEqual({ burnIn: { form: 'image', streamIndex: 2 }, titleS: 5, loudnessLufs: -20 });
    expect(itemDressing(context, item, 13)?.titleS).toBe(2);
    expect(itemDressing(context, item, 16)?.titleS).toBeUndefined();
    expect(itemDressing({ mode: 'copy', profile: PROFILE }, item, 10)).toBeUndefined();
  });
});

describe('filterValue', () => {
  it('escapes for the option parser, then for the graph parser, ends kept', () => {
    expect(filterValue('plain.srt')).toBe('plain.srt');
    expect(filterValue('a:b')).toBe('a\\\\:b');
    expect(filterValue("it's")).toBe("it\\\\\\'s");
    expect(filterValue('a,b;c[d]')).toBe('a\\,b\\;c\\[d\\]');
    expect(filterValue('back\\slash')).toBe('back\\\\\\\\slash');
    expect(filterValue(' spaced ')).toBe('\\\\ spaced\\\\\\ ');
  });
});
