// The dashboard's CPU cost: `kayak-cast serve` (through its bin) in a 100x30 tmux window, once with the dashboard
// and once with --no-dashboard, each with one ffmpeg publisher and N HTTP-FLV viewers; the server's CPU seconds
// (utime + stime from /proc/<pid>/stat) over the same window are compared. The memory of serve with the dashboard
// is the `dashboard` suite of bench/bench.mjs. Run after `npm run build`:
//
//   node bench/dashboard.mjs                 # 50 viewers, 60 s per run, appends to bench/RESULTS.md
//   node bench/dashboard.mjs --viewers 10 --seconds 10 --no-record
//
// Target (issue 4): the dashboard costs at most 2 % of one core.

import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureClip } from './clip.mjs';
import { FlvViewer } from './flv-viewer.mjs';
import { clockTicksPerSecond, readCpuTicks, readMemoryKb } from './proc-stats.mjs';
import { startServeInTmux, waitForStream } from './tmux-serve.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoDir = join(benchDir, '..');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const cfg = { viewers: flag('viewers', 50), seconds: flag('seconds', 60), warmup: flag('warmup', 10), record: !args.includes('--no-record') };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function run(label, dashboard, clip) {
  const serve = await startServeInTmux({ repoDir, dashboard, width: 100, height: 30, label });
  const { pid } = serve;
  const viewers = [];
  let publisher;
  try {
    publisher = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', clip, '-c', 'copy', '-f', 'flv', `rtmp://127.0.0.1:${serve.rtmpPort}/live/bench`], { stdio: ['ignore', 'ignore', 'inherit'] });
    await waitForStream(serve, 'bench');
    for (let i = 0; i < cfg.viewers; i++) {
      const viewer = new FlvViewer(`http://127.0.0.1:${serve.httpPort}/live/bench.flv`);
      viewer.start();
      viewers.push(viewer);
    }
    await sleep(cfg.warmup * 1000);
    const before = readCpuTicks(pid);
    const bytesBefore = viewers.reduce((sum, v) => sum + v.bytes, 0);
    const t0 = performance.now();
    await sleep(cfg.seconds * 1000);
    const after = readCpuTicks(pid);
    const elapsedS = (performance.now() - t0) / 1000;
    const bytes = viewers.reduce((sum, v) => sum + v.bytes, 0) - bytesBefore;
    const hz = clockTicksPerSecond();
    const cpuS = (after.utime - before.utime + after.stime - before.stime) / hz;
    const playing = viewers.filter((v) => v.state === 'playing').length;
    return { label, cpuS, elapsedS, percent: (cpuS / elapsedS) * 100, playing, mbps: (bytes * 8) / elapsedS / 1e6, rssKb: readMemoryKb(pid).vmRss, screen: serve.screen() };
  } finally {
    for (const viewer of viewers) viewer.stop();
    publisher?.kill('SIGKILL');
    await serve.stop();
  }
}

const clip = ensureClip(join(benchDir, 'out')).path;
const plain = await run('no-dashboard', false, clip);
const dash = await run('dashboard', true, clip);
const cost = dash.percent - plain.percent;
const lines = [
  '',
  `## Dashboard CPU cost, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  '',
  `\`node bench/dashboard.mjs\`: \`kayak-cast serve\` in a 100x30 tmux window, one ffmpeg publisher (the 2.53 Mb/s clip), ${cfg.viewers} HTTP-FLV viewers, ${cfg.warmup} s warm-up, server CPU (utime + stime) over ${cfg.seconds} s. Node ${process.version}. Other helpers' jobs shared the 2 cores, so a point or so of noise is expected.`,
  '',
  '| | --no-dashboard | dashboard |',
  '|---|---|---|',
  `| server CPU, % of one core | ${plain.percent.toFixed(2)} | ${dash.percent.toFixed(2)} |`,
  `| CPU seconds / window | ${plain.cpuS.toFixed(2)} / ${plain.elapsedS.toFixed(1)} s | ${dash.cpuS.toFixed(2)} / ${dash.elapsedS.toFixed(1)} s |`,
  `| viewers playing | ${plain.playing}/${cfg.viewers} | ${dash.playing}/${cfg.viewers} |`,
  `| delivered Mb/s (all viewers) | ${plain.mbps.toFixed(1)} | ${dash.mbps.toFixed(1)} |`,
  `| RSS MB at the end | ${(plain.rssKb / 1024).toFixed(1)} | ${(dash.rssKb / 1024).toFixed(1)} |`,
  '',
  `- **${cost <= 2 ? 'met' : 'NOT met'}**: the dashboard costs at most 2 % of one core: ${cost.toFixed(2)} percentage points`,
  '',
];
console.log(lines.join('\n'));
console.log(`--- dashboard screen at the end ---\n${dash.screen}`);
if (cfg.record) appendFileSync(join(benchDir, 'RESULTS.md'), lines.join('\n'));
