// The orchestrator's side of the load: N load-generator processes sharing one list of viewer specs (viewer i goes
// to process i mod N), started together, snapshotted together, stopped together.

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nextMessage } from './children.mjs';

const generator = join(dirname(fileURLToPath(import.meta.url)), 'load-generator.mjs');

export class LoadFleet {
  /**
   * @param {import('./children.mjs').Children} children  @param {number} processes
   * @param {{ warm?: { clipPath: string, protocols: string[] } }} options  warm: each process first joins the
   *   protocols' viewers against its own in-process bench/floor-server.mjs (see load-generator.mjs), so that the
   *   load's joins run in optimised code; `ready` resolves after that. HLS is not warmed (the floor has none).
   */
  constructor(children, processes, { warm } = {}) {
    this.children = children;
    this.procs = Array.from({ length: Math.max(1, processes) }, () => children.fork(generator));
    const protocols = warm?.protocols.filter((p) => p !== 'hls') ?? [];
    // Every process has loaded (and warmed) before any opens a viewer: one still starting up (about 50 ms of CPU)
    // would otherwise take a core from the burst of joins that the others have begun.
    this.ready = Promise.all(this.procs.map(async (p) => {
      await nextMessage(p, 'ready', 30_000);
      if (!protocols.length) return 0;
      const warmed = nextMessage(p, 'warmed', 120_000);
      p.send({ cmd: 'warm', clipPath: warm.clipPath, protocols });
      return (await warmed).ms;
    }));
    this.ready.catch(() => {}); // a fleet that is never started must not leave an unhandled rejection; start() rethrows
  }

  /**
   * Opens every viewer (rampMs 0: all at the same moment) and resolves when each has its first keyframe or is closed,
   * or after joinTimeoutMs: `{ keyframeMs: (number|null)[], protocols, playing, closed, pending, seconds }`.
   */
  async start(specs, { rampMs = 0, joinTimeoutMs = 15_000 } = {}) {
    await this.ready;
    const shares = this.procs.map(() => []);
    specs.forEach((spec, i) => shares[i % shares.length].push(spec));
    const joined = this.procs.map((p) => nextMessage(p, 'joined', rampMs + joinTimeoutMs + 30_000));
    this.procs.forEach((p, i) => p.send({ cmd: 'start', specs: shares[i], rampMs, joinTimeoutMs }));
    const parts = await Promise.all(joined);
    return {
      keyframeMs: parts.flatMap((p) => p.keyframeMs),
      protocols: parts.flatMap((p) => p.protocols),
      playing: sum(parts, 'playing'),
      closed: sum(parts, 'closed'),
      pending: sum(parts, 'pending'),
      seconds: Math.max(...parts.map((p) => p.seconds)),
    };
  }

  /** Every process's snapshot (see load-generator.mjs), in process order. */
  snapshot() {
    const replies = this.procs.map((p) => nextMessage(p, 'snapshot', 15_000));
    for (const p of this.procs) p.send({ cmd: 'snapshot' });
    return Promise.all(replies);
  }

  async stop() {
    await Promise.all(this.procs.map(async (p) => {
      if (p.exitInfo) return;
      p.send({ cmd: 'stop' });
      await nextMessage(p, 'stopped', 5000).catch(() => {});
      await this.children.stop(p, 2000);
    }));
  }
}

const sum = (parts, key) => parts.reduce((n, p) => n + p[key], 0);

/** The CPU time (s) of every process in `snapshots` (from snapshot()) so far: user, system. */
export function fleetCpuS(snapshots) {
  return { userS: sum(snapshots, 'cpuUserS'), sysS: sum(snapshots, 'cpuSystemS') };
}
