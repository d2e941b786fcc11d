// `npm run bench:playout`: measures `kayak-cast schedule` (issue 3, section 10); see bench/README.md.
// Three shows, each scheduled with --at about 8 s ahead and watched by one recording HTTP-FLV viewer:
//   1. copy, --cpu-seconds of show: CPU of kayak-cast and of its ffmpeg children
//   2. normalize (1280x720 30 fps 2500k), --cpu-seconds of show: the same
//   3. normalize, --show-minutes of items of 30-60 s: media-vs-wall drift over the whole show
// and from every show: start accuracy, timestamp gaps and wall-clock stalls at item boundaries and overall.
//
// flags: --show-minutes M (10)  --cpu-seconds S (75)  --lead S (8)  --phases copy,normalize,drift
//        --clip-seconds S (40)  --no-record (do not append to RESULTS.md)

import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, waitForPort } from './children.mjs';
import { ensureClip } from './clip.mjs';
import { BOUNDARY_AFTER_MS, analyseShow } from './playout-analysis.mjs';
import { appendPlayoutResults, printPlayoutTable } from './playout-report.mjs';
import { TreeCpuSampler, cpuBetween, descendants, readMachineCpu } from './playout-tree.mjs';
import { RecordingFlvViewer } from './playout-viewer.mjs';
import { clockTicksPerSecond } from './proc-stats.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoDir = dirname(benchDir);
const outDir = join(benchDir, 'out');

const { values: flags } = parseArgs({
  options: {
    'show-minutes': { type: 'string', default: '10' },
    'cpu-seconds': { type: 'string', default: '75' },
    lead: { type: 'string', default: '8' },
    phases: { type: 'string', default: 'copy,normalize,drift' },
    'clip-seconds': { type: 'string', default: '40' },
    'no-record': { type: 'boolean', default: false },
  },
});
const cfg = {
  showMinutes: Number(flags['show-minutes']),
  cpuSeconds: Number(flags['cpu-seconds']),
  leadS: Number(flags.lead),
  phases: flags.phases.split(',').map((s) => s.trim()).filter(Boolean),
  clipS: Number(flags['clip-seconds']),
  record: !flags['no-record'],
};
const STREAM = 'bench';
const OUTPUT = { width: 1280, height: 720, fps: 30, video_bitrate: '2500k', audio_bitrate: '128k', sample_rate: 48000 };
/** Lengths (s) of the parts cut from the clip; each starts on a keyframe (GOP 2 s). */
const CPU_PARTS = [20, 24];
const DRIFT_PARTS = [30, 36, 44, 50, 60];
const STATUS_FAST_MS = 25; // until the first item's startedAt is seen
const STATUS_SLOW_MS = 250; // afterwards: item changes only
const CPU_SAMPLE_MS = 250;
const TICKS = clockTicksPerSecond();

// ---------------------------------------------------------------- child processes, stopped by pid
/** live kayak-cast processes and the pid sampler of each (to find ffmpeg children left behind) */
const live = new Map();
let stopping = false;
async function stopAll(reason) {
  if (stopping) return;
  stopping = true;
  console.error(`\n${reason}: stopping kayak-cast (SIGINT) and every child by pid`);
  await Promise.all([...live.keys()].map((child) => stopKayak(child, 3000)));
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { stopAll(sig).finally(() => process.exit(130)); });

function spawnKayak(args, logPath) {
  const log = createWriteStream(logPath, { flags: 'a' });
  // run through the shebang (its runtime flags); TZ=UTC so an --at without offset is UTC wall time
  const child = spawn(join(repoDir, 'bin/kayak-cast.js'), args, {
    cwd: repoDir, env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => {
    child.exitInfo = { code, signal };
    live.delete(child);
    setTimeout(() => log.end(), 50);
    resolve(child.exitInfo);
  }));
  live.set(child, new Set());
  return child;
}

/** SIGINT (kayak-cast then kills its ffmpeg children and exits 0); SIGKILL it and its children after `graceMs`. */
async function stopKayak(child, graceMs = 10_000) {
  const known = live.get(child) ?? new Set();
  for (const s of descendants(child.pid)) known.add(s.pid);
  if (!child.exitInfo) {
    try { process.kill(child.pid, 'SIGINT'); } catch { /* gone */ }
  }
  const t0 = performance.now();
  const first = await Promise.race([child.exited, sleep(graceMs).then(() => null)]);
  const exitMs = performance.now() - t0;
  let killed = false;
  if (!first) {
    killed = true;
    for (const s of descendants(child.pid)) known.add(s.pid);
    for (const pid of [child.pid, ...known]) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    await child.exited;
  }
  await sleep(300);
  // an ffmpeg child still alive after its parent exited is an orphan: report it, then kill it by pid
  const orphans = [];
  for (const pid of known) {
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      orphans.push(`${pid} (${comm})`);
      process.kill(pid, 'SIGKILL');
    } catch { /* exited, as it should */ }
  }
  return { ...child.exitInfo, killed, exitMs, orphans };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Date.now() - performance.now(), taken right after Date.now() ticks, so wall ms convert to perf ms. */
