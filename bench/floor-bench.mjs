// What bench/write-floor.mjs and bench/read-floor.mjs share: a run's output folder, clip and children; the floor
// process forked with kayak-cast's own runtime flags and environment (its bin's shebang), so that the floor and
// kayak-cast run on the same Node settings; kayak-cast's `serve` through its bin; the raw JSON.

import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Children, freePort, waitForPort } from './children.mjs';
import { ensureClip, probeClip } from './clip.mjs';
import { kayakCommand, readShebang } from './kayak-launch.mjs';

/** `{ outDir, clip, children }` for a run writing to bench/out/<name>/, on `clipPath` or the benchmark clip. */
export async function startFloorRun(benchDir, name, clipPath) {
  const outDir = join(benchDir, 'out', name);
  mkdirSync(outDir, { recursive: true });
  const clip = clipPath ? probeClip(clipPath) : await ensureClip(join(benchDir, 'out'), 40);
  const children = new Children();
  process.on('SIGINT', () => { children.killAllNow(); process.exit(130); });
  return { outDir, clip, children };
}

/** Forks `script` with `args` under kayak-cast's shebang flags and environment (and --cpu-prof into `cpuProfDir`). */
export function forkAsKayak(children, repoDir, script, args, cpuProfDir) {
  const shebang = readShebang(join(repoDir, 'bin/kayak-cast.js'));
  const child = fork(script, args, {
    execArgv: [...shebang.nodeFlags, ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [])],
    env: { ...process.env, ...shebang.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.track(child);
  return child;
}

/**
 * `kayak-cast serve` of the checkout `kayakDir`, through its bin, on free loopback ports, logging to `logPath`;
 * resolves `{ server, rtmpPort, httpPort }` once both ports listen. `extraNodeFlags` go after the shebang's; the server
 * is pushed onto `live` (what the caller stops) as soon as it is spawned.
 */
export async function startKayakServe(children, kayakDir, { live, logPath, cpuProfDir = null, extraNodeFlags = [] }) {
  const rtmpPort = await freePort();
  const httpPort = await freePort();
  const c = kayakCommand(kayakDir, ['serve', '--host', '127.0.0.1', '--rtmp-port', String(rtmpPort), '--http-port', String(httpPort), '--no-dashboard'], {
    cpuProfDir,
    replaceNodeFlags: extraNodeFlags.length ? [...readShebang(join(kayakDir, 'bin/kayak-cast.js')).nodeFlags, ...extraNodeFlags] : [],
  });
  const server = children.spawn(c.cmd, c.args, { cwd: kayakDir, env: c.env, logPath });
  live.push(server);
  await waitForPort(rtmpPort, 15_000, () => !server.exitInfo);
  await waitForPort(httpPort, 15_000, () => !server.exitInfo);
  return { server, rtmpPort, httpPort };
}

/** Writes `data` as this run's raw JSON in `outDir` and prints its path (the tests read it from there). */
export function writeRaw(outDir, data) {
  const jsonPath = join(outDir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(jsonPath, JSON.stringify(data, null, 2));
  console.log(`\nraw: ${jsonPath}`);
}

/** A number for a table, `-` when there is none. */
export function fixed(x, digits = 2) {
  return x == null || Number.isNaN(x) ? '-' : x.toFixed(digits);
}
