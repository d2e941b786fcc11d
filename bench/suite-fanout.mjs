// Suite `fanout`: every server, every protocol it serves (RTMP for all three, HTTP-FLV for kayak-cast and
// node-media-server, WebSocket-FLV for kayak-cast), one at a time on a fresh server: one ffmpeg publisher, N viewers
// of that protocol joining at the same moment (their first keyframes are the burst join times), a steady window
// (CPU, bytes, every viewer's rate), then sequential joins of one more viewer from a separate process.

import { join } from 'node:path';
import { freePort, nextMessage, waitForPort } from './children.mjs';
import { LoadFleet, fleetCpuS } from './load-fleet.mjs';
import { streamEndpoints, timeToKeyframe } from './viewers.mjs';
import { onFreshServer, rowsPerServer } from './server-run.mjs';
import { medianRecord } from './round-median.mjs';
import { measureWindow } from './measure.mjs';
import { joinStats, median } from './window-stats.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const SETTLE_MS = 3000;

/** The (server, protocol) pairs of the suite, in the order they run. */
export function fanoutPlan(ctx) {
  const plan = [];
  for (const key of ctx.cfg.servers) {
    for (const protocol of ctx.servers[key].protocols) {
      if (ctx.cfg.protocols.includes(protocol)) plan.push({ key, protocol });
    }
  }
  return plan;
}

/**
 * One round runs every (server, protocol) of the plan once, on a fresh server each. With several rounds each round
 * starts one place further along the plan, so that every pair runs early and late in a round, and each pair's rounds
 * are spread over the run and meet the machine's other work at different moments. `rows` hold each figure's median
 * over the rounds (see round-median.mjs), in the plan's order; `roundRows` each round, in the order it ran.
 */
export async function runFanout(ctx) {
  const floors = ctx.cfg.ramp === 0 ? await joinFloors(ctx) : {};
  const plan = fanoutPlan(ctx);
  const rounds = [];
  for (let round = 0; round < ctx.cfg.fanoutRounds && !ctx.interrupted; round++) {
    const rows = [];
    const order = [...plan.slice(round % plan.length), ...plan.slice(0, round % plan.length)];
    for (const { key, protocol } of order) {
      if (ctx.cfg.fanoutRounds > 1) console.log(`\n-- fanout round ${round + 1} of ${ctx.cfg.fanoutRounds}`);
      const [row] = await rowsPerServer(ctx, [key], () => runOne(ctx, key, protocol));
      rows.push({ protocol, ...row });
      if (ctx.interrupted) break;
    }
    rounds.push(rows);
  }
  const rows = plan.map(({ key, protocol }) => medianRecord(rounds.map((r) => r.find((row) => row.server === ctx.servers[key].label && row.protocol === protocol)))).filter(Boolean);
  // `floor`: the HTTP-FLV floor (the one earlier runs recorded); `floors`: one per protocol measured.
  return { suite: 'fanout', viewers: ctx.cfg.viewers, windowS: ctx.cfg.seconds, rampS: ctx.cfg.ramp, rounds: rounds.length, roundRows: rounds, floor: floors.flv ?? null, floors, rows };
}

/** The protocols bench/floor-server.mjs serves, in the order their floors are measured. */
const FLOOR_PROTOCOLS = ['flv', 'rtmp', 'ws'];

/**
 * The same burst of viewers against bench/floor-server.mjs, which sends each the least a join needs from memory, one
 * write per request it must answer: what the clients and the kernel take, below which no server's figure can go on
 * this machine. One floor per protocol measured (RTMP's includes its handshake and three command round trips).
 */
async function joinFloors(ctx) {
  const { cfg, children } = ctx;
  const protocols = FLOOR_PROTOCOLS.filter((p) => cfg.protocols.includes(p));
  if (!protocols.length) return {};
  const port = await freePort();
  const rtmpPort = await freePort();
  const server = children.spawn(process.execPath, [join(ctx.benchDir, 'floor-server.mjs'), String(port), ctx.clip.path, String(rtmpPort)], { logPath: join(ctx.outDir, `${ctx.stamp}-floor-server.log`) });
  const floors = {};
  try {
    await waitForPort(port, 10_000, () => !server.exitInfo);
    await waitForPort(rtmpPort, 10_000, () => !server.exitInfo);
    const endpoints = streamEndpoints({ rtmpPort, httpPort: port, key: 'bench' });
    for (const protocol of protocols) {
      console.log(`\n== fanout: join floor, ${cfg.viewers} ${protocol} viewers at once against bench/floor-server.mjs`);
      const fleet = new LoadFleet(children, cfg.loadProcs, { warm: { clipPath: ctx.clip.path, protocols: [protocol] } });
      try {
        await fleet.ready;
        await timeToKeyframe({ protocol, endpoints }, 5000); // one join first, as a real server gets (waitLive)
        const joined = await fleet.start(Array.from({ length: cfg.viewers }, () => ({ protocol, endpoints })));
        floors[protocol] = joinStats(joined.keyframeMs);
        console.log(`   median ${f(floors[protocol].medianMs)} ms, max ${f(floors[protocol].maxMs)} ms (${floors[protocol].ok}/${floors[protocol].count})`);
      } catch (err) {
        floors[protocol] = { error: String(err?.message ?? err) };
      } finally {
        await fleet.stop();
      }
    }
  } catch (err) {
    for (const protocol of protocols) floors[protocol] ??= { error: String(err?.message ?? err) };
  } finally {
    await children.stop(server, 2000);
  }
  return floors;
}

