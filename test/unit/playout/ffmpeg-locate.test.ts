import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FfmpegMissingError, locateFfmpeg, runTool, ToolTimeoutError } from '../../../src/playout/ffmpeg-locate.js';
import { UserError } from '../../../src/errors.js';

/** Stub ffmpeg/ffprobe shell scripts in temp dirs: each prints a version line naming itself, so a test sees which ran. */
const root = mkdtempSync(join(tmpdir(), 'kayak-ffmpeg-locate-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function dir(name: string): string {
  const d = join(root, name);
  mkdirSync(d, { recursive: true });
  return d;
}

function stub(directory: string, tool: 'ffmpeg' | 'ffprobe', body?: string): string {
  const path = join(directory, tool);
  writeFileSync(path, `#!/bin/sh\n${body ?? `echo "${tool} version 9.9-stub-${directory.split('/').pop()} Copyright"`}\n`);
  chmodSync(path, 0o755);
  return path;
}

const noStatic = async (): Promise<null> => null;

describe.skipIf(process.platform === 'win32')('locateFfmpeg', () => {
  const pathDir = dir('path');
  const pathFfmpeg = stub(pathDir, 'ffmpeg');
  const pathFfprobe = stub(pathDir, 'ffprobe');
  const flagDir = dir('flag');
  const flagFfmpeg = stub(flagDir, 'ffmpeg');
  const envDir = dir('env');
  const envFfmpeg = stub(envDir, 'ffmpeg');
  const envFfprobe = stub(envDir, 'ffprobe');
  const staticDir = dir('static');
  const staticFfmpeg = stub(staticDir, 'ffmpeg');
  const aloneDir = dir('alone');
  const aloneFfmpeg = stub(aloneDir, 'ffmpeg');
  const brokenDir = dir('broken');
  const brokenFfmpeg = stub(brokenDir, 'ffmpeg', 'echo "error while loading shared libraries" >&2; exit 127');
  const notFfmpeg = stub(dir('imposter'), 'ffmpeg', 'echo "hello"');
  const PATH = pathDir;

  it('prefers --ffmpeg over FFMPEG_PATH, ffmpeg-static and PATH', async () => {
    const tools = await locateFfmpeg({ ffmpeg: flagFfmpeg, env: { PATH, FFMPEG_PATH: envFfmpeg }, ffmpegStatic: async () => staticFfmpeg });
    expect(tools).toMatchObject({ ffmpeg: flagFfmpeg, source: 'flag' });
    // No ffprobe beside the flag's ffmpeg: found on PATH.
    expect(tools).toMatchObject({ ffprobe: pathFfprobe, ffprobeSource: 'path' });
  });

  it('uses FFMPEG_PATH next, and the ffprobe beside it', async () => {
    const tools = await locateFfmpeg({ env: { PATH, FFMPEG_PATH: envFfmpeg }, ffmpegStatic: async () => staticFfmpeg });
    expect(tools).toEqual({ ffmpeg: envFfmpeg, source: 'env', ffprobe: envFfprobe, ffprobeSource: 'beside-ffmpeg' });
  });

  it('uses ffmpeg-static before PATH when its binary exists', async () => {
    const tools = await locateFfmpeg({ env: { PATH }, ffmpegStatic: async () => staticFfmpeg });
    expect(tools).toMatchObject({ ffmpeg: staticFfmpeg, source: 'ffmpeg-static', ffprobe: pathFfprobe, ffprobeSource: 'path' });
  });

  it('skips ffmpeg-static when its binary was never downloaded, or the package is missing', async () => {
    const missingBinary = await locateFfmpeg({ env: { PATH }, ffmpegStatic: async () => join(staticDir, 'not-downloaded') });
    expect(missingBinary).toMatchObject({ ffmpeg: pathFfmpeg, source: 'path' });
    const noPackage = await locateFfmpeg({ env: { PATH }, ffmpegStatic: () => Promise.reject(new Error('Cannot find package')) });
    expect(noPackage).toMatchObject({ ffmpeg: pathFfmpeg, source: 'path', ffprobe: pathFfprobe, ffprobeSource: 'beside-ffmpeg' });
  });

  it('skips an ffmpeg-static binary that does not run', async () => {
    const tools = await locateFfmpeg({ env: { PATH }, ffmpegStatic: async () => brokenFfmpeg });
    expect(tools.ffmpeg).toBe(pathFfmpeg);
  });

  it('takes ffprobe from --ffprobe, then FFPROBE_PATH', async () => {
    const flag = await locateFfmpeg({ ffprobe: envFfprobe, env: { PATH, FFPROBE_PATH: pathFfprobe }, ffmpegStatic: noStatic });
    expect(flag).toMatchObject({ ffprobe: envFfprobe, ffprobeSource: 'flag' });
    const env = await locateFfmpeg({ env: { PATH, FFPROBE_PATH: envFfprobe }, ffmpegStatic: noStatic });
    expect(env).toMatchObject({ ffprobe: envFfprobe, ffprobeSource: 'env' });
  });

  it('has no ffprobe when there is none anywhere', async () => {
    const tools = await locateFfmpeg({ env: { PATH: aloneDir }, ffmpegStatic: noStatic });
    expect(tools).toEqual({ ffmpeg: aloneFfmpeg, source: 'path' });
  });

  it('looks a bare --ffmpeg name up on PATH', async () => {
    const tools = await locateFfmpeg({ ffmpeg: 'ffmpeg', env: { PATH: `${aloneDir}:${pathDir}` }, ffmpegStatic: noStatic });
    expect(tools.ffmpeg).toBe(aloneFfmpeg);
  });

  it('throws FfmpegMissingError with the install line when there is no ffmpeg at all', async () => {
    const error = await locateFfmpeg({ env: { PATH: dir('empty') }, ffmpegStatic: noStatic }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FfmpegMissingError);
    expect(error).toBeInstanceOf(UserError);
    const e = error as FfmpegMissingError;
    expect(e.message).toMatch(/no usable ffmpeg/);
    expect(e.nextStep).toMatch(/sudo apt-get install ffmpeg/);
    expect(e.nextStep).toMatch(/brew install ffmpeg/);
    expect(e.nextStep).toMatch(/winget|ffmpeg\.org/);
    expect(e.nextStep).toMatch(/FFMPEG_PATH/);
    expect(e.nextStep).not.toMatch(/\n/);
  });

  it('does not fall back when the user named an ffmpeg that is missing, broken or not ffmpeg', async () => {
    for (const [ffmpeg, why] of [
      ['/nonexistent/ffmpeg', /does not exist/],
      [brokenFfmpeg, /exits with 127 on -version \(error while loading shared libraries\)/],
      [notFfmpeg, /does not look like ffmpeg/],
    ] as const) {
      const error = await locateFfmpeg({ ffmpeg, env: { PATH }, ffmpegStatic: noStatic }).catch((e: unknown) => e);
      expect(error, ffmpeg).toBeInstanceOf(FfmpegMissingError);
      expect((error as Error).message).toMatch(/--ffmpeg names/);
      expect((error as Error).message).toMatch(why);
    }
    const fromEnv = await locateFfmpeg({ env: { PATH, FFMPEG_PATH: '/nonexistent/ffmpeg' }, ffmpegStatic: noStatic }).catch((e: unknown) => e);
    expect((fromEnv as Error).message).toMatch(/FFMPEG_PATH names \/nonexistent\/ffmpeg/);
  });

  it('does not fall back when the user named a missing ffprobe', async () => {
    const error = await locateFfmpeg({ ffprobe: '/nonexistent/ffprobe', env: { PATH }, ffmpegStatic: noStatic }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FfmpegMissingError);
    expect((error as Error).message).toMatch(/--ffprobe names \/nonexistent\/ffprobe/);
  });

  it('reports a PATH ffmpeg that does not run', async () => {
    const error = await locateFfmpeg({ env: { PATH: brokenDir }, ffmpegStatic: noStatic }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FfmpegMissingError);
    expect((error as Error).message).toContain(brokenFfmpeg);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(process.platform === 'win32')('runTool', () => {
  const sleeper = (name: string): { script: string; pidFile: string } => {
    const d = dir(name);
    const pidFile = join(d, 'pid');
    // exec: the sleep replaces the shell, so the pid written is the process that must die.
    return { script: stub(d, 'ffmpeg', `echo $$ > ${pidFile}; exec sleep 30`), pidFile };
  };

  async function pidOf(pidFile: string): Promise<number> {
    for (let i = 0; i < 100; i++) {
      try {
        const pid = Number(readFileSync(pidFile, 'utf8'));
        if (pid > 0) return pid;
      } catch {
        // not written yet
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('the stub never started');
  }

  it('kills the child when the signal aborts, and rejects with the reason', async () => {
    const { script, pidFile } = sleeper('abort');
    const controller = new AbortController();
    const run = runTool(script, [], { timeoutMs: 20_000, signal: controller.signal });
    const pid = await pidOf(pidFile);
    controller.abort(new Error('stop now'));
    await expect(run).rejects.toThrow('stop now');
    expect(alive(pid)).toBe(false);
  });

  it('kills the child at its timeout', async () => {
    const { script, pidFile } = sleeper('timeout');
    const run = runTool(script, [], { timeoutMs: 300 });
    const pid = await pidOf(pidFile);
    await expect(run).rejects.toBeInstanceOf(ToolTimeoutError);
    expect(alive(pid)).toBe(false);
  });

  it('rejects at once for an aborted signal, without spawning', async () => {
    await expect(runTool('/nonexistent', [], { timeoutMs: 1000, signal: AbortSignal.abort(new Error('already')) })).rejects.toThrow('already');
  });

  it('rejects with the spawn error for a missing binary', async () => {
    await expect(runTool(join(root, 'missing-binary'), [], { timeoutMs: 1000 })).rejects.toThrow(/ENOENT/);
  });
});
