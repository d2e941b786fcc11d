#!/usr/bin/env node
// The burst join alone, repeated, for A/B comparisons of two builds: for each round and each protocol, a fresh
// kayak-cast (through the bin of each `--root`, alternating), one ffmpeg publisher, then `--bursts` times: N viewers
// joining at the same moment (first keyframe median / max), the server's CPU time spent on that burst (utime + stime
// from /proc over the burst), the viewers closed, a pause. Nothing is recorded: it prints a table and writes JSON.
//
//   node bench/join-burst.mjs --roots /tmp/old,. --protocols rtmp,ws,flv --rounds 3 --bursts 3 --viewers 300
//   node bench/join-burst.mjs --cpu-prof          # also profile each server (bench/out/prof/join-burst-*)
//   node bench/join-burst.mjs --node-flags=--trace-gc   # node flags after the shebang's (the trace is in the server log)
//   node bench/join-burst.mjs --roots floor,.   # `floor`: bench/floor-server.mjs, the least any server must do
//   node bench/join-burst.mjs --warm            # load generators warmed first (see load-fleet.mjs)

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Children, freePort, waitForPort } from './children.mjs';
import { ensureClip, publishClip } from './clip.mjs';
import { kayakCommand, readShebang } from './kayak-launch.mjs';
import { LoadFleet, fleetCpuS } from './load-fleet.mjs';
import { clockTicksPerSecond, readCpuTicks, readIo } from './proc-stats.mjs';
import { streamEndpoints, timeToKeyframe } from './viewers.mjs';
import { joinStats, median } from './window-stats.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const TICK_MS = 1000 / clockTicksPerSecond(); // /proc/<pid>/stat counts in clock ticks

const { values: opt } = parseArgs({
  options: {
    roots: { type: 'string', default: resolve(benchDir, '..') },
    protocols: { type: 'string', default: 'rtmp,ws,flv' },
    rounds: { type: 'string', default: '2' },
    bursts: { type: 'string', default: '3' },
    viewers: { type: 'string', default: '300' },
    'load-procs': { type: 'string', default: '2' },
    'cpu-prof': { type: 'boolean', default: false },
    envs: { type: 'string', default: '' },
    'pause-publisher': { type: 'boolean', default: false },
    'node-flags': { type: 'string', default: '' },
    warm: { type: 'boolean', default: false },
  },
});

const rootList = opt.roots.split(',').map((r) => (r === 'floor' ? r : resolve(r)));
const envList = opt.envs.split(',');
// A build is a root plus optional environment (KEY=VALUE, aligned with --roots): the same root may be run twice.
const roots = rootList.map((r, i) => (envList[i] ? `${r}#${envList[i]}` : r));
const protocols = opt.protocols.split(',');
const viewers = Number(opt.viewers);
const outDir = join(benchDir, 'out', 'join-burst');
mkdirSync(outDir, { recursive: true });
const children = new Children();
process.on('SIGINT', () => { children.killAllNow(); process.exit(130); });

const clip = await ensureClip(join(benchDir, 'out'), 40);
const results = [];
for (let round = 0; round < Number(opt.rounds); round++) {
  for (const protocol of protocols) {
    for (const root of roots) results.push(await runServer(root, protocol, round));
  }
}

console.log(`\nload average at the end: ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log('\n| build | protocol | bursts | first keyframe median ms (each burst) | max ms (each burst) | server main thread CPU ms per burst (each) | load-generator CPU ms per burst (each) | write calls per join |');
console.log('|---|---|---|---|---|---|---|---|');
// A root given twice (A,B,B,A) is one build: one row, all its bursts.
for (const root of new Set(roots)) {
  for (const protocol of protocols) {
    const bursts = results.filter((r) => r.root === root && r.protocol === protocol).flatMap((r) => r.bursts);
    const meds = bursts.map((b) => b.medianMs);
    const maxes = bursts.map((b) => b.maxMs);
    const cpu = bursts.map((b) => b.cpuMs);
    const writes = bursts.map((b) => b.writesPerJoin);
    const load = bursts.map((b) => b.loadCpuMs);
    console.log(`| ${root} | ${protocol} | ${bursts.length} | ${f(median(meds))} (${meds.map((x) => f(x)).join(', ')}) | ${f(median(maxes))} (${maxes.map((x) => f(x)).join(', ')}) | ${f(median(cpu), 0)} (${cpu.map((x) => f(x, 0)).join(', ')}) | ${f(median(load), 0)} (${load.map((x) => f(x, 0)).join(', ')}) | ${f(median(writes))} |`);
  }
}
const jsonPath = join(outDir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(jsonPath, JSON.stringify(results, null, 2));
console.log(`\nraw: ${jsonPath}`);

async function runServer(root, protocol, round) {
  const rtmpPort = await freePort();
  const httpPort = await freePort();
  const name = `join-burst-${round}-${protocol}-${roots.indexOf(root)}`;
  const cpuProfDir = opt['cpu-prof'] ? join(benchDir, 'out', 'prof', name) : null;
  const [dir, envPair] = root.split('#');
  if (dir === 'floor') return runFloor(root, protocol, round, name, rtmpPort, httpPort);
  const extraFlags = opt['node-flags'].split(' ').filter(Boolean);
  const replaceNodeFlags = extraFlags.length > 0 ? [...readShebang(join(dir, 'bin/kayak-cast.js')).nodeFlags, ...extraFlags] : [];
  const c = kayakCommand(dir, ['serve', '--host', '127.0.0.1', '--rtmp-port', String(rtmpPort), '--http-port', String(httpPort), '--no-dashboard'], { cpuProfDir, replaceNodeFlags });
  const env = { ...c.env };
  if (envPair) env[envPair.split('=')[0]] = envPair.split('=')[1];
  const server = children.spawn(c.cmd, c.args, { cwd: dir, env, logPath: join(outDir, `${name}-server.log`) });
  let publisher;
  try {
    await waitForPort(rtmpPort, 15_000, () => !server.exitInfo);
    await waitForPort(httpPort, 15_000, () => !server.exitInfo);
    publisher = publishClip(children, clip.path, `rtmp://127.0.0.1:${rtmpPort}/live/bench`, join(outDir, `${name}-ffmpeg.log`));
    return { root, protocol, round, bursts: await burstsAgainst(server, root, protocol, round, rtmpPort, httpPort, publisher) };
  } finally {
    await children.stop(publisher, 3000);
    await children.stop(server, 8000);
  }
}

