// `npm run bench`: the fan-out benchmark of issue 13 and its companions, in one run; see bench/README.md.
//
//   npm run bench                                   # every suite at full size (about 25 minutes)
//   node bench/bench.mjs --quick --no-record        # every suite, small (after npm run build)
//   node bench/bench.mjs --suite fanout --servers kayak,nginx --protocols rtmp
//   node bench/bench.mjs --suite thousand --cpu-prof
//
// Suites: fanout, thousand, streams, latency, dashboard (comma-separated, or all). Flags and defaults: see FLAGS.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Children } from './children.mjs';
import { ensureClip } from './clip.mjs';
import { clockTicksPerSecond } from './proc-stats.mjs';
import { appendResults, runLines } from './report.mjs';
import { serverDefs } from './servers.mjs';
import { runDashboard } from './suite-dashboard.mjs';
import { runFanout } from './suite-fanout.mjs';
import { runLatency } from './suite-latency.mjs';
import { runStreams } from './suite-streams.mjs';
import { runThousand } from './suite-thousand.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoDir = dirname(benchDir);
const outDir = join(benchDir, 'out');
const SUITES = { fanout: runFanout, thousand: runThousand, streams: runStreams, latency: runLatency, dashboard: runDashboard };

// name: [full default, --quick default, meaning]
const FLAGS = {
  suite: ['all', 'all', 'suites to run: fanout,thousand,streams,latency,dashboard or all'],
  servers: ['', '', 'servers (kayak,nms,nginx); default: all three for fanout, kayak for the other suites'],
  protocols: ['rtmp,flv,ws', 'rtmp,flv,ws', 'fanout: protocols to measure, each server those it serves'],
  viewers: ['300', '40', 'fanout: viewers per run'],
  'fanout-rounds': ['3', '1', 'fanout: rounds of every server and protocol, alternating; the table gives each figure\'s median'],
  seconds: ['30', '10', 'steady window of fanout, thousand, streams; measuring time of latency'],
  ramp: ['0', '0', 'fanout: seconds over which viewers join (0: all at the same moment, the burst join figure)'],
  joins: ['10', '3', 'fanout: sequential joins of one more viewer'],
  'load-procs': ['2', '2', 'load-generator processes for fanout, streams, latency'],
  thousand: ['1000', '100', 'thousand: viewers'],
  'thousand-procs': ['4', '2', 'thousand: load-generator processes'],
  'mixed-ramp': ['10', '3', 'thousand, streams: seconds over which viewers join'],
  streams: ['20', '4', 'streams: streams'],
  'stream-viewers': ['20', '5', 'streams: viewers per stream'],
  'latency-viewers': ['', '', 'latency: background viewers (default: --viewers)'],
  'dashboard-seconds': ['180', '20', 'dashboard: seconds per mode'],
  'dashboard-viewers': ['10', '10', 'dashboard: HTTP-FLV viewers'],
  'clip-seconds': ['40', '40', 'length of the generated clip'],
  'server-node-options': ['', '', 'node flags for the servers instead of the shebang\'s (e.g. "--max-semi-space-size=2")'],
};

