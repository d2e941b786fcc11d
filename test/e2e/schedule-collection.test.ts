import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/status/status-snapshot.js';
import { COLLECTION_FRAME, type CollectionFile, decodeErrors, decodeGray, flvExcerpt, makeCollection, measurePicture } from '../helpers/collection.js';
import { mediaFrames, scratchSubdir } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { httpFlvView, httpJson, rtmpdumpPlay } from '../helpers/players.js';
import { freePort } from '../helpers/ports.js';
import { runProcess, stopProcess, trackProcesses, waitFor, waitForOutput } from '../helpers/processes.js';
import { cliEnv, requireBuilt, runCli, startCli } from '../helpers/server.js';

/**
 * `kayak-cast schedule` with the kinds of files real movie collections hold (test/helpers/collection.ts), as a user
 * runs it: --check's verdicts, then the show from the pre-show slate to the end of the stream with an HTTP-FLV and
 * an RTMP viewer: every item on time against the printed timetable, in the right shape, decoding without an error.
 */
const END_SLATE_S = 3;

function playlistYaml(items: { file: string; title: string; seconds: number }[], extra: string[] = []): string {
  return [
    'stream: collection',
    'transcode: auto',
    `end_slate: ${END_SLATE_S}s`,
    'output: { width: 640, height: 360, fps: 25, video_bitrate: 500k, audio_bitrate: 96k, sample_rate: 48000 }',
    'items:',
    // `out` in whole seconds: the slots, and so the printed times, are exact.
    ...items.map((item) => `  - { file: ${JSON.stringify(item.file)}, title: ${JSON.stringify(item.title)}, out: ${item.seconds} }`),
    ...extra,
    '',
  ].join('\n');
}

/** The printed timetable's rows: START, title. */
function printedStarts(stdout: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const m = /^(\d\d:\d\d:\d\d)  \d\d:\d\d:\d\d  \S+\s+(.+?)\s+(re-encode|copy|slate|filler)$/.exec(line);
    if (m) rows.set(m[2]!, m[1]!);
  }
  return rows;
}

