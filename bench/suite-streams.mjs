// Suite `streams`: S streams (20) with V viewers each (20), mixed round-robin over the continuous protocols the server
// serves. The S publishers are one node process replaying the clip with pacing (publisher-proc.mjs): twenty ffmpegs
// would take the cores the server needs.

import { join } from 'node:path';
import { nextMessage } from './children.mjs';
import { LoadFleet } from './load-fleet.mjs';
import { limitVerdict, measureWindow } from './measure.mjs';
import { onFreshServer, rowsPerServer } from './server-run.mjs';
import { joinStats } from './window-stats.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const CONTINUOUS = ['rtmp', 'flv', 'ws'];

export async function runStreams(ctx) {
  const rows = await rowsPerServer(ctx, ctx.cfg.otherServers, (key) => runOne(ctx, key));
  return { suite: 'streams', streams: ctx.cfg.streams, viewersPerStream: ctx.cfg.streamViewers, windowS: ctx.cfg.seconds, rows };
}

function runOne(ctx, key) {
  const { cfg, children, clip } = ctx;
  const def = ctx.servers[key];
  const row = { server: def.label, version: def.version(), streams: cfg.streams, viewersPerStream: cfg.streamViewers };
  console.log(`\n== streams: ${def.label}, ${cfg.streams} streams x ${cfg.streamViewers} viewers`);
  return onFreshServer(ctx, key, `streams-${key}`, row, async (run, own) => {
    const keys = Array.from({ length: cfg.streams }, (_, i) => `s${i + 1}`);
    const publisher = children.fork(join(ctx.benchDir, 'publisher-proc.mjs'));
    own.procs.push(publisher);
    publisher.send({ cmd: 'start', clipPath: clip.path, targets: keys.map((k) => run.endpoints(k).rtmp) });
    await nextMessage(publisher, 'publishing', 30_000);
    const protocols = CONTINUOUS.filter((p) => def.protocols.includes(p));
    await run.waitLive(protocols[0], keys.at(-1));
    row.protocols = protocols;
    const specs = [];
    keys.forEach((k, s) => {
      const endpoints = run.endpoints(k);
      for (let v = 0; v < cfg.streamViewers; v++) specs.push({ protocol: protocols[(s + v) % protocols.length], endpoints, group: s });
    });
    const fleet = new LoadFleet(children, cfg.loadProcs);
    own.fleets.push(fleet);
    const joined = await fleet.start(specs, { rampMs: cfg.mixedRamp * 1000 });
    row.joins = joinStats(joined.keyframeMs);
    console.log(`   joined: ${row.joins.ok}/${specs.length} got a keyframe, ${joined.closed} closed`);
    await sleep(3000);
    console.log(`   measuring ${cfg.seconds} s...`);
    row.window = await measureWindow({ ctx, run, fleet, seconds: cfg.seconds, others: [{ label: `publisher process (${cfg.streams} streams)`, pid: publisher.pid }] });
    publisher.send({ cmd: 'stats' });
    const stats = await nextMessage(publisher, 'stats', 5000);
    row.publishing = stats.publishing;
    row.publisherProblems = stats.closeReasons;
    row.limits = limitVerdict(row.window);
    const worst = Object.entries(row.window.byGroup).reduce((w, [g, s]) => (s.worstMedia < w.worstMedia ? { group: Number(g), ...s } : w), { worstMedia: Infinity });
    row.worstStream = { key: keys[worst.group], worstMedia: worst.worstMedia };
    console.log(`   ${row.window.cpuTotalSPerGB?.toFixed(2)} CPU s/GB; worst viewer ${(100 * row.window.worstViewer?.media).toFixed(1)} % of real time (stream ${row.worstStream.key})`);
  });
}
