// `npm run soak`: hours of content through one kayak-cast in minutes, to show it neither grows nor starves anyone.
// See bench/README.md ("Soak"). The server is `kayak-cast schedule` (its embedded server) playing a short looping
// playlist of generated items across hundreds of item boundaries, while several ffmpeg publishers push clips faster
// than real time (no -re) as many short streams, and 100+ viewers watch: healthy ones (judged), stalled ones, slow
// ones, and ones that connect and leave with an RST every few seconds.
//
// flags: --minutes M (12)  --warmup M (4)  --publishers N (3)  --speed X (20: each publisher's -readrate, times real
//        time)  --healthy N (30)  --rtmp-healthy N (4)  --stalled N (20)  --slow N (20)  --churn N (40)
//        --item-seconds S (3)  --no-record

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Children, freePort, nextMessage, waitForPort } from './children.mjs';
import { FlvWatch } from './flv-watch.mjs';
import { readMemoryKb } from './proc-stats.mjs';
import { appendSoakResults, judgeSoak, printSoak } from './soak-report.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoDir = dirname(benchDir);
const outDir = join(benchDir, 'out', 'soak');

const { values: flags } = parseArgs({
  options: {
    minutes: { type: 'string', default: '12' },
    // A stalled viewer takes about three minutes to fill the kernel's buffers and its queue and be cut off: the
    // warm-up covers one such cycle, with the stalled and slow viewers' starts spread over it.
    warmup: { type: 'string', default: '4' },
    publishers: { type: 'string', default: '3' },
    speed: { type: 'string', default: '20' },
    healthy: { type: 'string', default: '30' },
    'rtmp-healthy': { type: 'string', default: '4' },
    stalled: { type: 'string', default: '20' },
    slow: { type: 'string', default: '20' },
    churn: { type: 'string', default: '40' },
    'item-seconds': { type: 'string', default: '3' },
    'no-record': { type: 'boolean', default: false },
  },
});
const cfg = {
  durationMs: Number(flags.minutes) * 60_000,
  warmupMs: Number(flags.warmup) * 60_000,
  publishers: Number(flags.publishers),
  speed: Number(flags.speed),
  counts: { healthy: Number(flags.healthy), stalled: Number(flags.stalled), slow: Number(flags.slow), churn: Number(flags.churn) },
  rtmpHealthy: Number(flags['rtmp-healthy']),
  itemSeconds: Number(flags['item-seconds']),
  record: !flags['no-record'],
};
const APP = 'live';
const CHANNEL = 'soak';
/** The clip each publisher pushes again and again. */
const CLIP = { seconds: 30, size: '640x360', fps: 25, kbps: 800 };
/** RSS is compared over windows of this length: right after warm-up, and at the end. */
const RSS_WINDOW_MS = 120_000;

const children = new Children();
let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    console.error(`\n${sig}: stopping every child process`);
    children.killAllNow();
    process.exit(130);
  });
}
process.on('exit', () => children.killAllNow());
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (line) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}`);

function makeClip() {
  const path = join(outDir, `publisher-${CLIP.size}-${CLIP.fps}-${CLIP.kbps}k-${CLIP.seconds}s.flv`);
  if (!existsSync(path)) {
    execFileSync('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
      '-f', 'lavfi', '-i', `testsrc2=size=${CLIP.size}:rate=${CLIP.fps}:duration=${CLIP.seconds}`,
      '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=44100:duration=${CLIP.seconds}`,
      '-c:v', 'libx264', '-preset', 'ultrafast', '-g', String(CLIP.fps), '-sc_threshold', '0', '-bf', '0',
      '-b:v', `${CLIP.kbps}k`, '-maxrate', `${CLIP.kbps}k`, '-bufsize', `${CLIP.kbps * 2}k`,
      '-c:a', 'aac', '-b:a', '96k', '-f', 'flv', `${path}.part`,
    ]);
    execFileSync('mv', [`${path}.part`, path]);
  }
  return path;
}

