// `npm run bench`: one ffmpeg publisher and N viewers (half HTTP-FLV, half RTMP) against
// kayak-cast and node-media-server in the same run; see bench/README.md.
//
// flags: --viewers N (300)  --seconds S steady window (45)  --ramp S (10)  --joins N (10)
//        --servers kayak,nms  --clip-seconds S (40)  --no-record (do not append to RESULTS.md)
//        --server-node-options="..." (extra node flags for both servers, e.g. --max-semi-space-size=2)

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, release } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Children, freePort, nextMessage, waitForPort } from './children.mjs';
import { ensureClip } from './clip.mjs';
import { timeFirstKeyframe } from './flv-viewer.mjs';
import { RssSampler, clockTicksPerSecond, readCpuTicks } from './proc-stats.mjs';
import { appendResults, printTable } from './report.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoDir = dirname(benchDir);
const outDir = join(benchDir, 'out');
const require = createRequire(import.meta.url);

const { values: flags } = parseArgs({
  options: {
    viewers: { type: 'string', default: '300' },
    seconds: { type: 'string', default: '45' },
    ramp: { type: 'string', default: '10' },
    joins: { type: 'string', default: '10' },
    servers: { type: 'string', default: 'kayak,nms' },
    'clip-seconds': { type: 'string', default: '40' },
    'no-record': { type: 'boolean', default: false },
    'server-node-options': { type: 'string', default: '' },
  },
});
const cfg = {
  viewers: Number(flags.viewers),
  windowS: Number(flags.seconds),
  rampS: Number(flags.ramp),
  joins: Number(flags.joins),
  servers: flags.servers.split(',').map((s) => s.trim()).filter(Boolean),
  clipS: Number(flags['clip-seconds']),
  record: !flags['no-record'],
  serverNodeOptions: flags['server-node-options'].split(' ').filter(Boolean),
};
const GB = 1e9;
const STREAM_KEY = 'bench';
const APP = 'live';

const children = new Children();
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    interrupted = true;
    console.error(`\n${sig}: stopping every child process`);
    children.killAllNow();
    process.exit(130);
  });
}
process.on('exit', () => children.killAllNow());