function runOne(ctx, key, protocol) {
  const { cfg, children, clip } = ctx;
  const def = ctx.servers[key];
  const row = { server: def.label, version: def.version(), protocol, viewers: cfg.viewers };
  console.log(`\n== fanout: ${def.label} ${row.version}, ${cfg.viewers} ${protocol} viewers`);
  return onFreshServer(ctx, key, `fanout-${key}-${protocol}`, row, async (run, own) => {
    run.publishFfmpeg(clip.path);
    row.loneJoinMs = await run.waitLive(protocol);
    console.log(`   live: a lone viewer's first keyframe after ${row.loneJoinMs.toFixed(1)} ms`);

    const endpoints = run.endpoints();
    const { fleet, burst } = await joinTogether(ctx, run, own, protocol, endpoints);
    row.burst = burst;
    console.log(`   ${cfg.ramp > 0 ? `ramped over ${cfg.ramp} s` : 'all at once'}: ${row.burst.ok}/${cfg.viewers} got a keyframe, median ${f(row.burst.medianMs)} ms, max ${f(row.burst.maxMs)} ms`);
    await sleep(SETTLE_MS);

    console.log(`   measuring ${cfg.seconds} s...`);
    row.window = await measureWindow({ ctx, run, fleet, seconds: cfg.seconds, others: run.publishers.map((p) => ({ label: 'ffmpeg publisher', pid: p.pid })) });
    console.log(`   ${f(row.window.cpuTotalSPerGB, 2)} CPU s/GB (user ${f(row.window.cpuUserSPerGB, 2)}, system ${f(row.window.cpuSysSPerGB, 2)}), delivered ${f(row.window.deliveredPct)} %`);

    const probe = children.fork(join(ctx.benchDir, 'join-probe.mjs'));
    own.procs.push(probe);
    probe.send({ cmd: 'joins', spec: { protocol, endpoints }, count: cfg.joins, gapMs: 300, timeoutMs: 10_000 });
    const joins = await nextMessage(probe, 'joins', cfg.joins * 12_000 + 5000);
    const ms = joins.results.map((r) => r.keyframeMs);
    row.joins = { count: cfg.joins, ok: ms.length, errors: joins.errors, medianMs: median(ms), maxMs: ms.length ? Math.max(...ms) : null, all: ms };
    console.log(`   joining one viewer: median ${f(row.joins.medianMs)} ms, max ${f(row.joins.maxMs)} ms (${ms.length}/${cfg.joins})`);
    const c = await fleet.snapshot();
    row.playingAfterJoins = c.reduce((n, s) => n + s.playing, 0);

    // The burst above is the first a freshly started server sees. Every viewer now leaves and the same number joins
    // again at the same moment: a burst on a server whose join path V8 has optimised by then, as any later crowd
    // finds it. Reported beside the first; the goal is judged on the first.
    if (cfg.ramp > 0) return;
    run.endPeak(); // the peak with 300 viewers is the goal's figure; the churn of the later burst is not in it
    await fleet.stop();
    await sleep(SETTLE_MS);
    row.laterBurst = (await joinTogether(ctx, run, own, protocol, endpoints)).burst;
    console.log(`   a later burst: ${row.laterBurst.ok}/${cfg.viewers} got a keyframe, median ${f(row.laterBurst.medianMs)} ms, max ${f(row.laterBurst.maxMs)} ms`);
  });
}

/**
 * `cfg.viewers` viewers of `protocol` joining together (or over the ramp) from warmed load generators (see
 * load-fleet.mjs: the burst's clients in optimised code, as little of the two cores as they can take): their join
 * times and the CPU the joins took of the server (every thread) and of the load generators. The fleet keeps playing.
 */
async function joinTogether(ctx, run, own, protocol, endpoints) {
  const { cfg, children, clip } = ctx;
  const fleet = new LoadFleet(children, cfg.loadProcs, { warm: { clipPath: clip.path, protocols: [protocol] } });
  own.fleets.push(fleet);
  await fleet.ready;
  const before = { server: run.cpu(), load: await fleet.snapshot() };
  const joined = await fleet.start(Array.from({ length: cfg.viewers }, () => ({ protocol, endpoints })), { rampMs: cfg.ramp * 1000 });
  const after = { server: run.cpu(), load: await fleet.snapshot() };
  const serverCpuMs = (after.server.userS + after.server.sysS - before.server.userS - before.server.sysS) * 1000;
  const [loadA, loadB] = [fleetCpuS(before.load), fleetCpuS(after.load)];
  const loadCpuMs = (loadB.userS + loadB.sysS - loadA.userS - loadA.sysS) * 1000;
  return { fleet, burst: { ...joinStats(joined.keyframeMs), ramped: cfg.ramp > 0, closed: joined.closed, serverCpuMs, loadCpuMs } };
}

const f = (x, d = 1) => (x == null || Number.isNaN(x) ? '-' : x.toFixed(d));