function writePlaylist() {
  // Not `colorbars`: ffmpeg 5.1 has no such lavfi source, and the item fails (reported; the playlist schema allows it).
  const patterns = [['testsrc2', 440], ['smptebars', 1000], ['testsrc2', 660], ['smptebars', 880]];
  const yaml = [
    `stream: ${CHANNEL}`,
    'loop: true',
    'transcode: normalize',
    'output: { width: 320, height: 240, fps: 25, video_bitrate: 300k, audio_bitrate: 64k, sample_rate: 48000 }',
    'items:',
    ...patterns.map(([pattern, tone], i) => `  - { title: Item ${i + 1}, generate: { pattern: ${pattern}, seconds: ${cfg.itemSeconds}, tone: ${tone} } }`),
    '',
  ].join('\n');
  const path = join(outDir, 'soak.yaml');
  writeFileSync(path, yaml);
  return path;
}

async function status(httpPort) {
  const res = await fetch(`http://127.0.0.1:${httpPort}/api/status`, { signal: AbortSignal.timeout(5_000) });
  return res.json();
}

/** One publisher: pushes the clip faster than real time, to a new stream key each time, until the soak ends. */
async function publisherLoop(p, rtmpPort, clip, totals) {
  for (let n = 0; !stopping; n++) {
    const key = `burst-${p}-${n}`;
    // No -re: -readrate (ffmpeg 5.0+) paces the input at `speed` times real time, so that three publishers cannot
    // take every cycle of a 2-core machine and the viewers' figures say something about the server.
    const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-readrate', String(cfg.speed), '-i', clip, '-c', 'copy', '-f', 'flv', `rtmp://127.0.0.1:${rtmpPort}/${APP}/${key}`];
    const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    children.track(child);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-500)));
    const code = await new Promise((r) => child.once('exit', (c) => r(c)));
    if (stopping) break;
    if (code === 0) {
      totals.publishes++;
      totals.contentS += CLIP.seconds;
    } else {
      totals.failedPublishes++;
      totals.lastPublishError = stderr.trim().split('\n').pop();
      await sleep(500);
    }
  }
}

