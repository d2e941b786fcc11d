// Suite `latency`: the time a server adds between a publisher's send and a viewer's receipt of the same video message,
// at default settings (kayak-cast holds viewers' writes for 20 ms), with a background load of N viewers on the stream.
// The publisher and the probe viewers share one process and one clock (latency-probe.mjs); see bench/README.md.

import { join } from 'node:path';
import { nextMessage } from './children.mjs';
import { LoadFleet } from './load-fleet.mjs';
import { onFreshServer, rowsPerServer } from './server-run.mjs';

const CONTINUOUS = ['rtmp', 'flv', 'ws'];
/** Probe viewers per protocol. */
const PROBES_PER_PROTOCOL = 2;
const WARMUP_MS = 3000;

export async function runLatency(ctx) {
  const rows = await rowsPerServer(ctx, ctx.cfg.otherServers, (key) => runOne(ctx, key));
  return { suite: 'latency', background: ctx.cfg.latencyViewers, seconds: ctx.cfg.seconds, frameMs: 1000 / ctx.clip.fps, rows };
}

function runOne(ctx, key) {
  const { cfg, children, clip } = ctx;
  const def = ctx.servers[key];
  const row = { server: def.label, version: def.version(), background: cfg.latencyViewers };
  console.log(`\n== latency: ${def.label}, ${PROBES_PER_PROTOCOL} probes per protocol, ${cfg.latencyViewers} background viewers`);
  return onFreshServer(ctx, key, `latency-${key}`, row, async (run, own) => {
    const endpoints = run.endpoints();
    const probe = children.fork(join(ctx.benchDir, 'latency-probe.mjs'));
    own.procs.push(probe);
    probe.send({ cmd: 'publish', clipPath: clip.path, target: endpoints.rtmp });
    await nextMessage(probe, 'publishing', 30_000);
    const protocols = CONTINUOUS.filter((p) => def.protocols.includes(p));
    await run.waitLive(protocols[0]);
    if (cfg.latencyViewers > 0) {
      const fleet = new LoadFleet(children, cfg.loadProcs);
      own.fleets.push(fleet);
      const specs = Array.from({ length: cfg.latencyViewers }, (_, i) => ({ protocol: protocols[i % protocols.length], endpoints }));
      row.backgroundPlaying = (await fleet.start(specs, { rampMs: 0 })).playing;
    }
    const probes = protocols.flatMap((protocol) => Array.from({ length: PROBES_PER_PROTOCOL }, () => ({ protocol, endpoints })));
    console.log(`   measuring ${cfg.seconds} s...`);
    probe.send({ cmd: 'probe', probes, warmupMs: WARMUP_MS, durationMs: cfg.seconds * 1000 });
    const result = await nextMessage(probe, 'latency', WARMUP_MS + cfg.seconds * 1000 + 30_000);
    run.assertAlive();
    Object.assign(row, { byProtocol: result.byProtocol, loopDelay: result.loopDelay, probeProblems: [...result.closed, result.publisherCloseReason].filter(Boolean) });
    for (const [p, s] of Object.entries(result.byProtocol)) {
      console.log(`   ${p}: median ${f(s.medianMs)} ms, p99 ${f(s.p99Ms)} ms, max ${f(s.maxMs)} ms (${s.samples} frames, ${s.unmatched} unmatched)`);
    }
  });
}

const f = (x, d = 1) => (x == null || Number.isNaN(x) ? '-' : x.toFixed(d));