function wallMinusPerf() {
  const d0 = Date.now();
  while (Date.now() === d0) { /* spin < 1 ms */ }
  return Date.now() - performance.now();
}

// ---------------------------------------------------------------- media
function cutParts(clipPath, lengths) {
  const dir = join(outDir, 'playout-media');
  mkdirSync(dir, { recursive: true });
  const longest = Math.max(...lengths);
  // the clip, repeated with -c copy until it is long enough for the longest part
  const loops = Math.ceil(longest / cfg.clipS);
  const paths = new Map();
  for (const s of lengths) {
    const path = join(dir, `part-${s}s.flv`);
    if (!existsSync(path)) {
      execFileSync('ffmpeg', [
        '-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-stream_loop', String(loops - 1), '-i', clipPath,
        '-t', String(s), '-c', 'copy', '-f', 'flv', path,
      ], { stdio: ['ignore', 'inherit', 'inherit'] });
    }
    paths.set(s, path);
  }
  return paths;
}

function playlistYaml(mode, parts, lengths, totalS) {
  const items = [];
  let sum = 0;
  for (let i = 0; sum < totalS; i++) {
    const s = lengths[i % lengths.length];
    items.push(`  - { file: ${JSON.stringify(parts.get(s))}, title: "item ${i + 1} (${s}s)" }`);
    sum += s;
  }
  const output = Object.entries(OUTPUT).map(([k, v]) => `  ${k}: ${typeof v === 'string' ? JSON.stringify(v) : v}`);
  return {
    yaml: [`stream: ${STREAM}`, `transcode: ${mode}`, 'output:', ...output, 'items:', ...items, ''].join('\n'),
    items: items.length,
    totalS: sum,
  };
}

// ---------------------------------------------------------------- one show
/**
 * Schedules `playlist` --at a whole second `leadS` ahead, connects the recording viewer at once (it sees the
 * pre-show slate), polls /api/status, samples CPU; measures `measureS` seconds from the first item's first frame
 * (or, with measureS = null, until the last item ends); then SIGINT.
 */
