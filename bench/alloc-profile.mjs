#!/usr/bin/env node
// What kayak-cast allocates in the JavaScript heap, garbage included: a server in this process (the shebang's node
// flags applied), one ffmpeg publisher of the bench clip, then `--viewers` of one `--protocol` joining at once from a
// load-generator process. V8's sampling heap profiler, told to keep objects the collectors have freed, runs over
// the burst of joins and then over `--seconds` of steady fan-out. It prints the bytes allocated in each phase and
// the functions that allocated most (with their two callers). Every allocation costs the young generation's
// collector; in a fan-out most of them are Node's objects for each write. Nothing is recorded.
//
//   node bench/alloc-profile.mjs [--protocol rtmp|flv|ws] [--viewers 300] [--seconds 10] [--top 15] [--root DIR]

import { fork, spawn, spawnSync } from 'node:child_process';
import { Session } from 'node:inspector/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureClip } from './clip.mjs';
import { readShebang } from './kayak-launch.mjs';
import { streamEndpoints } from './viewers.mjs';

const benchDir = import.meta.dirname;
const { values: opt } = parseArgs({
  options: {
    protocol: { type: 'string', default: 'rtmp' },
    viewers: { type: 'string', default: '300' },
    seconds: { type: 'string', default: '10' },
    top: { type: 'string', default: '15' },
    root: { type: 'string', default: resolve(benchDir, '..') },
  },
});
const root = resolve(opt.root);

// The server runs in this process: start again under the shebang's flags (they change what V8 optimises, and so
// what it allocates) unless they are already on.
const { env: shebangEnv, nodeFlags } = readShebang(join(root, 'bin/kayak-cast.js'));
if (!nodeFlags.every((flag) => process.execArgv.includes(flag))) {
  const child = spawnSync(process.execPath, [...nodeFlags, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, ...shebangEnv } });
  process.exit(child.status ?? 1);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const viewers = Number(opt.viewers);
const dist = (path) => import(pathToFileURL(join(root, 'dist', path)).href);
const { KayakServer } = await dist('server/kayak-server.js');
const { silentLogger } = await dist('util/logger.js');

const clip = await ensureClip(join(benchDir, 'out'), 40);
const server = new KayakServer({ host: '127.0.0.1', rtmpPort: 0, httpPort: 0, logger: silentLogger });
await server.start();
const publisher = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', clip.path, '-c', 'copy', '-f', 'flv', `rtmp://127.0.0.1:${server.rtmpPort}/live/bench`], { stdio: 'inherit' });
const generator = fork(join(benchDir, 'load-generator.mjs'));
const session = new Session();
session.connect();
try {
  await sleep(3000);
  await session.post('HeapProfiler.enable');
  const sampling = { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true };

  await session.post('HeapProfiler.startSampling', sampling);
  const endpoints = streamEndpoints({ rtmpPort: server.rtmpPort, httpPort: server.httpPort, key: 'bench' });
  const joined = new Promise((r) => generator.on('message', (m) => m.type === 'joined' && r(m)));
  generator.send({ cmd: 'start', specs: Array.from({ length: viewers }, () => ({ protocol: opt.protocol, endpoints })) });
  const { playing } = await joined;
  report(`burst: ${viewers} ${opt.protocol} viewers joining at once (${playing} playing)`, (await session.post('HeapProfiler.stopSampling')).profile, (kb) => `${((kb * 1024) / viewers).toFixed(0)} bytes a join`);

  await sleep(3000);
  await session.post('HeapProfiler.startSampling', sampling);
  await sleep(Number(opt.seconds) * 1000);
  report(`steady: ${opt.seconds} s of fan-out to ${viewers} ${opt.protocol} viewers`, (await session.post('HeapProfiler.stopSampling')).profile, (kb) => `${(kb / 1024 / Number(opt.seconds)).toFixed(2)} MB a second`);
} finally {
  generator.send({ cmd: 'stop' });
  generator.kill();
  publisher.kill();
  session.disconnect();
  await server.stop();
}

/** Self bytes by function (with its two callers), largest first. */
function report(title, profile, rate) {
  const bytes = new Map();
  let total = 0;
  const name = (node) => `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.replace(/^.*\/(dist|bench)\//, '$1/')}:${node.callFrame.lineNumber + 1}`;
  const walk = (node, callers) => {
    if (node.selfSize > 0) {
      const key = [name(node), ...callers.slice(-2).reverse()].join(' <- ');
      bytes.set(key, (bytes.get(key) ?? 0) + node.selfSize);
      total += node.selfSize;
    }
    for (const child of node.children) walk(child, [...callers, name(node)]);
  };
  walk(profile.head, []);
  const kb = total / 1024;
  console.log(`\n== ${title}: ${kb.toFixed(0)} KB allocated, ${rate(kb)}`);
  for (const [key, size] of [...bytes].sort((a, b) => b[1] - a[1]).slice(0, Number(opt.top))) {
    console.log(`${(size / 1024).toFixed(0).padStart(8)} KB  ${key}`);
  }
}
