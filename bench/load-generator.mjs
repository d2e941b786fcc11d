// A load-generator process, driven over IPC by load-fleet.mjs; several of them share a load. It opens its viewers
// (all at once, or spread over a ramp), reports when they have joined, and reports every viewer's counters on request.
//
// messages in:  { cmd: 'warm', clipPath, protocols, viewers, rounds }
//               { cmd: 'start', specs: [{ protocol, endpoints, group }], rampMs, joinTimeoutMs }
//               { cmd: 'snapshot' }   { cmd: 'stop' }
// messages out: { type: 'ready' } (loaded)  { type: 'warmed', ms }  { type: 'joined', ... }  { type: 'snapshot', ... }
//               { type: 'stopped' }

import { readFileSync } from 'node:fs';
import { createViewer, streamEndpoints } from './viewers.mjs';

/** @type {{ viewer: import('./viewer-base.mjs').Viewer, group: number }[]} */
const viewers = [];
const closeReasons = new Map();
const send = (msg) => process.send?.(msg);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function countReason(v) {
  const key = `${v.protocol}: ${v.closeReason}`;
  closeReasons.set(key, (closeReasons.get(key) ?? 0) + 1);
}

async function start({ specs, rampMs = 0, joinTimeoutMs = 15_000 }) {
  const gap = specs.length > 1 ? rampMs / (specs.length - 1) : 0;
  const t0 = performance.now();
  for (const [i, spec] of specs.entries()) {
    const wait = t0 + i * gap - performance.now();
    if (wait > 0) await sleep(wait);
    const viewer = createViewer(spec, { onClose: countReason });
    viewers.push({ viewer, group: spec.group ?? 0 });
    viewer.start();
  }
  const deadline = performance.now() + joinTimeoutMs;
  while (performance.now() < deadline && viewers.some(({ viewer: v }) => !v.keyframeAt && v.state !== 'closed')) await sleep(50);
  send({
    type: 'joined',
    seconds: (performance.now() - t0) / 1000,
    keyframeMs: viewers.map(({ viewer: v }) => v.keyframeMs),
    protocols: viewers.map(({ viewer: v }) => v.protocol),
    ...counts(),
  });
}

/**
 * Runs `rounds` bursts of `viewers` joins per protocol against an in-process bench/floor-server.mjs before the real
 * load: a load generator is a fresh process, and its first hundreds of joins run in V8's interpreter at several times
 * the CPU of later ones, on the cores the server under test shares. Audiences are other machines; the less of the
 * two cores the clients take, the more a join's time is the server's.
 */
async function warm({ clipPath, protocols, viewers = 150, rounds = 2 }) {
  const t0 = performance.now();
  const { listenFloor } = await import('./floor-server.mjs');
  const floor = await listenFloor({ file: readFileSync(clipPath), httpPort: 0, rtmpPort: 0 });
  try {
    const endpoints = streamEndpoints({ rtmpPort: floor.rtmpPort, httpPort: floor.httpPort, key: 'warm' });
    for (let round = 0; round < rounds; round++) {
      for (const protocol of protocols) await joinAll(Array.from({ length: viewers }, () => ({ protocol, endpoints })));
    }
  } finally {
    floor.close();
  }
  send({ type: 'warmed', ms: performance.now() - t0 });
}

/** Opens every viewer of `specs`, waits until each has its first keyframe or is closed (at most 10 s), stops them. */
function joinAll(specs) {
  return new Promise((resolve) => {
    const pending = new Set();
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      for (const v of batch) v.stop();
      resolve();
    };
    const done = (v) => {
      pending.delete(v);
      if (pending.size === 0) finish();
    };
    const batch = specs.map((spec) => createViewer(spec, { onKeyframe: done, onClose: done }));
    const timer = setTimeout(finish, 10_000);
    for (const v of batch) pending.add(v);
    for (const v of batch) v.start();
  });
}

function counts() {
  const c = { playing: 0, closed: 0, pending: 0 };
  for (const { viewer: v } of viewers) {
    if (v.state === 'playing') c.playing++;
    else if (v.state === 'closed') c.closed++;
    else c.pending++;
  }
  return c;
}

function snapshot() {
  const cpu = process.cpuUsage();
  send({
    type: 'snapshot',
    at: performance.now(),
    // [protocol, group, bytes, highest media timestamp, state]: compact, a thousand of them cross the IPC channel
    viewers: viewers.map(({ viewer: v, group }) => [v.protocol, group, v.bytes, v.lastTs, v.state]),
    ...counts(),
    closeReasons: Object.fromEntries(closeReasons),
    cpuUserS: cpu.user / 1e6,
    cpuSystemS: cpu.system / 1e6,
  });
}

process.on('message', (msg) => {
  if (msg.cmd === 'warm') {
    warm(msg).catch((err) => send({ type: 'error', message: String(err?.stack ?? err) }));
  } else if (msg.cmd === 'start') {
    start(msg).catch((err) => send({ type: 'error', message: String(err?.stack ?? err) }));
  } else if (msg.cmd === 'snapshot') {
    snapshot();
  } else if (msg.cmd === 'stop') {
    for (const { viewer } of viewers) viewer.stop();
    send({ type: 'stopped' });
    setTimeout(() => process.exit(0), 50);
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
// Exit through process.exit on SIGTERM too, so a profile asked for with --cpu-prof (inherited from the orchestrator's
// node flags) is written.
process.on('SIGTERM', () => process.exit(0));