/** The same bursts against bench/floor-server.mjs (it serves the clip's join from memory: no publisher). */
async function runFloor(root, protocol, round, name, rtmpPort, httpPort) {
  const server = children.spawn(process.execPath, [join(benchDir, 'floor-server.mjs'), String(httpPort), clip.path, String(rtmpPort)], { logPath: join(outDir, `${name}-server.log`) });
  try {
    await waitForPort(rtmpPort, 15_000, () => !server.exitInfo);
    await waitForPort(httpPort, 15_000, () => !server.exitInfo);
    return { root, protocol, round, bursts: await burstsAgainst(server, root, protocol, round, rtmpPort, httpPort, null) };
  } finally {
    await children.stop(server, 8000);
  }
}

async function burstsAgainst(server, root, protocol, round, rtmpPort, httpPort, publisher) {
  const bursts = [];
  const endpoints = streamEndpoints({ rtmpPort, httpPort, key: 'bench' });
  await waitLive(protocol, endpoints);
  for (let i = 0; i < Number(opt.bursts); i++) {
    await sleep(1500);
    // Fresh load generators for each burst, as the fan-out suite has: every burst starts from the same state.
    const fleet = new LoadFleet(children, Number(opt['load-procs']), opt.warm ? { warm: { clipPath: clip.path, protocols: [protocol] } } : {});
    await fleet.ready;
    await sleep(500);
    // With --pause-publisher the stream stands still during the burst (ffmpeg stopped, the GOP cache kept): the
    // server's work is the joins' alone, and so are its write system calls.
    if (opt['pause-publisher'] && publisher) process.kill(publisher.pid, 'SIGSTOP');
    const before = serverCounters(server.pid);
    const loadBefore = await fleet.snapshot();
    const joined = await fleet.start(Array.from({ length: viewers }, () => ({ protocol, endpoints })));
    const after = serverCounters(server.pid);
    const loadAfter = await fleet.snapshot();
    if (opt['pause-publisher'] && publisher) process.kill(publisher.pid, 'SIGCONT');
    const stats = joinStats(joined.keyframeMs);
    const cpuMs = (after.runNs - before.runNs) / 1e6;
    const procUserMs = after.userMs - before.userMs;
    const procSysMs = after.sysMs - before.sysMs;
    const writesPerJoin = (after.syscw - before.syscw) / viewers;
    // The load generators' CPU over the burst (user + system, all processes; it includes their wait to the join
    // timeout's poll, which is idle): what the clients took of the same two cores.
    const [loadA, loadB] = [fleetCpuS(loadBefore), fleetCpuS(loadAfter)];
    const loadUserMs = (loadB.userS - loadA.userS) * 1000;
    const loadCpuMs = loadUserMs + (loadB.sysS - loadA.sysS) * 1000;
    bursts.push({ medianMs: stats.medianMs, maxMs: stats.maxMs, ok: stats.ok, cpuMs, procUserMs, procSysMs, loadCpuMs, loadUserMs, writesPerJoin });
    console.log(`${root} ${protocol} round ${round} burst ${i}: ${stats.ok}/${viewers}, median ${f(stats.medianMs)} ms, max ${f(stats.maxMs)} ms, server main thread ${f(cpuMs, 0)} ms (all threads: user ${f(procUserMs, 0)}, system ${f(procSysMs, 0)}), load generators ${f(loadCpuMs, 0)} ms (user ${f(loadUserMs, 0)}), ${f(writesPerJoin)} write calls per join (load ${(await import('node:os')).loadavg()[0].toFixed(2)})`);
    await fleet.stop();
  }
  return bursts;
}

async function waitLive(protocol, endpoints) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      return await timeToKeyframe({ protocol, endpoints }, 4000);
    } catch {
      await sleep(300);
    }
  }
  throw new Error(`never went live over ${protocol}`);
}

/**
 * The main thread's time on a CPU (ns, /proc/<pid>/schedstat), the whole process's user and system time, every thread
 * (V8's compiler and GC helpers too; clock ticks, /proc/<pid>/stat) and its write system calls (/proc/<pid>/io).
 */
function serverCounters(pid) {
  const runNs = Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
  const ticks = readCpuTicks(pid);
  return { runNs, userMs: ticks.utime * TICK_MS, sysMs: ticks.stime * TICK_MS, syscw: readIo(pid).syscw };
}

function f(x, d = 1) {
  return x == null || Number.isNaN(x) ? '-' : x.toFixed(d);
}