async function runShow({ label, mode, yamlPath, playlist, measureS, stamp }) {
  const rtmpPort = await freePort();
  const httpPort = await freePort();
  const scheduledMs = Math.ceil((Date.now() + cfg.leadS * 1000) / 1000) * 1000;
  const at = new Date(scheduledMs).toISOString().slice(0, 19); // UTC wall time, no offset
  const logPath = join(outDir, `${stamp}-playout-${label}.log`);
  console.log(`\n== ${label}: transcode ${mode}, ${playlist.items} items, ${playlist.totalS} s of items, --at ${at} (TZ=UTC)`);
  const child = spawnKayak([
    'schedule', yamlPath, '--at', at, '--host', '127.0.0.1', '--rtmp-port', String(rtmpPort),
    '--http-port', String(httpPort), '--no-dashboard', '--verbose',
  ], logPath);
  const sampler = new TreeCpuSampler(child.pid, CPU_SAMPLE_MS);
  sampler.start();
  const result = { label, mode, at, scheduled: new Date(scheduledMs).toISOString(), items: playlist.items, log: relative(repoDir, logPath) };
  const viewer = new RecordingFlvViewer(`http://127.0.0.1:${httpPort}/live/${STREAM}.flv`);
  let polling = true;
  const seen = []; // items in the order they started: { title, startedAt, durationS, kind }
  const states = [];
  let last = null;
  let pollErrors = 0;
  const poll = async () => {
    while (polling) {
      try {
        const res = await fetch(`http://127.0.0.1:${httpPort}/api/status`, { signal: AbortSignal.timeout(2000) });
        const s = (await res.json()).schedule;
        last = s;
        if (s && states.at(-1)?.state !== s.state) states.push({ state: s.state, perf: performance.now() });
        const np = s?.nowPlaying;
        if (np?.startedAt && !seen.some((x) => x.startedAt === np.startedAt && x.title === np.title)) {
          seen.push({ title: np.title, startedAt: np.startedAt, durationS: np.durationS, kind: np.kind });
        }
      } catch {
        pollErrors++;
      }
      await sleep(seen.some((x) => x.kind === 'item') ? STATUS_SLOW_MS : STATUS_FAST_MS);
    }
  };
  try {
    await waitForPort(httpPort, 20_000, () => !child.exitInfo);
    await viewer.start(performance.now() + 15_000);
    const poller = poll();
    const offset = wallMinusPerf();
    // the first item: its startedAt, seen within one fast poll of it
    const deadline = performance.now() + (cfg.leadS + 30) * 1000;
    // nowPlaying is the pre-show slate first (kind 'pre-show'); the show starts with the first kind 'item'
    const firstItem = () => seen.find((x) => x.kind === 'item');
    while (!firstItem()) {
      if (child.exitInfo) throw new Error(`kayak-cast exited (${child.exitInfo.code ?? child.exitInfo.signal}) before the show started; see ${result.log}`);
      if (performance.now() > deadline) throw new Error(`no nowPlaying.startedAt within ${cfg.leadS + 30} s; see ${result.log}`);
      await sleep(5);
    }
    const cpuFrom = sampler.snapshot();
    const machineFrom = readMachineCpu();
    const benchFrom = process.cpuUsage();
    const first = firstItem();
    const firstStartedMs = Date.parse(first.startedAt);
    result.startErrorMs = firstStartedMs - scheduledMs;
    result.firstStartedAt = first.startedAt;
    const showStart = firstStartedMs - offset;
    console.log(`   first item started at ${first.startedAt}: ${fmtSigned(result.startErrorMs)} ms from the scheduled time`);

    let showEnd;
    if (measureS !== null) {
      showEnd = showStart + measureS * 1000;
      await sleep(Math.max(0, showEnd - performance.now()));
    } else {
      const totalMs = playlist.totalS * 1000;
      const hardEnd = showStart + totalMs + 30_000;
      let nextReport = performance.now() + 60_000;
      while (last?.state !== 'ended' && performance.now() < hardEnd && !child.exitInfo) {
        if (performance.now() > nextReport) {
          nextReport += 60_000;
          console.log(`   ${Math.round((performance.now() - showStart) / 1000)} s: ${last?.state}, ${last?.nowPlaying?.title ?? '-'}, ${viewer.arrival.length} frames, viewer ${viewer.state}`);
        }
        await sleep(200);
      }
      const lastItem = seen.filter((x) => x.kind === 'item').at(-1);
      showEnd = Math.min(performance.now(), Date.parse(lastItem.startedAt) - offset + lastItem.durationS * 1000);
      // keep watching the end slate for a boundary window: the last item -> end slate step counts too
      await sleep(Math.max(0, showEnd + BOUNDARY_AFTER_MS + 300 - performance.now()));
    }
    const cpuTo = sampler.snapshot();
    const cpu = cpuBetween(cpuFrom, cpuTo);
    const machineTo = readMachineCpu();
    const benchUs = process.cpuUsage(benchFrom);
    const benchTicks = ((benchUs.user + benchUs.system) / 1e6) * TICKS;
    const jiffies = (machineTo.busy - machineFrom.busy) + (machineTo.idle - machineFrom.idle) + (machineTo.steal - machineFrom.steal);
    const perMin = (ticks) => ticks / TICKS / (cpu.seconds / 60);
    result.cpu = {
      windowS: cpu.seconds,
      kayakSPerMin: perMin(cpu.rootTicks),
      childrenSPerMin: perMin(cpu.childTicks),
      totalSPerMin: perMin(cpu.rootTicks + cpu.childTicks),
      children: cpu.childComms,
      samples: sampler.samples,
      // all cores together: 100 % = every core busy
      machineBusyPct: (100 * (machineTo.busy - machineFrom.busy)) / jiffies,
      machineStealPct: (100 * (machineTo.steal - machineFrom.steal)) / jiffies,
      benchSPerMin: perMin(benchTicks), // this process: viewer, status polling, /proc sampling
      othersSPerMin: perMin((machineTo.busy - machineFrom.busy) - cpu.rootTicks - cpu.childTicks - benchTicks),
    };
    polling = false;
    await poller;
    result.viewer = { state: viewer.state, closeReason: viewer.closeReason, connects: viewer.connects, bytes: viewer.bytes,
      videoFrames: viewer.arrival.length, audioFrames: viewer.audioFrames, audioBackwards: viewer.audioBackwards,
      headersAfterStart: viewer.headers.filter(([t]) => t >= showStart - 1).map(([t, kind, ts]) => ({ atS: (t - showStart) / 1000, kind, ts })) };
    result.itemsStarted = seen.map((x) => ({ ...x, atS: (Date.parse(x.startedAt) - firstStartedMs) / 1000 }));
    result.viewer.playingAtEnd = viewer.state === 'playing';
    result.states = states.map((s) => ({ state: s.state, atS: (s.perf - showStart) / 1000 }));
    result.ffmpegRestarts = last?.ffmpegRestarts ?? null;
    result.pollErrors = pollErrors;
    // every change of nowPlaying from the first item on (the first one is the slate -> item 1 change)
    const boundaries = seen.filter((x) => Date.parse(x.startedAt) >= firstStartedMs)
      .map((x) => ({ title: x.title, at: Date.parse(x.startedAt) - offset }));
    result.show = analyseShow(viewer, { showStart, showEnd, boundaries });
    const a = result.show;
    console.log(`   ${a.frames} frames over ${a.wallS?.toFixed(1)} s; drift max |${a.maxAbsDriftMs?.toFixed(1)}| ms, end ${a.endDriftMs?.toFixed(1)} ms; ` +
      `boundaries (${boundaries.length}): ts gap ${a.boundaryMaxTsGapMs} ms, stall ${a.boundaryMaxStallMs?.toFixed(1)} ms; ` +
      `CPU s/min kayak ${result.cpu.kayakSPerMin.toFixed(2)}, ffmpeg ${result.cpu.childrenSPerMin.toFixed(2)}`);
  } catch (err) {
    result.error = err.message;
    console.error(`   error: ${err.message}`);
  } finally {
    polling = false;
    sampler.stop();
    viewer.stop();
    const known = live.get(child);
    if (known) for (const pid of sampler.pidsSeen()) known.add(pid);
    result.exit = await stopKayak(child);
    console.log(`   SIGINT: exit ${result.exit.code ?? result.exit.signal} in ${Math.round(result.exit.exitMs)} ms` +
      `${result.exit.killed ? ' (had to SIGKILL)' : ''}, orphans: ${result.exit.orphans.length ? result.exit.orphans.join(', ') : 'none'}`);
  }
  return result;
}

