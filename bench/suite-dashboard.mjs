// Suite `dashboard`: peak memory of `kayak-cast serve` with its dashboard on, as a user runs it (through the bin, in a
// 120x40 tmux window: a real pty), one ffmpeg publisher, ten HTTP-FLV viewers, for a few minutes; then the same with
// --no-dashboard for comparison. RSS is the server's process plus any process it started (should the dashboard move
// to a process of its own, it still counts).

import { LoadFleet } from './load-fleet.mjs';
import { descendants } from './playout-tree.mjs';
import { readMemoryKb } from './proc-stats.mjs';
import { startServeInTmux, waitForStream } from './tmux-serve.mjs';

const SAMPLE_MS = 500;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function runDashboard(ctx) {
  const rows = [];
  const modes = ctx.cfg.dashboardCompare ? [true, false] : [true];
  for (const dashboard of modes) {
    rows.push(await runOne(ctx, dashboard));
    if (ctx.interrupted) break;
  }
  return { suite: 'dashboard', viewers: ctx.cfg.dashboardViewers, seconds: ctx.cfg.dashboardSeconds, rows };
}

/** RSS of `pid` and its descendants, in kB, and the main process's VmHWM. */
function treeMemory(pid) {
  const main = readMemoryKb(pid);
  let rss = main.vmRss;
  for (const d of descendants(pid)) {
    try {
      rss += readMemoryKb(d.pid).vmRss;
    } catch {
      // exited between the listing and the read
    }
  }
  return { rss, hwm: main.vmHwm, processes: 1 + descendants(pid).length };
}

async function runOne(ctx, dashboard) {
  const { cfg, children, clip } = ctx;
  const label = dashboard ? 'dashboard' : 'no-dashboard';
  const row = { mode: label, viewers: cfg.dashboardViewers, seconds: cfg.dashboardSeconds };
  console.log(`\n== dashboard: serve ${dashboard ? 'with its dashboard' : '--no-dashboard'} in tmux, ${cfg.dashboardViewers} HTTP-FLV viewers, ${cfg.dashboardSeconds} s`);
  let serve;
  let publisher;
  let fleet;
  const samples = [];
  let hwmKb = 0;
  let timer;
  try {
    serve = await startServeInTmux({ repoDir: ctx.repoDir, dashboard, width: 120, height: 40, label });
    const t0 = performance.now();
    const sample = () => {
      try {
        const m = treeMemory(serve.pid);
        samples.push([(performance.now() - t0) / 1000, m.rss / 1024, m.processes]);
        hwmKb = Math.max(hwmKb, m.hwm);
      } catch {
        // the server has exited; assertions below report it
      }
    };
    sample();
    timer = setInterval(sample, SAMPLE_MS);
    publisher = children.spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'warning', '-re', '-stream_loop', '-1', '-i', clip.path,
      '-c', 'copy', '-f', 'flv', `rtmp://127.0.0.1:${serve.rtmpPort}/live/bench`], { logPath: `${ctx.outDir}/${ctx.stamp}-dashboard-ffmpeg.log` });
    await waitForStream(serve, 'bench');
    fleet = new LoadFleet(children, 1);
    const endpoints = { flv: `http://127.0.0.1:${serve.httpPort}/live/bench.flv` };
    const joined = await fleet.start(Array.from({ length: cfg.dashboardViewers }, () => ({ protocol: 'flv', endpoints })));
    row.playing = joined.playing;
    await sleep(cfg.dashboardSeconds * 1000);
    const end = await fleet.snapshot();
    row.playingAtEnd = end.reduce((n, s) => n + s.playing, 0);
    row.screen = serve.screen().split('\n').slice(0, 12);
    sample();
  } catch (err) {
    row.error = String(err?.message ?? err);
    console.error(`   ERROR: ${row.error}`);
  } finally {
    clearInterval(timer);
    if (fleet) await fleet.stop();
    if (publisher) await children.stop(publisher, 3000);
    if (serve) await serve.stop();
  }
  const rss = samples.map((s) => s[1]);
  const at = (t) => samples.find((s) => s[0] >= t)?.[1] ?? null;
  Object.assign(row, {
    peakMB: Math.max(hwmKb / 1024, ...rss),
    vmHwmMB: hwmKb / 1024,
    sampledMaxMB: rss.length ? Math.max(...rss) : null,
    processes: Math.max(0, ...samples.map((s) => s[2])),
    rssAtMB: Object.fromEntries([10, 30, 60, 120, 180, 300].filter((t) => t <= cfg.dashboardSeconds).map((t) => [t, at(t)])),
    endMB: rss.at(-1) ?? null,
  });
  console.log(`   peak ${row.peakMB.toFixed(1)} MB (VmHWM ${row.vmHwmMB.toFixed(1)}, sampled max ${row.sampledMaxMB?.toFixed(1)}), at the end ${row.endMB?.toFixed(1)} MB`);
  return row;
}