const SERVERS = {
  kayak: {
    label: 'kayak-cast',
    version: () => JSON.parse(readFileSync(join(repoDir, 'package.json'), 'utf8')).version,
    available: () => {
      if (!existsSync(join(repoDir, 'dist/cli/main.js'))) return 'dist/cli/main.js missing (build failed?)';
      try {
        execFileSync(process.execPath, ['bin/kayak-cast.js', 'serve', '--help'], { cwd: repoDir, stdio: 'pipe', timeout: 15000 });
        return null;
      } catch (err) {
        return `\`kayak-cast serve --help\` failed: ${String(err.stderr ?? err.message).trim().split('\n')[0]}`;
      }
    },
    // its own view, for diagnosis only (heap vs RSS, dropped frames); the numbers reported come from /proc
    selfReport: async (httpPort) => {
      const res = await fetch(`http://127.0.0.1:${httpPort}/api/status`, { signal: AbortSignal.timeout(3000) });
      const s = await res.json();
      return {
        memoryMB: Object.fromEntries(Object.entries(s.server?.memory ?? {}).map(([k, v]) => [k, v / 2 ** 20])),
        cpuPercent: s.server?.cpuPercent,
        streams: (s.streams ?? []).map((st) => ({ path: st.path, viewers: st.viewers, bitrateIn: st.bitrateIn, bitrateOut: st.bitrateOut })),
        droppedFrames: (s.viewers ?? []).reduce((n, v) => n + (v.droppedFrames ?? 0), 0),
      };
    },
    // Started the way `npx kayak-cast` starts it: the bin's shebang (and the runtime flags it carries) applies.
    // With --server-node-options the flags given replace the shebang's.
    start: (rtmpPort, httpPort, logPath) => {
      const args = ['serve', '--host', '127.0.0.1', '--rtmp-port', String(rtmpPort), '--http-port', String(httpPort), '--no-dashboard'];
      return cfg.serverNodeOptions.length === 0
        ? children.spawn(join(repoDir, 'bin/kayak-cast.js'), args, { cwd: repoDir, logPath })
        : children.spawn(process.execPath, [...cfg.serverNodeOptions, 'bin/kayak-cast.js', ...args], { cwd: repoDir, logPath });
    },
  },
  nms: {
    label: 'node-media-server',
    version: () => require('node-media-server/package.json').version,
    available: () => {
      try {
        require.resolve('node-media-server');
        return null;
      } catch {
        return 'node-media-server is not installed (npm install)';
      }
    },
    start: (rtmpPort, httpPort, logPath) => {
      const dataDir = join(outDir, 'nms-data');
      rmSync(dataDir, { recursive: true, force: true });
      mkdirSync(dataDir, { recursive: true });
      return children.spawn(process.execPath, [...cfg.serverNodeOptions, join(benchDir, 'nms-server.mjs'), String(rtmpPort), String(httpPort), dataDir],
        { cwd: repoDir, logPath, ipc: true });
    },
  },
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
const median = (xs) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function waitUntilLive(flvUrl, server) {
  const deadline = Date.now() + 30_000;
  let lastErr;
  while (Date.now() < deadline) {
    if (server.exitInfo) throw new Error(`server exited (${JSON.stringify(server.exitInfo)}) before the stream went live`);
    try {
      return await timeFirstKeyframe(flvUrl, 4000);
    } catch (err) {
      lastErr = err;
      await sleep(300);
    }
  }
  throw new Error(`stream never went live at ${flvUrl}: ${lastErr?.message}`);
}

async function runOne(key, clip, ticksPerS) {
  const def = SERVERS[key];
  const rtmpPort = await freePort();
  const httpPort = await freePort();
  const logPath = join(outDir, `${stamp}-${key}-server.log`);
  const pubLogPath = join(outDir, `${stamp}-${key}-ffmpeg.log`);
  const flvUrl = `http://127.0.0.1:${httpPort}/${APP}/${STREAM_KEY}.flv`;
  const rtmp = { host: '127.0.0.1', port: rtmpPort, app: APP, key: STREAM_KEY };
  const result = { server: def.label, version: def.version(), rtmpPort, httpPort, flvUrl, logPath: relative(repoDir, logPath), notes: [] };
  console.log(`\n== ${def.label} ${result.version}: rtmp ${rtmpPort}, http ${httpPort}`);

  const server = def.start(rtmpPort, httpPort, logPath);
  const rss = new RssSampler(server.pid, 500);
  rss.start();
  let publisher;
  let load;
  let probe;
  try {
    await waitForPort(rtmpPort, 15_000, () => !server.exitInfo);
    await waitForPort(httpPort, 15_000, () => !server.exitInfo);
    await sleep(500);
    rss.sample();
    result.idleRssMB = rss.samples.at(-1)?.[1] / 1024;

    publisher = children.spawn('ffmpeg', [
      '-hide_banner', '-nostdin', '-loglevel', 'warning', '-re', '-stream_loop', '-1', '-i', clip.path,
      '-c', 'copy', '-f', 'flv', `rtmp://127.0.0.1:${rtmpPort}/${APP}/${STREAM_KEY}`,
    ], { logPath: pubLogPath });
    const live = await waitUntilLive(flvUrl, server);
    console.log(`   live: first keyframe for a lone viewer after ${live.keyframeMs.toFixed(1)} ms`);

    load = children.fork(join(benchDir, 'load-generator.mjs'));
    load.send({ cmd: 'start', viewers: cfg.viewers, rampMs: cfg.rampS * 1000, flvUrl, rtmp });
    const ramped = await nextMessage(load, 'ramped', (cfg.rampS + 30) * 1000);
    result.ramp = ramped;
    console.log(`   ramped in ${ramped.rampSeconds.toFixed(1)} s: ${ramped.playing} playing (flv ${ramped.playingFlv}, rtmp ${ramped.playingRtmp}), ${ramped.closed} closed, ${ramped.notPlaying} pending`);
    await sleep(2000);

    // steady window
    load.send({ cmd: 'snapshot' });
    const a = await nextMessage(load, 'snapshot', 10_000);
    const cpuA = readCpuTicks(server.pid);
    const tA = Date.now();
    const rssBefore = rss.maxKb;
    console.log(`   measuring ${cfg.windowS} s...`);
    await sleep(cfg.windowS * 1000);
    load.send({ cmd: 'snapshot' });
    const b = await nextMessage(load, 'snapshot', 10_000);
    const cpuB = readCpuTicks(server.pid);
    const windowS = (Date.now() - tA) / 1000;
    result.window = summarizeWindow(a, b, cpuA, cpuB, windowS, ticksPerS, clip);
    result.window.rssMaxBeforeWindowMB = rssBefore / 1024;
    if (def.selfReport) result.selfReport = await def.selfReport(httpPort).catch((err) => ({ error: String(err.message) }));
    if (server.exitInfo) throw new Error(`server exited during the window: ${JSON.stringify(server.exitInfo)}`);

    // joins with the viewers still connected
    probe = children.fork(join(benchDir, 'join-probe.mjs'));
    probe.send({ cmd: 'joins', url: flvUrl, count: cfg.joins, gapMs: 300, timeoutMs: 10_000 });
    const joins = await nextMessage(probe, 'joins', cfg.joins * 12_000 + 5000);
    const ms = joins.results.map((r) => r.keyframeMs);
    result.joins = {
      count: cfg.joins,
      ok: ms.length,
      errors: joins.errors,
      medianMs: median(ms),
      maxMs: ms.length ? Math.max(...ms) : null,
      minMs: ms.length ? Math.min(...ms) : null,
      firstByteMedianMs: median(joins.results.map((r) => r.firstByteMs)),
      all: joins.results,
    };
    console.log(`   joins: median ${fmt(result.joins.medianMs)} ms, max ${fmt(result.joins.maxMs)} ms (${ms.length}/${cfg.joins} ok)`);

    load.send({ cmd: 'snapshot' });
    const c = await nextMessage(load, 'snapshot', 10_000);
    result.afterJoins = { playing: c.playing, closed: c.closed, closeReasons: c.closeReasons };
    result.publisherAlive = !publisher.exitInfo;
  } catch (err) {
    result.error = String(err?.message ?? err);
    console.error(`   ERROR: ${result.error}`);
  } finally {
    rss.stop();
    // before teardown, whose resets every server logs
    result.serverLogWarnings = grepLines(logPath, /error|warn|drop|slow|disconnect|timeout|exception|fail/i, 30);
    result.memory = {
      vmHwmMB: rss.lastHwmKb / 1024,
      sampledMaxRssMB: rss.maxKb / 1024,
      samples: rss.samples,
    };
    if (load) {
      load.send({ cmd: 'stop' });
      await nextMessage(load, 'stopped', 5000).catch(() => {});
      await children.stop(load, 2000);
    }
    if (probe) await children.stop(probe, 1000);
    if (publisher) await children.stop(publisher, 3000);
    result.serverExit = await children.stop(server, 8000);
    await sleep(100);
    result.serverLogTail = tail(logPath, 15);
    result.publisherLogTail = tail(pubLogPath, 10);
  }
  return result;
}

function summarizeWindow(a, b, cpuA, cpuB, windowS, ticksPerS, clip) {
  let bytes = 0;
  let bytesFlv = 0;
  let bytesRtmp = 0;
  const rates = { flv: [], rtmp: [] };
  let receiving = 0;
  const playingAtStart = a.perViewer.filter((v) => v.state === 'playing').length;
  b.perViewer.forEach((v, i) => {
    const d = v.bytes - (a.perViewer[i]?.bytes ?? 0);
    bytes += d;
    if (v.protocol === 'flv') bytesFlv += d;
    else bytesRtmp += d;
    if (d > 0) receiving++;
    if (a.perViewer[i]?.state === 'playing') rates[v.protocol].push(d / windowS);
  });
  const userS = (cpuB.utime - cpuA.utime) / ticksPerS;
  const sysS = (cpuB.stime - cpuA.stime) / ticksPerS;
  const expected = clip.bytesPerSecond * windowS * playingAtStart;
  return {
    seconds: windowS,
    viewersPlayingStart: playingAtStart,
    viewersPlayingEnd: b.playing,
    viewersPlayingEndFlv: b.playingFlv,
    viewersPlayingEndRtmp: b.playingRtmp,
    viewersReceiving: receiving,
    closedDuringRun: b.closed,
    closeReasons: b.closeReasons,
    bytes,
    bytesFlv,
    bytesRtmp,
    expectedBytes: expected,
    deliveredPct: expected ? (100 * bytes) / expected : null,
    medianViewerMbps: { flv: (median(rates.flv) ?? 0) * 8 / 1e6, rtmp: (median(rates.rtmp) ?? 0) * 8 / 1e6 },
    minViewerMbps: {
      flv: rates.flv.length ? (Math.min(...rates.flv) * 8) / 1e6 : null,
      rtmp: rates.rtmp.length ? (Math.min(...rates.rtmp) * 8) / 1e6 : null,
    },
    cpuUserS: userS,
    cpuSysS: sysS,
    serverCpuPctOfOneCore: (100 * (userS + sysS)) / windowS,
    cpuUserSPerGB: bytes ? userS / (bytes / GB) : null,
    cpuSysSPerGB: bytes ? sysS / (bytes / GB) : null,
    cpuTotalSPerGB: bytes ? (userS + sysS) / (bytes / GB) : null,
    loadGenCpuPctOfOneCore: (100 * (b.loadCpuUserS + b.loadCpuSystemS - a.loadCpuUserS - a.loadCpuSystemS)) / windowS,
  };
}

function tail(path, n) {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-n);
  } catch {
    return [];
  }
}

