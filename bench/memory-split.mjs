#!/usr/bin/env node
// Where a fan-out's memory goes, over time: kayak-cast (through its bin) with one ffmpeg publisher, then N viewers
// joining at once, /proc/<pid>/smaps sampled every --every ms and split into the C heap ([heap], glibc's brk arena),
// other anonymous memory (the V8 heap, glibc's mmap'd blocks and second arena, thread stacks) and file pages (the node
// binary, shared libraries). Prints each part before the joins, at the process's RSS peak, at each part's own peak and
// at the end of the window. Nothing is recorded: it prints a table and writes JSON.
//
//   node bench/memory-split.mjs --protocol flv --viewers 300 --seconds 30 [--root /tmp/old] [--node-flags=--trace-gc] [--dump-maps]

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Children, freePort, waitForPort } from './children.mjs';
import { ensureClip, publishClip } from './clip.mjs';
import { kayakCommand, readShebang } from './kayak-launch.mjs';
import { LoadFleet } from './load-fleet.mjs';
import { streamEndpoints, timeToKeyframe } from './viewers.mjs';
import { joinStats } from './window-stats.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const { values: opt } = parseArgs({
  options: {
    root: { type: 'string', default: resolve(benchDir, '..') },
    protocol: { type: 'string', default: 'flv' },
    viewers: { type: 'string', default: '300' },
    seconds: { type: 'string', default: '30' },
    every: { type: 'string', default: '20' },
    'load-procs': { type: 'string', default: '2' },
    'node-flags': { type: 'string', default: '' },
    'dump-maps': { type: 'boolean', default: false },
  },
});

/** The mappings of /proc/<pid>/smaps with at least `minKb` resident, largest first: address range, permissions, path. */
function mappings(pid, minKb = 64) {
  const list = [];
  let current;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head !== null) {
      current = { sizeKb: (Number.parseInt(head[2], 16) - Number.parseInt(head[1], 16)) / 1024, perms: head[3], path: head[4] || '(anonymous)', rssKb: 0 };
      list.push(current);
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss !== null && current !== undefined) current.rssKb = Number(rss[1]);
  }
  return list.filter((m) => m.rssKb >= minKb).sort((a, b) => b.rssKb - a.rssKb);
}

/** Resident kB of one /proc/<pid>/smaps read, by part. */
function split(pid) {
  const parts = { heap: 0, anon: 0, file: 0 };
  let part = 'anon';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (head !== null) {
      const path = head[2];
      part = path === '[heap]' ? 'heap' : head[1] !== '0' || path.startsWith('/') ? 'file' : 'anon';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss !== null) parts[part] += Number(rss[1]);
  }
  return { ...parts, rss: parts.heap + parts.anon + parts.file };
}

const outDir = join(benchDir, 'out', 'memory-split');
mkdirSync(outDir, { recursive: true });
const children = new Children();
process.on('SIGINT', () => { children.killAllNow(); process.exit(130); });
const clip = await ensureClip(join(benchDir, 'out'), 40);
const root = resolve(opt.root);
const rtmpPort = await freePort();
const httpPort = await freePort();
// Extra node flags go after the shebang's own.
const extraFlags = opt['node-flags'].split(' ').filter(Boolean);
const nodeFlags = extraFlags.length > 0 ? [...readShebang(join(root, 'bin/kayak-cast.js')).nodeFlags, ...extraFlags] : [];
const c = kayakCommand(root, ['serve', '--host', '127.0.0.1', '--rtmp-port', String(rtmpPort), '--http-port', String(httpPort), '--no-dashboard'], { replaceNodeFlags: nodeFlags });
const server = children.spawn(c.cmd, c.args, { cwd: root, env: c.env, logPath: join(outDir, 'server.log') });
const samples = [];
let sampler;
let fleet;
let publisher;
try {
  await waitForPort(rtmpPort, 15_000, () => !server.exitInfo);
  await waitForPort(httpPort, 15_000, () => !server.exitInfo);
  publisher = publishClip(children, clip.path, `rtmp://127.0.0.1:${rtmpPort}/live/bench`, join(outDir, 'ffmpeg.log'));
  const endpoints = streamEndpoints({ rtmpPort, httpPort, key: 'bench' });
  for (let tries = 0; ; tries++) {
    try {
      await timeToKeyframe({ protocol: opt.protocol, endpoints }, 4000);
      break;
    } catch (error) {
      if (tries > 60) throw error;
      await sleep(300);
    }
  }
  fleet = new LoadFleet(children, Number(opt['load-procs']));
  await sleep(3000);
  const t0 = performance.now();
  sampler = setInterval(() => samples.push({ ms: performance.now() - t0, ...split(server.pid) }), Number(opt.every));
  await sleep(1000);
  const joinAt = performance.now() - t0;
  const joined = await fleet.start(Array.from({ length: Number(opt.viewers) }, () => ({ protocol: opt.protocol, endpoints })));
  const stats = joinStats(joined.keyframeMs);
  await sleep(Number(opt.seconds) * 1000);
  clearInterval(sampler);
  if (opt['dump-maps']) {
    console.log('\nmappings at the end of the window (resident kB, mapped kB, permissions, path):');
    for (const m of mappings(server.pid)) console.log(`${String(m.rssKb).padStart(7)} ${String(m.sizeKb).padStart(8)} ${m.perms} ${m.path}`);
  }
  const hwmKb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))[1]);
  const mb = (kb) => (kb / 1024).toFixed(1);
  const before = samples.filter((s) => s.ms < joinAt);
  const at = (s) => `${mb(s.rss)} | ${mb(s.heap)} | ${mb(s.anon)} | ${mb(s.file)} | ${(s.ms - joinAt).toFixed(0)}`;
  const last = (list) => list[list.length - 1];
  const peakOf = (key) => samples.reduce((a, b) => (b[key] > a[key] ? b : a));
  console.log(`\n${opt.viewers} ${opt.protocol} viewers joining at once (${stats.ok} got a keyframe, median ${stats.medianMs?.toFixed(1)} ms), ${root}, ${samples.length} samples every ${opt.every} ms`);
  console.log('\n| moment | RSS MB | C heap (brk) MB | other anonymous MB | file pages MB | ms after the joins began |');
  console.log('|---|---|---|---|---|---|');
  console.log(`| before the joins | ${at(last(before))} |`);
  console.log(`| RSS peak | ${at(peakOf('rss'))} |`);
  console.log(`| C heap peak | ${at(peakOf('heap'))} |`);
  console.log(`| other anonymous peak | ${at(peakOf('anon'))} |`);
  console.log(`| end of the window | ${at(last(samples))} |`);
  console.log(`\nVmHWM (the process's high-water mark, between the samples too): ${mb(hwmKb)} MB`);
  const jsonPath = join(outDir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(jsonPath, JSON.stringify({ root, protocol: opt.protocol, viewers: Number(opt.viewers), nodeFlags, joinAt, stats, hwmKb, samples }, null, 2));
  console.log(`\nraw: ${jsonPath}`);
} finally {
  clearInterval(sampler);
  await fleet?.stop();
  await children.stop(publisher, 3000);
  await children.stop(server, 8000);
}