const { values: flags } = parseArgs({
  options: {
    ...Object.fromEntries(Object.keys(FLAGS).map((k) => [k, { type: 'string' }])),
    quick: { type: 'boolean', default: false },
    'no-record': { type: 'boolean', default: false },
    'no-dashboard-compare': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  console.log('node bench/bench.mjs [--quick] [--no-record] [--cpu-prof] [--no-dashboard-compare]');
  for (const [k, [full, quick, what]] of Object.entries(FLAGS)) console.log(`  --${k.padEnd(20)} ${what} (${full || '-'}${quick !== full ? `; quick ${quick || '-'}` : ''})`);
  process.exit(0);
}
const get = (k) => flags[k] ?? FLAGS[k][flags.quick ? 1 : 0];
const list = (s) => s.split(',').map((x) => x.trim()).filter(Boolean);
const num = (k) => Number(get(k));
const suites = get('suite') === 'all' ? Object.keys(SUITES) : list(get('suite'));
const cfg = {
  suites,
  servers: get('servers') ? list(get('servers')) : ['kayak', 'nms', 'nginx'],
  otherServers: get('servers') ? list(get('servers')) : ['kayak'],
  protocols: list(get('protocols')),
  viewers: num('viewers'),
  fanoutRounds: Math.max(1, num('fanout-rounds')),
  seconds: num('seconds'),
  ramp: num('ramp'),
  joins: num('joins'),
  loadProcs: num('load-procs'),
  thousand: num('thousand'),
  thousandProcs: num('thousand-procs'),
  mixedRamp: num('mixed-ramp'),
  streams: num('streams'),
  streamViewers: num('stream-viewers'),
  latencyViewers: get('latency-viewers') ? num('latency-viewers') : num('viewers'),
  dashboardSeconds: num('dashboard-seconds'),
  dashboardViewers: num('dashboard-viewers'),
  dashboardCompare: !flags['no-dashboard-compare'],
  clipS: num('clip-seconds'),
  record: !flags['no-record'],
  cpuProf: flags['cpu-prof'],
  quick: flags.quick,
  serverNodeOptions: get('server-node-options').split(' ').filter(Boolean),
};
for (const s of suites) if (!SUITES[s]) throw new Error(`unknown suite ${s} (known: ${Object.keys(SUITES).join(', ')})`);

const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
const children = new Children();
const ctx = { cfg, children, stamp, outDir, benchDir, repoDir, interrupted: false };
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    ctx.interrupted = true;
    console.error(`\n${sig}: stopping every child process`);
    children.killAllNow();
    process.exit(130);
  });
}
process.on('exit', () => children.killAllNow());

function machine(clip) {
  const ffmpegVersion = execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0].split(' ')[2];
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    kernel: release(),
    node: process.version,
    ffmpeg: ffmpegVersion,
    loadavg: loadavg().map((n) => n.toFixed(2)).join(' '),
    clip: {
      file: relative(repoDir, clip.path),
      video: clip.video,
      audio: clip.audio,
      mbps: (clip.bytesPerSecond * 8) / 1e6,
      durationS: clip.durationS,
      gopSeconds: clip.gopSeconds,
    },
  };
}

async function main() {
  mkdirSync(outDir, { recursive: true });
  ctx.clip = ensureClip(outDir, cfg.clipS);
  ctx.ticksPerS = clockTicksPerSecond();
  ctx.machine = machine(ctx.clip);
  ctx.cpuProfDir = cfg.cpuProf ? join(outDir, 'prof') : null;
  ctx.servers = serverDefs({ repoDir, benchDir, outDir, children, serverNodeOptions: cfg.serverNodeOptions, cpuProfDir: ctx.cpuProfDir });
  console.log(`clip: ${ctx.machine.clip.video}, ${ctx.machine.clip.audio}, ${ctx.machine.clip.mbps.toFixed(2)} Mb/s; load average ${ctx.machine.loadavg}`);
  console.log(`suites: ${suites.join(', ')}${cfg.quick ? ' (quick)' : ''}`);

  const results = [];
  for (const s of suites) {
    results.push(await SUITES[s](ctx));
    if (ctx.interrupted) return;
  }
  const run = { date: new Date().toISOString(), argv: process.argv.slice(2), config: cfg, machine: ctx.machine, suites: results, loadavgEnd: loadavg().map((n) => n.toFixed(2)).join(' ') };
  const jsonPath = join(outDir, `${stamp}-results.json`);
  writeFileSync(jsonPath, `${JSON.stringify(run, null, 2)}\n`);
  const lines = runLines(run, relative(repoDir, jsonPath));
  console.log(`\n${lines.join('\n')}`);
  if (cfg.record) {
    appendResults(join(benchDir, 'RESULTS.md'), lines);
    console.log('appended to bench/RESULTS.md');
  }
}

main().catch((err) => {
  console.error(err?.stack ?? err);
  children.killAllNow();
  process.exit(1);
});
