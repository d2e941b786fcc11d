import { renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/status/status-snapshot.js';
import { decodeErrors } from '../helpers/collection.js';
import { type FlvTag, makeClip, mediaFrames, parseFlv, scratchPlaylist, scratchSubdir } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { httpFlvView, httpJson, rtmpdumpPlay } from '../helpers/players.js';
import { freePort } from '../helpers/ports.js';
import { runProcess, stopProcess, trackProcesses, waitFor, waitForOutput } from '../helpers/processes.js';
import { type RunningKayak, cliEnv, requireBuilt, runCli, startCli, startKayak } from '../helpers/server.js';

/**
 * `kayak-cast schedule` as a user runs it: three 3-second movies that differ in frame size, frame rate, sample rate
 * and sound, scheduled a few seconds ahead. Viewers connected before the start see the slate, then every item, on
 * one connection, with one timeline.
 */
const FPS = 25;
const FRAME_MS = 1000 / FPS;

/** An ISO local date-time (no offset) `ms` from now, in UTC: the child runs with TZ=UTC. */
function isoIn(ms: number): string {
  return new Date(Date.now() + ms).toISOString().slice(0, 19);
}

function largestGap(frames: FlvTag[]): number {
  let largest = 0;
  for (let i = 1; i < frames.length; i++) largest = Math.max(largest, frames[i]!.timestamp - frames[i - 1]!.timestamp);
  return largest;
}

function regressions(frames: FlvTag[]): number {
  return frames.filter((f, i) => i > 0 && f.timestamp <= frames[i - 1]!.timestamp).length;
}

describeWithPeers(['ffmpeg', 'ffprobe', 'rtmpdump'], 'kayak-cast schedule', () => {
  trackProcesses();
  let dir: string;
  let movies: string[];

  beforeAll(async () => {
    await requireBuilt();
    dir = scratchSubdir('schedule');
    movies = await Promise.all([
      makeClip({ seconds: 3, width: 640, height: 360, fps: 25, audioRate: 44_100 }),
      makeClip({ seconds: 3, width: 320, height: 240, fps: 30, audioRate: 48_000 }),
      makeClip({ seconds: 3, width: 480, height: 270, fps: 25, audio: false }),
    ]);
  });

  function writePlaylist(name: string, files: string[], extra = ''): string {
    const yaml = [
      'stream: night',
      'transcode: auto',
      'output: { width: 320, height: 240, fps: 25, video_bitrate: 400k, audio_bitrate: 64k, sample_rate: 48000 }',
      extra,
      'items:',
      ...files.map((file, i) => `  - { file: ${JSON.stringify(file)}, title: Movie ${i + 1} }`),
      '',
    ].join('\n');
    const path = join(dir, name);
    writeFileSync(path, yaml);
    return path;
  }

  async function startSchedule(playlist: string, extra: string[]) {
    const rtmpPort = await freePort();
    const httpPort = await freePort();
    const child = startCli(
      ['schedule', playlist, '--host', '127.0.0.1', '--rtmp-port', String(rtmpPort), '--http-port', String(httpPort), '--no-dashboard', ...extra],
      { env: { ...cliEnv(), TZ: 'UTC' } },
    );
    await waitForOutput(child, /HTTP-FLV: http:\/\/\S+\.flv/, 30_000);
    return { child, rtmpPort, httpPort };
  }

  it('--check prints the timetable with re-encode and starts nothing', async () => {
    const playlist = writePlaylist('check.yaml', movies);
    const r = await runCli(['schedule', playlist, '--check', '--at', 'now'], { env: { ...cliEnv(), TZ: 'UTC' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Movie 1.*re-encode/);
    expect(r.stdout).toMatch(/Movie 3/);
    expect(r.stdout).toMatch(/re-encode to 320x240 25 fps/);
  });

  it('a bad playlist names the file, the line and the field', async () => {
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, ['stream: night', 'items:', '  - file: a.mp4', '    in: 1:2x', ''].join('\n'));
    const r = await runCli(['schedule', path, '--check'], { env: cliEnv() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.yaml:4: items\[0\]\.in/);
  });

  it('plays the slate, then every item on one connection (HTTP-FLV and RTMP), with one timeline', async () => {
    const playlist = writePlaylist('night.yaml', movies);
    // Far enough ahead for the checks (each item is tried through ffmpeg first) on a loaded machine.
    const startsIn = 12_000;
    const at = isoIn(startsIn);
    const startAt = Date.parse(`${at}Z`);
    const { child, rtmpPort, httpPort } = await startSchedule(playlist, ['--at', at]);
    try {
      const flv = httpFlvView(`http://127.0.0.1:${httpPort}/live/night.flv`);
      const rtmp = rtmpdumpPlay(`rtmp://127.0.0.1:${rtmpPort}/live/night`, (startAt - Date.now()) / 1000 + 10.5);
      const status = () => httpJson<StatusSnapshot>(`http://127.0.0.1:${httpPort}/api/status`);
      await waitFor(async () => (await status()).schedule?.state === 'pre-show', { timeoutMs: 3_000, what: 'the pre-show slate' });
      await waitFor(async () => (await status()).schedule?.state === 'playing', { timeoutMs: startsIn + 5_000, what: 'the show to start' });
      const playingAt = Date.now();
      const now = (await status()).schedule;
      expect(now?.nowPlaying?.title).toBe('Movie 1');
      expect(now?.next.map((n) => n.title)).toEqual(['Movie 2', 'Movie 3']);
      await waitFor(async () => (await status()).schedule?.state === 'ended', { timeoutMs: 20_000, what: 'the end slate' });
      flv.close();
      const dumped = await rtmp;

      const video = mediaFrames(flv.tags, 'video');
      // Some pre-show slate + 9 s of movies + the start of the end slate, all on one connection.
      expect(video.length).toBeGreaterThan(9 * FPS + FPS);
      expect(regressions(video)).toBe(0);
      expect(largestGap(video)).toBeLessThanOrEqual(2 * FRAME_MS);
      expect(flv.tags.filter((t) => t.kind === 'video' && t.sequenceHeader)).toHaveLength(1);
      expect(mediaFrames(flv.tags, 'audio').length).toBeGreaterThan(100);

      const rtmpVideo = mediaFrames(parseFlv(dumped.bytes).tags, 'video');
      expect(rtmpVideo.length).toBeGreaterThan(9 * FPS);
      expect(regressions(rtmpVideo)).toBe(0);
      expect(largestGap(rtmpVideo)).toBeLessThanOrEqual(2 * FRAME_MS);
      console.info(`[schedule] status said playing ${playingAt - startAt} ms after the scheduled start (polling: loose); largest gap ${largestGap(video)} ms`);
      expect(Math.abs(playingAt - startAt)).toBeLessThan(2_000);
    } finally {
      await stopProcess(child, 'SIGINT', 10_000);
    }
    expect((await child.exited).code).toBe(0);
    const orphans = await runProcess('pgrep', ['-f', `night\\.yaml|${movies[0]}`], { timeoutMs: 5_000 });
    expect(orphans.stdout.trim()).toBe('');
  });

  it('a file missing at air time gets a slate in its place and the show goes on', async () => {
    const copy = join(dir, 'second.flv');
    await runProcess('cp', [movies[1]!, copy], { timeoutMs: 5_000 });
    const playlist = writePlaylist('missing.yaml', [movies[0]!, copy, movies[2]!]);
    const { child, httpPort } = await startSchedule(playlist, ['--at', 'now']);
    try {
      renameSync(copy, `${copy}.gone`);
      const status = () => httpJson<StatusSnapshot>(`http://127.0.0.1:${httpPort}/api/status`);
      await waitFor(async () => (await status()).schedule?.nowPlaying?.title === 'Movie 3', { timeoutMs: 20_000, what: 'Movie 3' });
      expect(child.output()).toMatch(/"Movie 2" is unavailable: .*second\.flv is missing; a slate fills its slot until \d\d:\d\d:\d\d/);
    } finally {
      await stopProcess(child, 'SIGINT', 10_000);
    }
  });
});

describeWithPeers(['ffmpeg', 'ffprobe', 'rtmpdump'], 'kayak-cast schedule in copy mode', () => {
  trackProcesses();

  beforeAll(async () => {
    await requireBuilt();
  });

  it('slates (pre-show, a break, the end) carry the items\' exact codec headers: one header, every frame decodes', async () => {
    const [short, long] = await Promise.all([
      makeClip({ seconds: 2, width: 320, height: 240, fps: 25, audioRate: 44_100 }),
      makeClip({ seconds: 3, width: 320, height: 240, fps: 25, audioRate: 44_100 }),
    ]);
    const startMs = Math.ceil((Date.now() + 8_000) / 1000) * 1000;
    const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19);
    const playlist = scratchPlaylist('copy', [
      'stream: copied',
      'transcode: copy',
      'end_slate: 2s',
      'items:',
      `  - { file: ${JSON.stringify(short)}, title: One }`,
      `  - { file: ${JSON.stringify(long)}, title: Two, at: "${iso(startMs + 5_000)}" }`,
      `  - { file: ${JSON.stringify(short)}, title: Three }`,
    ]);
    const dir = dirname(playlist);
    const rtmpPort = await freePort();
    const httpPort = await freePort();
    const child = startCli(
      ['schedule', playlist, '--at', iso(startMs), '--host', '127.0.0.1', '--rtmp-port', String(rtmpPort), '--http-port', String(httpPort), '--no-dashboard'],
      { env: { ...cliEnv(), TZ: 'UTC' } },
    );
    try {
      await waitForOutput(child, /HTTP-FLV: http:\/\/\S+\.flv/, 30_000);
      expect(child.stdout()).toMatch(/mode: copy \(no re-encode: every item already matches, and slates repeat their codec headers\)/);
      const flv = httpFlvView(`http://127.0.0.1:${httpPort}/live/copied.flv`, { keepBytes: true });
      const rtmp = rtmpdumpPlay(`rtmp://127.0.0.1:${rtmpPort}/live/copied`, 40);
      const exit = await Promise.race([child.exited, new Promise<'late'>((r) => setTimeout(() => r('late'), 40_000))]);
      expect(exit, child.output()).toEqual({ code: 0, signal: null });
      expect(await flv.finished).toBe('end');
      const dumped = await rtmp;
      const headers = (kind: 'video' | 'audio') => flv.tags.filter((t) => t.kind === kind && t.sequenceHeader);
      expect(headers('video')).toHaveLength(1);
      expect(headers('audio')).toHaveLength(1);
      // Some pre-show, 2 s, a 3 s break, 3 s, 2 s, the 2 s end slate: all of it on the one connection.
      expect(mediaFrames(flv.tags, 'video').length).toBeGreaterThan(13 * FPS);
      for (const [name, bytes] of [['http', flv.bytes()], ['rtmp', dumped.bytes]] as const) {
        const file = join(dir, `${name}.flv`);
        writeFileSync(file, bytes);
        expect(await decodeErrors(file), name).toBe('');
      }
      expect(child.output()).not.toMatch(/item-failed|unavailable|ended .* early/);
    } finally {
      await stopProcess(child, 'SIGINT', 10_000);
    }
  }, 90_000);
});

describeWithPeers(['ffmpeg', 'ffprobe'], 'kayak-cast schedule: joining late, and gaps', () => {
  trackProcesses();

  beforeAll(async () => {
    await requireBuilt();
  });

  async function run(yaml: string, at: string) {
    const dir = scratchSubdir('schedule-late');
    const playlist = join(dir, 'show.yaml');
    writeFileSync(playlist, yaml);
    const httpPort = await freePort();
    const rtmpPort = await freePort();
    const child = startCli(
      ['schedule', playlist, '--at', at, '--host', '127.0.0.1', '--rtmp-port', String(rtmpPort), '--http-port', String(httpPort), '--no-dashboard'],
      { env: { ...cliEnv(), TZ: 'UTC' } },
    );
    await waitForOutput(child, /HTTP-FLV: http:\/\/\S+\.flv/, 30_000);
    return { child, status: () => httpJson<StatusSnapshot>(`http://127.0.0.1:${httpPort}/api/status`) };
  }

  it('a start already past joins the show in progress, at the right item and offset', async () => {
    const yaml = [
      'stream: late',
      'output: { width: 320, height: 240, fps: 25, video_bitrate: 300k }',
      'items:',
      '  - { title: First, generate: { pattern: smptebars, seconds: 4, tone: 440 } }',
      '  - { title: Second, generate: { pattern: testsrc2, seconds: 20, tone: 660 } }',
      '',
    ].join('\n');
    const { child, status } = await run(yaml, isoIn(-8_000));
    try {
      expect(child.output()).toMatch(/join|progress/i);
      await waitFor(async () => (await status()).schedule?.state === 'playing', { timeoutMs: 10_000, what: 'playing' });
      const now = (await status()).schedule?.nowPlaying;
      expect(now?.title).toBe('Second');
      expect(now?.positionS).toBeGreaterThanOrEqual(3);
    } finally {
      await stopProcess(child, 'SIGINT', 10_000);
    }
  });

  it('a fixed `at` leaves a gap that the filler fills, then the item starts on time', async () => {
    const filler = await makeClip({ seconds: 2, width: 320, height: 240, fps: 25 });
    const at = isoIn(4_000);
    const second = new Date(Date.parse(`${at}Z`) + 6_000).toISOString().slice(0, 19);
    const yaml = [
      'stream: gaps',
      `start: "${at}"`,
      `filler: ${JSON.stringify(filler)}`,
      'output: { width: 320, height: 240, fps: 25, video_bitrate: 300k }',
      'items:',
      '  - { title: Opening, generate: { pattern: smptebars, seconds: 3, tone: 440 } }',
      `  - { title: Main, at: "${second}", generate: { pattern: testsrc2, seconds: 3, tone: 660 } }`,
      '',
    ].join('\n');
    const { child, status } = await run(yaml, at);
    try {
      await waitFor(async () => (await status()).schedule?.state === 'between', { timeoutMs: 15_000, what: 'the gap' });
      expect((await status()).schedule?.nowPlaying?.file).toBe(filler);
      await waitFor(async () => (await status()).schedule?.nowPlaying?.title === 'Main', { timeoutMs: 10_000, what: 'Main' });
      const started = Date.parse((await status()).schedule?.nowPlaying?.startedAt ?? '');
      console.info(`[schedule] 'Main' started ${started - Date.parse(`${second}Z`)} ms after its fixed time`);
      expect(Math.abs(started - Date.parse(`${second}Z`))).toBeLessThan(1_000);
    } finally {
      await stopProcess(child, 'SIGINT', 10_000);
    }
  });
});

describeWithPeers(['ffmpeg', 'ffprobe'], 'kayak-cast schedule --to', () => {
  trackProcesses();
  let far: RunningKayak;

  beforeAll(async () => {
    await requireBuilt();
    far = await startKayak();
  });

  afterAll(async () => {
    await far?.stop();
  });

  it('plays out to another kayak-cast server as one continuous publish', async () => {
    const playlist = scratchPlaylist('schedule-to', [
      'stream: cards',
      'output: { width: 320, height: 240, fps: 25, video_bitrate: 300k }',
      'items:',
      '  - { title: Bars, generate: { pattern: smptebars, seconds: 3, tone: 440 } }',
      '  - { title: Card, generate: { pattern: testsrc2, seconds: 3 } }',
    ]);
    const child = startCli(['schedule', playlist, '--at', 'now', '--to', far.rtmpUrl('remote')], { env: cliEnv() });
    try {
      await waitFor(() => far.server.hub.get('live/remote') !== undefined, { timeoutMs: 20_000, what: 'the publish to arrive' });
      const viewer = httpFlvView(far.flvUrl('remote'));
      await waitFor(() => mediaFrames(viewer.tags, 'video').length > 5 * FPS, { timeoutMs: 20_000, what: '5 s of video' });
      viewer.close();
      const video = mediaFrames(viewer.tags, 'video');
      expect(regressions(video)).toBe(0);
      expect(largestGap(video)).toBeLessThanOrEqual(2 * FRAME_MS);
      expect(far.logger.lines.filter((l) => /remote: live/.test(l.message))).toHaveLength(1);
    } finally {
      await stopProcess(child, 'SIGINT', 10_000);
    }
  });
});