const fmtSigned = (n) => `${n >= 0 ? '+' : ''}${Math.round(n)}`;

function machine(clip) {
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    kernel: release(),
    node: process.version,
    ffmpeg: execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0].split(' ')[2],
    loadavg: loadavg().map((n) => n.toFixed(2)).join(' '),
    kayak: JSON.parse(readFileSync(join(repoDir, 'package.json'), 'utf8')).version,
    clip: { file: relative(repoDir, clip.path), video: clip.video, audio: clip.audio, mbps: (clip.bytesPerSecond * 8) / 1e6, gopSeconds: clip.gopSeconds },
  };
}

async function main() {
  mkdirSync(outDir, { recursive: true });
  if (!existsSync(join(repoDir, 'dist/cli/main.js'))) throw new Error('dist/cli/main.js missing: run npm run build');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const clip = ensureClip(outDir, cfg.clipS);
  const env = machine(clip);
  const parts = cutParts(clip.path, [...CPU_PARTS, ...DRIFT_PARTS]);
  console.log(`clip: ${env.clip.video}, ${env.clip.audio}, ${env.clip.mbps.toFixed(2)} Mb/s, GOP ${env.clip.gopSeconds?.toFixed(2)} s; ffmpeg ${env.ffmpeg}`);
  const planned = {
    copy: () => ({ label: 'cpu-copy', mode: 'copy', lengths: CPU_PARTS, totalS: cfg.cpuSeconds + 5, measureS: cfg.cpuSeconds }),
    normalize: () => ({ label: 'cpu-normalize', mode: 'normalize', lengths: CPU_PARTS, totalS: cfg.cpuSeconds + 5, measureS: cfg.cpuSeconds }),
    drift: () => ({ label: 'drift-normalize', mode: 'normalize', lengths: DRIFT_PARTS, totalS: cfg.showMinutes * 60, measureS: null }),
  };
  const runs = [];
  for (const phase of cfg.phases) {
    if (stopping) break;
    if (!planned[phase]) throw new Error(`unknown phase ${phase} (known: ${Object.keys(planned).join(', ')})`);
    const p = planned[phase]();
    const playlist = playlistYaml(p.mode, parts, p.lengths, p.totalS);
    const yamlPath = join(outDir, `${stamp}-playout-${p.label}.yaml`);
    writeFileSync(yamlPath, playlist.yaml);
    runs.push(await runShow({ ...p, yamlPath, playlist, stamp }));
  }
  env.loadavgEnd = loadavg().map((n) => n.toFixed(2)).join(' ');
  const run = { date: new Date().toISOString(), config: cfg, machine: env, runs };
  const jsonPath = join(outDir, `${stamp}-playout-results.json`);
  writeFileSync(jsonPath, `${JSON.stringify(run, null, 1)}\n`);
  printPlayoutTable(run);
  console.log(`\nraw results: ${relative(repoDir, jsonPath)}`);
  if (cfg.record && !stopping) {
    appendPlayoutResults(join(benchDir, 'RESULTS.md'), run, relative(repoDir, jsonPath));
    console.log('appended to bench/RESULTS.md');
  }
}

main().then(() => process.exit(0), async (err) => {
  console.error(err.stack ?? err.message);
  await stopAll('error');
  process.exit(1);
});
