// The dashboard's CPU cost: `kayak-cast serve` in a 100x30 tmux window, once with the dashboard and once with
// --no-dashboard, each with one ffmpeg publisher and N HTTP-FLV viewers; the server's CPU seconds (utime + stime
// from /proc/<pid>/stat) over the same window are compared. Run after `npm run build`:
//
//   node bench/dashboard.mjs                 # 50 viewers, 60 s per run, appends to bench/RESULTS.md
//   node bench/dashboard.mjs --viewers 10 --seconds 10 --no-record
//
// Target (issue 4): the dashboard costs at most 2 % of one core.

import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureClip } from './clip.mjs';
import { FlvViewer } from './flv-viewer.mjs';
import { clockTicksPerSecond, readCpuTicks, readMemoryKb } from './proc-stats.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoDir = join(benchDir, '..');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const cfg = { viewers: flag('viewers', 50), seconds: flag('seconds', 60), warmup: flag('warmup', 10), record: !args.includes('--no-record') };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitUntil(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function run(label, dashboard, clip) {
  const socket = `kayak-bench-${process.pid}-${label}`;
  const tmux = (...a) => execFileSync('tmux', ['-L', socket, ...a], { encoding: 'utf8' });
  const stateHome = mkdtempSync(join(tmpdir(), 'kayak-bench-state-'));
  const rtmpPort = await freePort();
  const httpPort = await freePort();
  const command = [
    'exec', 'env', '-u', 'CI', '-u', 'CONTINUOUS_INTEGRATION', `XDG_STATE_HOME=${stateHome}`, process.execPath, join(repoDir, 'bin/kayak-cast.js'), 'serve',
    '--host', '127.0.0.1', '--rtmp-port', String(rtmpPort), '--http-port', String(httpPort), ...(dashboard ? [] : ['--no-dashboard']),
  ].join(' ');
  tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'bench', '-x', '100', '-y', '30', command, ';', 'set-option', '-t', 'bench', 'remain-on-exit', 'on');
  const pid = Number(tmux('display-message', '-p', '-t', 'bench', '#{pane_pid}').trim());
  const viewers = [];
  let publisher;
  try {
    await waitUntil(async () => (await fetch(`http://127.0.0.1:${httpPort}/api/status`).then((r) => r.ok).catch(() => false)), 15_000, 'the server');
    publisher = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', clip, '-c', 'copy', '-f', 'flv', `rtmp://127.0.0.1:${rtmpPort}/live/bench`], { stdio: ['ignore', 'ignore', 'inherit'] });
    await waitUntil(async () => {
      const status = await fetch(`http://127.0.0.1:${httpPort}/api/status`).then((r) => r.json()).catch(() => undefined);
      return status?.streams?.some((s) => s.key === 'bench' && s.video);
    }, 20_000, 'the stream');
    for (let i = 0; i < cfg.viewers; i++) {
      const viewer = new FlvViewer(`http://127.0.0.1:${httpPort}/live/bench.flv`);
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
    const screen = tmux('capture-pane', '-p', '-t', 'bench');
    return { label, cpuS, elapsedS, percent: (cpuS / elapsedS) * 100, playing, mbps: (bytes * 8) / elapsedS / 1e6, rssKb: readMemoryKb(pid).vmRss, screen };
  } finally {
    for (const viewer of viewers) viewer.stop();
    publisher?.kill('SIGKILL');
    try {
      tmux('send-keys', '-t', 'bench', dashboard ? 'q' : 'C-c');
      await waitUntil(() => tmux('display-message', '-p', '-t', 'bench', '#{pane_dead}').trim() === '1', 10_000, 'the server to exit');
    } catch (error) {
      console.error(`${label}: ${error.message}; killing pid ${pid}`);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    try {
      tmux('kill-server');
    } catch {}
    rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid()}`, socket), { force: true });
    rmSync(stateHome, { recursive: true, force: true });
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
