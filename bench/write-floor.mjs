#!/usr/bin/env node
// What Node itself charges for a fan-out's socket writes, beside what kayak-cast charges, with the same readers.
// Alternating, round after round:
// - floor: a process that does nothing but write one shared Buffer per video frame (the clip's rate / fps bytes) to
//   each of N loopback sockets, which is what kayak-cast's viewers in step do with a batch's bytes; it runs with
//   kayak-cast's runtime flags and environment (its bin's shebang);
// - kayak-cast: through its bin, ffmpeg publishing the benchmark clip (-re, looped), N HTTP-FLV viewers.
// The readers are one process of N plain sockets that discard what they read (an HTTP GET first for kayak-cast). The
// writer's user and system CPU (/proc) per GB read is the figure. Nothing is recorded: it prints a table and writes
// JSON.
//
//   node bench/write-floor.mjs [--viewers 300] [--seconds 30] [--rounds 3] [--targets floor,kayak] [--settle 5]
//
// --settle: seconds between the last viewer's connection and the window (the JIT's warm-up is in a short one).
// --clip: an FLV file instead of the benchmark's 720p clip (the tests use a small one).
//   node bench/write-floor.mjs --repo /tmp/other-build   # the kayak-cast measured (its bin and dist), for an A/B
//   node bench/write-floor.mjs --node-flags=--trace-gc   # node flags for kayak-cast after its shebang's (its log: bench/out/write-floor/kayak-server.log)
//   node bench/write-floor.mjs --cpu-prof     # also profile each writer (bench/out/prof/write-floor-<target>-<round>)

import { fork } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { nextMessage } from './children.mjs';
import { publishClip } from './clip.mjs';
import { fixed as f, forkAsKayak, startFloorRun, startKayakServe, writeRaw } from './floor-bench.mjs';
import { clockTicksPerSecond, readCpuTicks, readIo, readMemoryKb } from './proc-stats.mjs';
import { median } from './window-stats.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoDir = resolve(benchDir, '..');
const self = fileURLToPath(import.meta.url);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** The floor writer skips a frame for a socket holding more than this unsent (none should, on loopback). */
const SKIP_ABOVE_BYTES = 1024 * 1024;

const { values: opt } = parseArgs({
  options: {
    role: { type: 'string', default: 'run' },
    port: { type: 'string', default: '0' },
    path: { type: 'string', default: '' },
    'frame-bytes': { type: 'string', default: '0' },
    fps: { type: 'string', default: '30' },
    viewers: { type: 'string', default: '300' },
    seconds: { type: 'string', default: '30' },
    rounds: { type: 'string', default: '3' },
    settle: { type: 'string', default: '5' },
    clip: { type: 'string', default: '' },
    targets: { type: 'string', default: 'floor,kayak' },
    'cpu-prof': { type: 'boolean', default: false },
    repo: { type: 'string', default: '' },
    'node-flags': { type: 'string', default: '' },
  },
});
const viewers = Number(opt.viewers);
/** The kayak-cast whose bin runs (--repo): this checkout unless told. */
const kayakDir = opt.repo ? resolve(opt.repo) : repoDir;

if (opt.role === 'writer') writer();
else if (opt.role === 'reader') reader();
else await run();

