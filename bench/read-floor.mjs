#!/usr/bin/env node
// What Node itself charges for reading one live publisher, beside what kayak-cast charges for taking it in. The
// same ffmpeg publisher (the benchmark clip, -re, looped, -c copy) pushes to, alternating round after round:
// - floor: a process that takes the publish as a server must (handshake, connect, createStream, publish; then an
//   Acknowledgement a window) and does nothing else with the bytes but count them (bench/floor-server.mjs,
//   acceptPublisher); it runs with kayak-cast's runtime flags and environment (its bin's shebang);
// - kayak-cast: through its bin, `serve`, no viewers.
// Each is measured `--seconds` long, `--settle` seconds after ffmpeg started (a server's steady state, not its
// start-up): user and system CPU (/proc/<pid>/stat), the read calls and the bytes they returned (/proc/<pid>/io,
// syscr and rchar). The last column is what that CPU adds to each GB delivered when `--viewers` viewers watch the
// stream: fan-out's user s/GB in bench.mjs counts the ingest too. Nothing is recorded: it prints a table and writes
// JSON to bench/out/read-floor/.
//
//   node bench/read-floor.mjs [--rounds 3] [--settle 60] [--seconds 20] [--viewers 300] [--targets floor,kayak]
//   node bench/read-floor.mjs --repo /tmp/other-build   # the kayak-cast measured (its bin and dist), for an A/B
//   node bench/read-floor.mjs --cpu-prof                # also profile each (bench/out/prof/read-floor-<target>-<round>)

import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { nextMessage } from './children.mjs';
import { publishClip } from './clip.mjs';
import { fixed as f, forkAsKayak, startFloorRun, startKayakServe, writeRaw } from './floor-bench.mjs';
import { acceptPublisher } from './floor-server.mjs';
import { clockTicksPerSecond, readCpuTicks, readIo } from './proc-stats.mjs';
import { median } from './window-stats.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoDir = resolve(benchDir, '..');
const self = fileURLToPath(import.meta.url);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const { values: opt } = parseArgs({
  options: {
    role: { type: 'string', default: 'run' },
    rounds: { type: 'string', default: '3' },
    settle: { type: 'string', default: '60' },
    seconds: { type: 'string', default: '20' },
    viewers: { type: 'string', default: '300' },
    targets: { type: 'string', default: 'floor,kayak' },
    clip: { type: 'string', default: '' },
    repo: { type: 'string', default: '' },
    'cpu-prof': { type: 'boolean', default: false },
  },
});
const kayakDir = opt.repo ? resolve(opt.repo) : repoDir;

if (opt.role === 'acceptor') acceptor();
else await run();

async function run() {
  const { outDir, clip, children } = await startFloorRun(benchDir, 'read-floor', opt.clip && resolve(opt.clip));
  const targets = opt.targets.split(',');
  const viewers = Number(opt.viewers);
  const results = [];
  for (let round = 0; round < Number(opt.rounds); round++) {
    for (const target of targets) {
      const cpuProfDir = opt['cpu-prof'] ? join(benchDir, 'out', 'prof', `read-floor-${target}-${round}`) : null;
      const r = { target, round, ...(await measure(children, clip, target, cpuProfDir, outDir)) };
      r.userPerGbAtViewers = r.userMsPerS / 1000 / ((viewers * clip.bytesPerSecond) / 1e9);
      results.push(r);
      console.log(`${target} round ${round}: user ${f(r.userMsPerS, 1)} ms/s, system ${f(r.sysMsPerS, 1)} ms/s, ${f(r.readsPerS, 1)} reads/s of ${f(r.kbPerRead, 1)} kB, ${f(r.kbPerS, 0)} kB/s in, user ${f(r.userUsPerRead, 0)} µs a read`);
    }
  }
  const rate = (clip.bytesPerSecond * 8) / 1e6;
  console.log(`\nOne publisher (${f(rate)} Mb/s), ${opt.seconds} s windows ${opt.settle} s after it started; medians of ${opt.rounds} rounds (each round):\n`);
  console.log(`| reader | user ms a second | system ms a second | read calls a second | kB a read | user µs a read call | user s/GB it adds at ${viewers} viewers |`);
  console.log('|---|---|---|---|---|---|---|');
  for (const target of targets) {
    const rows = results.filter((r) => r.target === target);
    const col = (k, d = 1) => `${f(median(rows.map((r) => r[k])), d)} (${rows.map((r) => f(r[k], d)).join(', ')})`;
    const name = target === 'floor' ? 'floor (takes the publish, counts the bytes)' : 'kayak-cast `serve`, no viewers';
    console.log(`| ${name} | ${col('userMsPerS')} | ${col('sysMsPerS')} | ${col('readsPerS')} | ${col('kbPerRead')} | ${col('userUsPerRead', 0)} | ${col('userPerGbAtViewers', 3)} |`);
  }
  writeRaw(outDir, { clip, settle: Number(opt.settle), seconds: Number(opt.seconds), viewers, results });
}

async function measure(children, clip, target, cpuProfDir, outDir) {
  const ticksMs = 1000 / clockTicksPerSecond();
  const live = [];
  try {
    const { pid, rtmpPort } = target === 'floor' ? await startFloor(children, live, cpuProfDir) : await startKayak(children, live, cpuProfDir, outDir);
    const publisher = publishClip(children, clip.path, `rtmp://127.0.0.1:${rtmpPort}/live/bench`, join(outDir, `ffmpeg-${target}.log`));
    live.push(publisher);
    await sleep(Number(opt.settle) * 1000);
    const before = sample(pid);
    await sleep(Number(opt.seconds) * 1000);
    const after = sample(pid);
    const seconds = (after.at - before.at) / 1000;
    const reads = after.syscr - before.syscr;
    const userMs = (after.ticks.utime - before.ticks.utime) * ticksMs;
    const sysMs = (after.ticks.stime - before.ticks.stime) * ticksMs;
    return {
      seconds,
      userMsPerS: userMs / seconds,
      sysMsPerS: sysMs / seconds,
      readsPerS: reads / seconds,
      kbPerS: (after.rchar - before.rchar) / 1000 / seconds,
      kbPerRead: (after.rchar - before.rchar) / 1000 / reads,
      userUsPerRead: (userMs * 1000) / reads,
    };
  } finally {
    for (const c of live.reverse()) await children.stop(c, 3000);
  }
}

async function startFloor(children, live, cpuProfDir) {
  const acceptorProcess = forkAsKayak(children, repoDir, self, ['--role', 'acceptor'], cpuProfDir);
  live.push(acceptorProcess);
  const { port } = await nextMessage(acceptorProcess, 'listening', 10_000);
  return { pid: acceptorProcess.pid, rtmpPort: port };
}

async function startKayak(children, live, cpuProfDir, outDir) {
  const { server, rtmpPort } = await startKayakServe(children, kayakDir, { live, cpuProfDir, logPath: join(outDir, 'kayak-server.log') });
  return { pid: server.pid, rtmpPort };
}

function sample(pid) {
  const { syscr, rchar } = readIo(pid);
  return { ticks: readCpuTicks(pid), syscr, rchar, at: Date.now() };
}

/** The floor: an RTMP door for one publisher, reading and counting (bench/floor-server.mjs). */
function acceptor() {
  process.on('SIGTERM', () => process.exit(0)); // a normal exit, so that --cpu-prof writes its profile
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => {});
    acceptPublisher(socket);
  });
  server.listen(0, '127.0.0.1', () => process.send({ type: 'listening', port: server.address().port }));
}