function grepLines(path, re, max) {
  try {
    const lines = readFileSync(path, 'utf8').split('\n').filter((l) => re.test(l));
    return { count: lines.length, first: lines.slice(0, max) };
  } catch {
    return { count: 0, first: [] };
  }
}

function fmt(x, digits = 1) {
  return x == null || Number.isNaN(x) ? '-' : x.toFixed(digits);
}

function machine(clip) {
  const ffmpegVersion = execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0].split(' ')[2];
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    kernel: release(),
    node: process.version,
    ffmpeg: ffmpegVersion,
    clip: {
      file: relative(repoDir, clip.path),
      video: clip.video,
      audio: clip.audio,
      mbps: (clip.bytesPerSecond * 8) / 1e6,
      ffprobeMbps: clip.ffprobeBitRate / 1e6,
      durationS: clip.durationS,
      gopSeconds: clip.gopSeconds,
    },
  };
}

async function main() {
  mkdirSync(outDir, { recursive: true });
  const clip = ensureClip(outDir, cfg.clipS);
  const ticksPerS = clockTicksPerSecond();
  const env = machine(clip);
  console.log(`clip: ${env.clip.video}, ${env.clip.audio}, ${env.clip.mbps.toFixed(2)} Mb/s (ffprobe ${env.clip.ffprobeMbps.toFixed(2)}), GOP ${fmt(env.clip.gopSeconds, 2)} s`);
  console.log(`load: ${cfg.viewers} viewers (half HTTP-FLV, half RTMP), ramp ${cfg.rampS} s, window ${cfg.windowS} s, ${cfg.joins} joins`);

  const results = [];
  for (const key of cfg.servers) {
    const def = SERVERS[key];
    if (!def) throw new Error(`unknown server ${key} (known: ${Object.keys(SERVERS).join(', ')})`);
    const missing = def.available();
    if (missing) {
      console.error(`\n== ${def.label}: skipped: ${missing}`);
      results.push({ server: def.label, skipped: missing });
      continue;
    }
    results.push(await runOne(key, clip, ticksPerS));
    if (interrupted) return;
  }

  const run = { date: new Date().toISOString(), config: cfg, machine: env, results };
  const jsonPath = join(outDir, `${stamp}-results.json`);
  writeFileSync(jsonPath, `${JSON.stringify(run, null, 2)}\n`);
  printTable(run);
  console.log(`\nraw results: ${relative(repoDir, jsonPath)}`);
  if (cfg.record) {
    appendResults(join(benchDir, 'RESULTS.md'), run, relative(repoDir, jsonPath));
    console.log('appended to bench/RESULTS.md');
  }
}

main().catch((err) => {
  console.error(err?.stack ?? err);
  children.killAllNow();
  process.exit(1);
});