async function run() {
  const { outDir, clip, children } = await startFloorRun(benchDir, 'write-floor', opt.clip && resolve(opt.clip));
  const targets = opt.targets.split(',');
  const results = [];
  for (let round = 0; round < Number(opt.rounds); round++) {
    for (const target of targets) {
      const cpuProfDir = opt['cpu-prof'] ? join(benchDir, 'out', 'prof', `write-floor-${target}-${round}`) : null;
      const result = { target, round, ...(await measure(target, cpuProfDir)) };
      results.push(result);
      const threadList = Object.entries(result.threads).filter(([, t]) => t.userPerGb + t.sysPerGb >= 0.005).map(([name, t]) => `${name} ${f(t.userPerGb, 3)} + ${f(t.sysPerGb, 3)}`).join(', ');
      console.log(`${target} round ${round}: ${f(result.gb, 3)} GB read, user ${f(result.userPerGb, 3)} s/GB, system ${f(result.sysPerGb, 3)} s/GB, ${f(result.writesPerViewerS, 1)} write calls a viewer a second, ${f(result.mbpsPerViewer)} Mb/s a viewer, peak RSS ${f(result.peakRssMb, 1)} MB, load ${(await import('node:os')).loadavg()[0].toFixed(2)}; threads (user + system s/GB): ${threadList}`);
    }
  }
  console.log(`\n${viewers} viewers, ${opt.seconds} s a round; medians of ${opt.rounds} rounds (each round):\n`);
  console.log('| writer | user s/GB | system s/GB | total s/GB | write calls a viewer a second | peak RSS MB |');
  console.log('|---|---|---|---|---|---|');
  for (const target of targets) {
    const rows = results.filter((r) => r.target === target);
    const col = (k) => `${f(median(rows.map((r) => r[k])))} (${rows.map((r) => f(r[k])).join(', ')})`;
    console.log(`| ${target === 'floor' ? 'floor (bare writes)' : 'kayak-cast, HTTP-FLV'} | ${col('userPerGb')} | ${col('sysPerGb')} | ${col('totalPerGb')} | ${col('writesPerViewerS')} | ${col('peakRssMb')} |`);
  }
  writeRaw(outDir, { viewers, seconds: Number(opt.seconds), clip, results });

  async function measure(target, cpuProfDir) {
    const ticksMs = 1000 / clockTicksPerSecond();
    const live = [];
    try {
      const { pid, port, path } = target === 'floor' ? await startFloor(live, cpuProfDir) : await startKayak(live, cpuProfDir);
      const r = fork(self, ['--role', 'reader', '--port', String(port), '--path', path, '--viewers', opt.viewers], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.track(r);
      live.push(r);
      await nextMessage(r, 'connected', 120_000);
      await sleep(Number(opt.settle) * 1000); // warm-up: the write path optimised, the sockets' buffers grown
      const before = await sample(r, pid);
      await sleep(Number(opt.seconds) * 1000);
      const after = await sample(r, pid);
      const gb = (after.bytes - before.bytes) / 1e9;
      const userPerGb = ((after.ticks.utime - before.ticks.utime) * ticksMs) / 1000 / gb;
      const sysPerGb = ((after.ticks.stime - before.ticks.stime) * ticksMs) / 1000 / gb;
      const seconds = (after.at - before.at) / 1000;
      const writesPerViewerS = (after.syscw - before.syscw) / seconds / viewers;
      // Per thread (the main thread is the one whose id is the pid; V8's GC and compiler helpers are the others).
      const threads = {};
      for (const [name, t] of Object.entries(after.threads)) {
        const b = before.threads[name] ?? { utime: 0, stime: 0 };
        threads[name] = { userPerGb: ((t.utime - b.utime) * ticksMs) / 1000 / gb, sysPerGb: ((t.stime - b.stime) * ticksMs) / 1000 / gb };
      }
      const peakRssMb = readMemoryKb(pid).vmHwm / 1024;
      return { gb, userPerGb, sysPerGb, totalPerGb: userPerGb + sysPerGb, writesPerViewerS, threads, peakRssMb, mbpsPerViewer: ((after.bytes - before.bytes) * 8) / 1e6 / seconds / viewers };
    } finally {
      for (const c of live.reverse()) await children.stop(c, 3000);
    }
  }

  async function startFloor(live, cpuProfDir) {
    const frameBytes = Math.round(clip.bytesPerSecond / clip.fps);
    const w = forkAsKayak(children, repoDir, self, ['--role', 'writer', '--frame-bytes', String(frameBytes), '--fps', String(clip.fps), '--viewers', opt.viewers], cpuProfDir);
    live.push(w);
    const { port } = await nextMessage(w, 'listening', 10_000);
    return { pid: w.pid, port, path: '' };
  }

  async function startKayak(live, cpuProfDir) {
    const { server, rtmpPort, httpPort } = await startKayakServe(children, kayakDir, {
      live,
      cpuProfDir,
      logPath: join(outDir, 'kayak-server.log'),
      extraNodeFlags: opt['node-flags'] ? opt['node-flags'].split(' ') : [],
    });
    const publisher = publishClip(children, clip.path, `rtmp://127.0.0.1:${rtmpPort}/live/bench`, join(outDir, 'ffmpeg.log'));
    live.push(publisher);
    await sleep(3000); // live, with a GOP cached
    return { pid: server.pid, port: httpPort, path: '/live/bench.flv' };
  }

  async function sample(readerProcess, pid) {
    readerProcess.send({ type: 'count' });
    const { bytes } = await nextMessage(readerProcess, 'counts', 10_000);
    return { bytes, ticks: readCpuTicks(pid), threads: threadTicks(pid), syscw: readIo(pid).syscw, at: Date.now() };
  }
}

/** Writes one shared frame to every socket each 1/fps s, on a schedule that does not drift. */
function writer() {
  const frame = Buffer.alloc(Number(opt['frame-bytes']), 0x5a);
  const sockets = [];
  process.on('SIGTERM', () => process.exit(0)); // a normal exit, so that --cpu-prof writes its profile
  const server = createServer({ noDelay: true }, (socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    if (sockets.length === viewers) start();
  });
  server.listen(0, '127.0.0.1', () => process.send({ type: 'listening', port: server.address().port }));
  function start() {
    const periodMs = 1000 / Number(opt.fps);
    const t0 = performance.now();
    let n = 0;
    const tick = () => {
      for (const socket of sockets) if (socket.writableLength <= SKIP_ABOVE_BYTES) socket.write(frame);
      n++;
      setTimeout(tick, Math.max(0, t0 + n * periodMs - performance.now()));
    };
    tick();
  }
}

/** N sockets that read and discard, counting bytes; with --path each asks for it first (HTTP/1.1 GET). */
function reader() {
  let bytes = 0;
  let open = 0;
  for (let i = 0; i < viewers; i++) {
    const socket = createConnection(Number(opt.port), '127.0.0.1', () => {
      if (opt.path) socket.write(`GET ${opt.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      if (++open === viewers) process.send({ type: 'connected' });
    });
    socket.on('data', (data) => { bytes += data.length; });
    socket.on('error', (error) => { console.error(`reader: ${error.message}`); });
  }
  process.on('message', (m) => { if (m.type === 'count') process.send({ type: 'counts', bytes }); });
}

/** utime and stime of each thread of `pid`, by name (`main` for the thread whose id is the pid; same names summed). */
function threadTicks(pid) {
  const out = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = tid === String(pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const t = (out[name] ??= { utime: 0, stime: 0 });
      t.utime += Number(rest[11]);
      t.stime += Number(rest[12]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