/** A real RTMP player judged like the healthy viewers: rtmpdump writing FLV to its stdout. */
function rtmpdumpWatch(rtmpPort) {
  const watch = new FlvWatch();
  const child = spawn('rtmpdump', ['-q', '-v', '-r', `rtmp://127.0.0.1:${rtmpPort}/${APP}/${CHANNEL}`, '-o', '-'], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.track(child);
  child.stdout.on('data', (chunk) => {
    try {
      watch.push(chunk);
    } catch {
      watch.badFlv = true;
    }
  });
  return { child, watch };
}

/** How much the server logged, in bytes and lines. */
function logFigures(path) {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return { serverLogBytes: Buffer.byteLength(text), serverLogLines: lines.length };
}

async function main() {
  mkdirSync(outDir, { recursive: true });
  if (!existsSync(join(repoDir, 'dist', 'cli', 'main.js'))) throw new Error('dist/cli/main.js is missing: run `npm run build` (npm run soak does)');
  const clip = makeClip();
  const playlist = writePlaylist();
  const [rtmpPort, httpPort] = [await freePort(), await freePort()];
  // children.spawn appends to its log: this run's log is this run's alone.
  rmSync(join(outDir, 'server.log'), { force: true });
  const server = children.spawn(join(repoDir, 'bin', 'kayak-cast.js'), [
    'schedule', playlist, '--at', 'now', '--host', '127.0.0.1', '--rtmp-port', String(rtmpPort), '--http-port', String(httpPort),
    '--no-dashboard', '--log-format', 'json',
    // Every viewer and publisher of the soak comes from 127.0.0.1.
    '--max-connections-per-ip', 'unlimited',
  ], { cwd: repoDir, logPath: join(outDir, 'server.log') });
  await waitForPort(httpPort, 30_000, () => !server.exitInfo);
  for (let i = 0; i < 100 && !(await status(httpPort).catch(() => undefined))?.streams?.some((s) => s.key === CHANNEL); i++) await sleep(200);
  log(`server pid ${server.pid}: rtmp ${rtmpPort}, http ${httpPort}; ${cfg.durationMs / 60_000} min, warm-up ${cfg.warmupMs / 60_000} min`);

  const started = performance.now();
  const totals = { publishes: 0, failedPublishes: 0, contentS: 0, lastPublishError: '' };
  const publishers = Array.from({ length: cfg.publishers }, (_, p) => publisherLoop(p, rtmpPort, clip, totals));
  const viewers = children.fork(join(benchDir, 'soak-viewers.mjs'));
  viewers.send({ cmd: 'start', host: '127.0.0.1', httpPort, rtmpPort, app: APP, channel: CHANNEL, counts: cfg.counts, staggerMs: cfg.warmupMs * 0.75 });
  await nextMessage(viewers, 'started', 10_000);
  const rtmpWatchers = Array.from({ length: cfg.rtmpHealthy }, () => rtmpdumpWatch(rtmpPort));

  const rss = [];
  const heap = [];
  /** The machine's 1-minute load average, sampled: a shared machine's load says how much the waits mean. */
  const load = [];
  let boundaries = 0;
  let lastItem;
  let lastStatus;
  let statusErrors = 0;
  let warm = false;
  let loggedAt = 0;
  while (performance.now() - started < cfg.durationMs && !server.exitInfo) {
    await sleep(1_000);
    const t = performance.now() - started;
    try {
      rss.push([t, readMemoryKb(server.pid).vmRss * 1024]);
      load.push(loadavg()[0]);
    } catch {
      break;
    }
    if (!warm && t >= cfg.warmupMs) {
      warm = true;
      viewers.send({ cmd: 'warm' });
      for (const w of rtmpWatchers) w.watch.gapsFrom = performance.now();
      log('warm-up over: gaps count from now');
    }
    try {
      lastStatus = await status(httpPort);
      heap.push([t, lastStatus.server.memory.heapUsed, lastStatus.server.memory.heapTotal]);
      const now = lastStatus.schedule?.nowPlaying;
      const item = now ? `${now.title}@${now.startedAt}` : undefined;
      if (item !== undefined && lastItem !== undefined && item !== lastItem) boundaries++;
      lastItem = item ?? lastItem;
    } catch {
      statusErrors++;
    }
    if (t - loggedAt >= 30_000) {
      loggedAt = t;
      log(`${Math.round(t / 1000)} s: RSS ${(rss.at(-1)[1] / 1048576).toFixed(1)} MB, heap ${((heap.at(-1)?.[1] ?? NaN) / 1048576).toFixed(1)} MB, ${totals.publishes} publishes (${(totals.contentS / 3600).toFixed(1)} h of content), ${boundaries} item boundaries, ${lastStatus?.server?.connections ?? '?'} connections`);
    }
  }
  const serverExit = server.exitInfo;
  const snap = nextMessage(viewers, 'snapshot', 10_000);
  viewers.send({ cmd: 'snapshot' });
  const viewerSnapshot = await snap;
  stopping = true;
  const elapsedMs = performance.now() - started;
  const rtmpSummary = rtmpWatchers.map(({ child, watch }) => ({
    frames: watch.frames,
    maxGapMs: Math.max(watch.maxGapMs, watch.currentGapMs()),
    regressions: watch.regressions,
    maxVideoStep: watch.maxVideoStep,
    exited: child.exitInfo,
    badFlv: watch.badFlv === true,
  }));
  const finalStatus = lastStatus;
  viewers.send({ cmd: 'stop' });
  await Promise.allSettled([nextMessage(viewers, 'stopped', 5_000)]);
  for (const w of rtmpWatchers) await children.stop(w.child, 2_000);
  await Promise.race([Promise.all(publishers), sleep(10_000)]);
  await children.stop(server, 10_000);

  const run = {
    date: new Date().toISOString(),
    config: cfg,
    machine: { cores: cpus().length, cpuModel: cpus()[0]?.model ?? '?', kernel: release(), node: process.version },
    elapsedMs,
    serverExit,
    totals,
    boundaries,
    statusErrors,
    ffmpegRestarts: finalStatus?.schedule?.ffmpegRestarts,
    connectionsRefused: finalStatus?.server?.connectionsRefused,
    rss,
    heap,
    load: { mean: load.reduce((a, b) => a + b, 0) / Math.max(1, load.length), max: Math.max(0, ...load) },
    rssWindowMs: RSS_WINDOW_MS,
    viewers: viewerSnapshot,
    rtmp: rtmpSummary,
    ...logFigures(join(outDir, 'server.log')),
  };
  writeFileSync(join(outDir, 'soak.json'), JSON.stringify(run, null, 1));
  const verdict = judgeSoak(run);
  printSoak(run, verdict);
  if (cfg.record) appendSoakResults(join(benchDir, 'RESULTS.md'), run, verdict, 'bench/out/soak/soak.json');
  process.exitCode = verdict.every((v) => v.met) ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  children.killAllNow();
  process.exit(1);
});
