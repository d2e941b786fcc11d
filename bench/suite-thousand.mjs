// Suite `thousand`: one 2.5 Mb/s stream (ffmpeg publisher), N viewers (1000) mixed round-robin over RTMP, HTTP-FLV,
// WebSocket-FLV and HLS (HLS only if the server answers 200 to GET /live/<key>.m3u8; otherwise a printed note),
// from several load-generator processes. The question: does every viewer get at least 99 % of the stream's rate,
// and where is the load generator, not the server, the limit.

import { LoadFleet } from './load-fleet.mjs';
import { limitVerdict, measureWindow } from './measure.mjs';
import { onFreshServer, rowsPerServer } from './server-run.mjs';
import { joinStats } from './window-stats.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const CONTINUOUS = ['rtmp', 'flv', 'ws'];

export async function runThousand(ctx) {
  const rows = await rowsPerServer(ctx, ctx.cfg.otherServers, (key) => runOne(ctx, key));
  return { suite: 'thousand', viewers: ctx.cfg.thousand, windowS: ctx.cfg.seconds, rampS: ctx.cfg.mixedRamp, loadProcs: ctx.cfg.thousandProcs, rows };
}

function runOne(ctx, key) {
  const { cfg, children, clip } = ctx;
  const def = ctx.servers[key];
  const row = { server: def.label, version: def.version(), viewers: cfg.thousand, notes: [] };
  console.log(`\n== thousand: ${def.label}, ${cfg.thousand} viewers from ${cfg.thousandProcs} load-generator processes`);
  return onFreshServer(ctx, key, `thousand-${key}`, row, async (run, own) => {
    run.publishFfmpeg(clip.path);
    await run.waitLive('rtmp');
    const protocols = CONTINUOUS.filter((p) => def.protocols.includes(p));
    const hls = await run.hlsAvailable();
    if (hls.ok) protocols.push('hls');
    else {
      row.notes.push(hls.note);
      console.log(`   ${hls.note}`);
    }
    row.protocols = protocols;
    const endpoints = run.endpoints();
    const specs = Array.from({ length: cfg.thousand }, (_, i) => ({ protocol: protocols[i % protocols.length], endpoints }));
    const fleet = new LoadFleet(children, cfg.thousandProcs);
    own.fleets.push(fleet);
    const joined = await fleet.start(specs, { rampMs: cfg.mixedRamp * 1000, joinTimeoutMs: 20_000 });
    row.joins = joinStats(joined.keyframeMs);
    row.joinedClosed = joined.closed;
    console.log(`   joined over ${joined.seconds.toFixed(1)} s: ${row.joins.ok}/${cfg.thousand} got a keyframe (or an HLS segment), ${joined.closed} closed`);
    await sleep(3000);
    console.log(`   measuring ${cfg.seconds} s...`);
    row.window = await measureWindow({ ctx, run, fleet, seconds: cfg.seconds, others: run.publishers.map((p) => ({ label: 'ffmpeg publisher', pid: p.pid })) });
    row.limits = limitVerdict(row.window);
    const w = row.window;
    console.log(`   worst viewer: media ${pct(w.worstViewer?.media)} of real time (${w.worstViewer?.protocol}), bytes ${pct(w.worstBytesVsMedian)} of its protocol's median; load generators ${w.load.map((l) => l.cpuPct.toFixed(0)).join(' + ')} % of a core`);
  });
}

const pct = (x) => (x == null ? '-' : `${(100 * x).toFixed(1)} %`);