describeWithPeers(['ffmpeg', 'ffprobe', 'rtmpdump'], 'kayak-cast schedule with a real movie collection', () => {
  trackProcesses();
  let dir: string;
  let playable: CollectionFile[];
  let noMoov: string;

  beforeAll(async () => {
    await requireBuilt();
    dir = scratchSubdir('collection');
    ({ playable, noMoov } = await makeCollection(dir));
  }, 120_000);

  it('--check names the playlist file, line and item of what cannot play, and warns about a file cut short', async () => {
    const zoneplate = (await runProcess('ffmpeg', ['-hide_banner', '-filters'], { timeoutMs: 20_000 })).stdout.includes(' zoneplate ');
    const path = join(dir, 'check.yaml');
    writeFileSync(path, playlistYaml([...playable, { file: noMoov, title: 'No moov', seconds: 2 }], ['  - { title: Zone plate, generate: { pattern: zoneplate, seconds: 2 } }']));
    const bad = await runCli(['schedule', path, '--check', '--at', 'now'], { env: { ...cliEnv(), TZ: 'UTC' }, timeoutMs: 60_000 });
    expect(bad.code, bad.stderr).toBe(1);
    expect(bad.stderr).toContain(`check.yaml:14: items[8].file: cannot play ${noMoov}: moov atom not found`);
    if (!zoneplate) expect(bad.stderr).toMatch(/check\.yaml:15: items\[9\]\.generate\.pattern: this ffmpeg \(.*\) has no 'zoneplate' source; it has testsrc2, smptebars/);
    expect(bad.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace for the user's mistake

    writeFileSync(path, playlistYaml(playable));
    const good = await runCli(['schedule', path, '--check', '--at', 'now'], { env: { ...cliEnv(), TZ: 'UTC' }, timeoutMs: 60_000 });
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/warning: .*check\.yaml:12: items\[6\]\.file: .*cut short\.mp4 has nothing to play near 4\.0 s/);
    expect(good.stdout).toMatch(/mode: re-encode to 640x360 25 fps \(item 3 is shown turned by 90°/);
    // Columns line up by display width, the Chinese title included.
    const rows = good.stdout.split('\n').filter((line) => /^\d\d:\d\d:\d\d  /.test(line));
    expect(rows).toHaveLength(playable.length + 1);
    const modeColumn = (line: string) => [...line.slice(0, line.lastIndexOf('  ') + 2)].reduce((w, ch) => w + (/[\u4e00-\u9fff]/.test(ch) ? 2 : 1), 0);
    expect(new Set(rows.map(modeColumn)).size).toBe(1);
  }, 120_000);

  it('plays every item on time and in shape, from the pre-show slate to a clean end of the stream', async () => {
    const path = join(dir, 'show.yaml');
    writeFileSync(path, playlistYaml(playable));
    const rtmpPort = await freePort();
    const httpPort = await freePort();
    // Far enough ahead for the checks and the first ffmpeg, on a whole second.
    const at = new Date(Date.now() + 9_000).toISOString().slice(0, 19);
    const child = startCli(
      ['schedule', path, '--at', at, '--host', '127.0.0.1', '--rtmp-port', String(rtmpPort), '--http-port', String(httpPort), '--no-dashboard', '--log-format', 'json'],
      { env: { ...cliEnv(), TZ: 'UTC' } },
    );
    const showS = playable.reduce((sum, item) => sum + item.seconds, 0);
    try {
      await waitForOutput(child, /"event":"share"/, 40_000);
      const viewerStart = Date.now();
      const flv = httpFlvView(`http://127.0.0.1:${httpPort}/live/collection.flv`, { keepBytes: true });
      const rtmp = rtmpdumpPlay(`rtmp://127.0.0.1:${rtmpPort}/live/collection`, showS + 40);
      const started = new Map<string, number>();
      const nextSeen = new Map<string, string>();
      const poll = setInterval(() => {
        void httpJson<StatusSnapshot>(`http://127.0.0.1:${httpPort}/api/status`)
          .then((s) => {
            const now = s.schedule?.nowPlaying;
            if (now && !started.has(now.title)) started.set(now.title, Date.parse(now.startedAt));
            for (const next of s.schedule?.next ?? []) if (!nextSeen.has(next.title)) nextSeen.set(next.title, next.startsAt);
          })
          .catch(() => {});
      }, 100);
      const exit = await Promise.race([child.exited, new Promise<'late'>((r) => setTimeout(() => r('late'), (showS + 60) * 1000))]);
      clearInterval(poll);
      expect(exit, child.output()).toEqual({ code: 0, signal: null });
      expect(await flv.finished).toBe('end'); // a clean end of stream, not a cut connection
      const dumped = await rtmp;

      // Every item started at its printed time. (Loose here; bench/playout-faults.mjs measures it.)
      const printed = printedStarts(child.stdout());
      const day = at.slice(0, 10);
      const late: string[] = [];
      for (const item of playable) {
        const planned = Date.parse(`${day}T${printed.get(item.title)}Z`);
        const actual = started.get(item.title);
        expect(actual, `${item.title} never played`).toBeDefined();
        late.push(`${item.title} ${actual! - planned} ms`);
        expect(Math.abs(actual! - planned), item.title).toBeLessThan(1_000);
        // "next" named it with its real (ISO, offset) time before it started.
        if (nextSeen.has(item.title)) expect(Date.parse(nextSeen.get(item.title)!)).toBe(planned);
      }
      console.info(`[collection] starts against the printed timetable: ${late.join(', ')}`);

      // Frames at least a frame interval apart, across every item boundary too: closer ones can land on one frame
      // time when played or recorded at 25 fps (ffmpeg: "non monotonically increasing dts").
      const frameTimes = mediaFrames(flv.tags, 'video').map((tag) => tag.timestamp);
      const tooClose = frameTimes.flatMap((t, i) => (i > 0 && t - frameTimes[i - 1]! < 40 ? [`${frameTimes[i - 1]} -> ${t}`] : []));
      expect(tooClose).toEqual([]);
      // Both viewers' recordings decode without a single error, from the pre-show slate to the end slate.
      const flvFile = join(scratchSubdir('recordings'), 'http.flv');
      writeFileSync(flvFile, flv.bytes());
      expect(await decodeErrors(flvFile)).toBe('');
      expect(dumped.bytes.length).toBeGreaterThan(100_000);
      const rtmpFile = join(scratchSubdir('recordings'), 'rtmp.flv');
      writeFileSync(rtmpFile, dumped.bytes);
      expect(await decodeErrors(rtmpFile)).toBe('');
      expect(flv.tags.filter((t) => t.kind === 'video' && t.sequenceHeader)).toHaveLength(1);

      // Each item's picture, half a second in: its box in the 640x360 frame, upright.
      const keyframes = flv.tags.map((tag, index) => ({ tag, index })).filter(({ tag }) => tag.kind === 'video' && tag.keyframe && !tag.sequenceHeader);
      const shapes: string[] = [];
      for (const item of playable) {
        const first = keyframes.find(({ tag }) => viewerStart + tag.receivedAt >= started.get(item.title)! - 50);
        expect(first, item.title).toBeDefined();
        const gray = await decodeGray(flvExcerpt(flv.bytes(), flv.tags, first!.index, 60), 12, join(dir, `frame-${playable.indexOf(item)}`));
        const picture = measurePicture(gray, COLLECTION_FRAME.width, COLLECTION_FRAME.height);
        shapes.push(`${item.title} ${picture?.box.width}x${picture?.box.height}`);
        if (item.box !== undefined) {
          expect(picture, item.title).toBeDefined();
          expect(Math.abs(picture!.box.width - item.box.width), `${item.title}: ${JSON.stringify(picture)}`).toBeLessThanOrEqual(4);
          expect(Math.abs(picture!.box.height - item.box.height), `${item.title}: ${JSON.stringify(picture)}`).toBeLessThanOrEqual(4);
          expect(picture!.top - picture!.bottom, `${item.title} is upright`).toBeGreaterThan(60);
        }
        if (item.title === 'Song with cover') expect(gray[Math.round(360 * 0.35) * 640 + 320]).toBeGreaterThan(200);
        if (item.title === 'Song') expect(gray[Math.round(360 * 0.35) * 640 + 320]).toBeLessThan(60);
      }
      console.info(`[collection] pictures: ${shapes.join(', ')}`);
      expect(mediaFrames(flv.tags, 'audio').length).toBeGreaterThan(showS * 40);

      // The events: one for the file cut short, nothing else went wrong, and the show ended as announced.
      const events = child
        .stdout()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { event?: string; message: string });
      expect(events.filter((e) => e.event === 'item-ended-early').map((e) => e.message)).toEqual([
        expect.stringMatching(/^"Cut short" ended \d+\.\d s early \(is the file cut short\?\); a slate fills its slot until \d\d:\d\d:\d\d$/),
      ]);
      expect(events.filter((e) => e.event === 'item-failed' || e.event === 'item-unavailable')).toEqual([]);
      expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(['show-over', 'stream-ended']));
    } finally {
      await stopProcess(child, 'SIGINT', 10_000);
    }
  }, 180_000);
});
