import { describe, expect, it } from 'vitest';
import { commandLine, copyCommand, normalizeCommand } from '../../../src/playout/ffmpeg-commands.js';

const PROFILE = { width: 1280, height: 720, fps: 30, videoBitrate: 2_500_000, audioBitrate: 128_000, sampleRate: 48_000 };

describe('playout ffmpeg commands', () => {
  it('normalizes a file with sound: fast seek, scale + pad, fixed fps and GOP, stereo AAC, FLV to stdout', () => {
    const c = normalizeCommand({ kind: 'file', path: '/m/a b.mkv', hasAudio: true }, 90.5, 60, PROFILE);
    expect(c.inputs).toEqual([{ source: '/m/a b.mkv', options: ['-ss', '90.5'] }]);
    const out = c.output.join(' ');
    expect(out).toContain('-map 0:v:0 -map 0:a:0');
    expect(out).toContain('scale=1280:720:force_original_aspect_ratio=decrease,pad=1280:720:(ow-iw)/2:(oh-ih)/2');
    expect(out).toContain('fps=30');
    expect(out).toContain('-g 60 -keyint_min 60 -sc_threshold 0');
    expect(out).toContain('-profile:v high -level:v 4.1');
    expect(out).toContain('-ar 48000 -ac 2');
    expect(c.output.slice(-5)).toEqual(['-f', 'flv', '-flvflags', 'no_duration_filesize', 'pipe:1']);
  });

  it('adds silence for an item without sound, and a tone for a generated card', () => {
    const silent = normalizeCommand({ kind: 'file', path: '/m/x.mp4', hasAudio: false }, 0, 10, PROFILE);
    expect(silent.inputs[1]).toEqual({ source: 'anullsrc=channel_layout=stereo:sample_rate=48000', options: ['-f', 'lavfi'] });
    expect(silent.output.join(' ')).toContain('-map 1:a:0');
    const card = normalizeCommand({ kind: 'generated', pattern: 'smptebars', toneHz: 440 }, 0, 10, PROFILE);
    expect(card.inputs.map((i) => i.source)).toEqual(['smptebars=size=1280x720:rate=30', 'sine=frequency=440:sample_rate=48000']);
  });

  it('escapes slate text for the filter graph', () => {
    const slate = normalizeCommand({ kind: 'slate', lines: ["Friday's movie", 'starts at 21:00, 100%'] }, 0, 5, PROFILE);
    const vf = slate.output[slate.output.indexOf('-vf') + 1] ?? '';
    expect(vf).toContain("text='Friday\u2019s movie'");
    expect(vf).toContain("text='starts at 21\\:00\\, 100\\%'");
  });

  it('copies without re-encoding', () => {
    expect(copyCommand('/m/a.flv', 0, 12).output).toEqual(['-map', '0:v:0', '-map', '0:a:0?', '-t', '12', '-c', 'copy', '-f', 'flv', '-flvflags', 'no_duration_filesize', 'pipe:1']);
  });

  it('prints a command line that a shell would read back the same', () => {
    const line = commandLine('ffmpeg', copyCommand("/m/it's.mp4", 1.25, 2));
    expect(line).toBe("ffmpeg -ss 1.25 -i '/m/it'\\''s.mp4' -map 0:v:0 -map '0:a:0?' -t 2 -c copy -f flv -flvflags no_duration_filesize pipe:1");
  });
});
