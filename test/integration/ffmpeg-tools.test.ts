import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ffmpegCapabilities } from '../../src/playout/ffmpeg-capabilities.js';
import type { FfmpegCapabilities } from '../../src/playout/ffmpeg-capabilities.js';
import { locateFfmpeg } from '../../src/playout/ffmpeg-locate.js';
import type { FfmpegTools } from '../../src/playout/ffmpeg-locate.js';
import { copyCompatible } from '../../src/playout/copy-compatible.js';
import { probeMedia, ProbeError } from '../../src/playout/ffmpeg-probe.js';
import type { MediaProbe } from '../../src/playout/ffmpeg-probe.js';
import { makeClip, scratchSubdir } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { trackProcesses } from '../helpers/processes.js';
import { cliEnv, requireBuilt, runCli } from '../helpers/server.js';

/** The machine's real ffmpeg (Debian 12: 5.1) and ffprobe: locating, capabilities, probing both ways, and `doctor`. */

describeWithPeers(['ffmpeg', 'ffprobe'], 'ffmpeg tools against the real ffmpeg', () => {
  let tools: FfmpegTools;
  let ffmpegOnly: FfmpegTools;
  let caps: FfmpegCapabilities;

  beforeAll(async () => {
    // The package is not installed here (its download fails offline), so PATH is what is found.
    tools = await locateFfmpeg({ env: { PATH: process.env.PATH }, ffmpegStatic: async () => null });
    ffmpegOnly = { ffmpeg: tools.ffmpeg, source: tools.source };
    caps = await ffmpegCapabilities(tools);
  }, 60_000);

  it('finds ffmpeg and ffprobe on PATH', () => {
    expect(tools.source).toBe('path');
    expect(tools.ffprobe).toMatch(/ffprobe$/);
  });

  it('reads the version, the encoders and the pacing options', () => {
    expect(caps.major).toBeGreaterThanOrEqual(4);
    expect(caps.version).toMatch(/^n?\d+\.\d+/);
    expect(caps.encoders).toEqual({ libx264: true, aac: true });
    expect(caps.options.readrate).toBe(caps.major >= 5);
    expect(caps.options.readrateInitialBurst).toBe(caps.major > 6 || (caps.major === 6 && caps.minor >= 1));
  });

  const clips = [
    { name: '640x360 25 fps, 44.1 kHz stereo, FLV', o: { seconds: 2, width: 640, height: 360, fps: 25, audioRate: 44_100 } },
    { name: '1280x720 30 fps, 48 kHz stereo, MP4', o: { seconds: 2, width: 1280, height: 720, fps: 30, audioRate: 48_000, format: 'mp4' as const } },
    { name: '640x360 25 fps without audio, FLV', o: { seconds: 2, width: 640, height: 360, fps: 25, audio: false } },
  ];

  describe('probeMedia', () => {
    const probes = new Map<string, { ffprobe: MediaProbe; ffmpeg: MediaProbe }>();

    beforeAll(async () => {
      for (const clip of clips) {
        const file = await makeClip(clip.o);
        probes.set(clip.name, { ffprobe: await probeMedia(tools, file), ffmpeg: await probeMedia(ffmpegOnly, file) });
      }
    }, 120_000);

    it.each(clips)('reads $name the same with ffprobe and with ffmpeg alone', ({ name, o }) => {
      const both = probes.get(name);
      expect(both).toBeDefined();
      for (const probe of [both!.ffprobe, both!.ffmpeg]) {
        expect(probe.durationS).toBeCloseTo(o.seconds, 1);
        expect(probe.formatName).toBe(o.format === 'mp4' ? 'mov,mp4,m4a,3gp,3g2,mj2' : 'flv');
        expect(probe.video).toMatchObject({ codec: 'h264', width: o.width, height: o.height, pixFmt: 'yuv420p' });
        expect(probe.video?.fps).toBeCloseTo(o.fps, 2);
        if (o.audio === false) expect(probe.audio).toBeUndefined();
        else expect(probe.audio).toMatchObject({ index: 1, codec: 'aac', sampleRate: o.audioRate, channels: 2 });
        expect(probe.video).toMatchObject({ index: 0, sar: { num: 1, den: 1 }, rotation: 0 });
      }
      const { ffprobe, ffmpeg } = both!;
      expect(ffmpeg.durationS).toBeCloseTo(ffprobe.durationS, 1);
      // ffprobe also gives the frame rate as a fraction, and colour fields `ffmpeg -i` prints only when set.
      const comparable = (p: MediaProbe) => ({ ...p, durationS: 0, video: p.video && { ...p.video, rate: undefined, color: undefined } });
      expect(comparable(ffmpeg)).toEqual(comparable(ffprobe));
    });

    it('says copy is only possible for matching clips', async () => {
      const [a, b, c] = clips.map((clip) => probes.get(clip.name)!.ffprobe);
      expect(copyCompatible([{ number: 1, probe: a! }, { number: 2, probe: a! }])).toEqual({ ok: true });
      const mixed = copyCompatible([a!, b!, c!].map((probe, i) => ({ number: i + 1, probe })));
      expect(mixed.ok).toBe(false);
      if (!mixed.ok) {
        expect(mixed.reasons).toContain('item 2 is 1280x720, item 1 is 640x360');
        expect(mixed.reasons).toContain('item 3 has no audio');
      }
    });

    for (const mode of ['ffprobe', 'ffmpeg alone'] as const) {
      const use = (): FfmpegTools => (mode === 'ffprobe' ? tools : ffmpegOnly);

      it(`a missing file is a ProbeError naming it (${mode})`, async () => {
        const file = join(scratchSubdir('probe'), 'no such movie.mp4');
        const error = await probeMedia(use(), file).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ProbeError);
        expect((error as ProbeError).message).toContain(file);
        expect((error as ProbeError).message).toMatch(/No such file or directory/);
      });

      it(`a text file is a ProbeError naming it (${mode})`, async () => {
        const file = join(scratchSubdir('probe'), 'notes.txt');
        writeFileSync(file, 'this is not a movie\n'.repeat(20));
        const error = await probeMedia(use(), file).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ProbeError);
        expect((error as ProbeError).message).toContain(file);
        expect((error as ProbeError).message).toMatch(/Invalid data found when processing input/);
      });

      it(`an aborted probe rejects with the abort reason (${mode})`, async () => {
        const file = await makeClip(clips[0]!.o);
        const controller = new AbortController();
        const probing = probeMedia(use(), file, { signal: controller.signal });
        controller.abort(new Error('show cancelled'));
        await expect(probing).rejects.toThrow('show cancelled');
      });
    }

    it('reads a file whose name starts with a dash and contains a colon', async () => {
      const source = await makeClip(clips[0]!.o);
      const dir = scratchSubdir('odd-names');
      const odd = join(dir, '-movie: part 1.flv');
      writeFileSync(odd, await import('node:fs').then((fs) => fs.readFileSync(source)));
      const probe = await probeMedia(tools, odd);
      expect(probe.video?.width).toBe(640);
      const viaFfmpeg = await probeMedia(ffmpegOnly, odd);
      expect(viaFfmpeg.video?.width).toBe(640);
    });
  });

  describe('kayak-cast doctor', () => {
    trackProcesses();
    beforeAll(requireBuilt, 240_000);

    it('exits 0 and lists the tools and encoders', async () => {
      const r = await runCli(['doctor'], { env: cliEnv() });
      const out = `${r.stdout}${r.stderr}`;
      expect(r.code, out).toBe(0);
      expect(out).toContain(tools.ffmpeg);
      expect(out).toMatch(/libx264\s+yes/);
      expect(out).toMatch(/aac\s+yes/);
      expect(out).toMatch(/ffprobe\s+\/\S*ffprobe/);
      expect(out).toContain(caps.version);
    });

    it('exits 1 with the install hint when --ffmpeg names nothing', async () => {
      const r = await runCli(['doctor', '--ffmpeg', '/nonexistent'], { env: cliEnv() });
      const out = `${r.stdout}${r.stderr}`;
      expect(r.code, out).toBe(1);
      expect(out).toMatch(/\/nonexistent/);
      expect(out).toMatch(/sudo apt-get install ffmpeg/);
      expect(out).not.toMatch(/at .*\.js:\d+/);
    });

    it('exits 1 when ffmpeg lacks libx264 (a stub that lists no encoders)', async () => {
      const dir = scratchSubdir('stub-ffmpeg');
      const stub = join(dir, 'ffmpeg');
      writeFileSync(
        stub,
        `#!/bin/sh\ncase "$*" in\n  *-version*) echo "ffmpeg version 5.1-stub Copyright";;\n  *-encoders*) printf 'Encoders:\\n ------\\n A..... aac   AAC\\n';;\n  *) echo "-readrate speed   read input at specified rate";;\nesac\n`,
        { mode: 0o755 },
      );
      const r = await runCli(['doctor', '--ffmpeg', stub], { env: cliEnv() });
      const out = `${r.stdout}${r.stderr}`;
      expect(r.code, out).toBe(1);
      expect(out).toMatch(/libx264\s+no/);
      expect(out).toMatch(/lacks the libx264 encoder/);
    });
  });
});
