// One server under test for one measurement: started on free loopback ports, its memory sampled from start to stop,
// its CPU read on request, an ffmpeg publisher if wanted, and everything stopped by pid at the end (also on errors).

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { freePort, waitForPort } from './children.mjs';
import { summarizeProfile } from './cpuprofile-summary.mjs';
import { RssSampler, readCpuTicks } from './proc-stats.mjs';
import { streamEndpoints, timeToKeyframe } from './viewers.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const LOG_PROBLEMS = /error|warn|drop|slow|disconnect|timeout|exception|fail/i;

export class ServerRun {
  /** @param {any} ctx the benchmark context (bench.mjs)  @param {string} key kayak | nms | nginx  @param {string} name for files */
  static async start(ctx, key, name) {
    const run = new ServerRun(ctx, key, name);
    try {
      await run.boot();
    } catch (err) {
      await run.stop().catch(() => {});
      throw err;
    }
    return run;
  }

  constructor(ctx, key, name) {
    this.ctx = ctx;
    this.key = key;
    this.def = ctx.servers[key];
    this.name = `${ctx.stamp}-${name}`;
    this.logPath = join(ctx.outDir, `${this.name}-server.log`);
    this.publishers = [];
  }

  async boot() {
    this.rtmpPort = await freePort();
    this.httpPort = await freePort();
    this.child = this.def.start({ rtmpPort: this.rtmpPort, httpPort: this.httpPort, logPath: this.logPath, name: this.name });
    this.pid = this.child.pid;
    this.rss = new RssSampler(this.pid, 500);
    this.rss.start();
    const alive = () => !this.child.exitInfo;
    await waitForPort(this.rtmpPort, 15_000, alive);
    if (this.def.protocols.includes('flv')) await waitForPort(this.httpPort, 15_000, alive);
    await sleep(500);
    this.rss.sample();
    this.idleRssMB = this.rss.samples.at(-1)[1] / 1024;
  }

  endpoints(key = 'bench') {
    return streamEndpoints({ rtmpPort: this.rtmpPort, httpPort: this.httpPort, key });
  }

  /** `ffmpeg -re -stream_loop -1 -i clip -c copy -f flv rtmp://...`: the real publisher, as a user runs it. */
  publishFfmpeg(clipPath, key = 'bench') {
    const p = this.ctx.children.spawn('ffmpeg', [
      '-hide_banner', '-nostdin', '-loglevel', 'warning', '-re', '-stream_loop', '-1', '-i', clipPath,
      '-c', 'copy', '-f', 'flv', `rtmp://127.0.0.1:${this.rtmpPort}/live/${key}`,
    ], { logPath: join(this.ctx.outDir, `${this.name}-ffmpeg.log`) });
    this.publishers.push(p);
    return p;
  }

  /** Waits until a lone viewer of `protocol` gets a keyframe; resolves with its join time in ms. */
  async waitLive(protocol, key = 'bench') {
    const deadline = Date.now() + 30_000;
    let lastErr;
    while (Date.now() < deadline) {
      if (this.child.exitInfo) throw new Error(`server exited (${JSON.stringify(this.child.exitInfo)}) before the stream went live`);
      if (this.publishers.some((p) => p.exitInfo)) throw new Error('the ffmpeg publisher exited before the stream went live');
      try {
        return (await timeToKeyframe({ protocol, endpoints: this.endpoints(key) }, 4000)).keyframeMs;
      } catch (err) {
        lastErr = err;
        await sleep(300);
      }
    }
    throw new Error(`stream ${key} never went live over ${protocol}: ${lastErr?.message}`);
  }

  /** Whether the server answers 200 to the HLS playlist of `key` (it may wait for its first segment). */
  async hlsAvailable(key = 'bench') {
    if (!this.def.protocols.includes('hls')) return { ok: false, note: `${this.def.label} serves no HLS` };
    const url = this.endpoints(key).hls;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const status = await fetch(url, { signal: AbortSignal.timeout(15_000) }).then((r) => r.status, (err) => `error ${err.message}`);
      if (status === 200) return { ok: true };
      if (status !== 503) return { ok: false, note: `HLS skipped: GET ${new URL(url).pathname} answered ${status}` };
      await sleep(1000);
    }
    return { ok: false, note: 'HLS skipped: the playlist was still not ready after 20 s' };
  }

  /** The server's CPU seconds so far (utime, stime from /proc/<pid>/stat). */
  cpu() {
    const t = readCpuTicks(this.pid);
    return { userS: t.utime / this.ctx.ticksPerS, sysS: t.stime / this.ctx.ticksPerS };
  }

  get peakRssMB() {
    const { hwmKb, maxKb } = this.peakUntil ?? { hwmKb: this.rss.lastHwmKb, maxKb: this.rss.maxKb };
    return Math.max(hwmKb, maxKb) / 1024;
  }

  /**
   * Ends the span of the peak memory reported (what the load under test took): later work on the same server (the
   * fan-out's later burst, its viewers leaving and joining again) is sampled into the series but not the peak.
   */
  endPeak() {
    this.rss.sample();
    this.peakUntil = { hwmKb: this.rss.lastHwmKb, maxKb: this.rss.maxKb };
  }

  assertAlive() {
    if (this.child.exitInfo) throw new Error(`server exited: ${JSON.stringify(this.child.exitInfo)}`);
  }

  /** Stops the publishers and the server; returns what is left to report (memory, exit, log lines, profile). */
  async stop() {
    this.rss?.stop();
    const warnings = grepLines(this.logPath, LOG_PROBLEMS, 20); // before teardown, whose resets every server logs
    for (const p of this.publishers) await this.ctx.children.stop(p, 3000);
    const exit = this.child ? await this.ctx.children.stop(this.child, 8000) : null;
    await sleep(100);
    return {
      memory: this.rss && {
        vmHwmMB: (this.peakUntil?.hwmKb ?? this.rss.lastHwmKb) / 1024,
        sampledMaxRssMB: (this.peakUntil?.maxKb ?? this.rss.maxKb) / 1024,
        peakMB: this.peakRssMB,
        // With endPeak: the whole life's peak, the later work included.
        ...(this.peakUntil ? { lifePeakMB: Math.max(this.rss.lastHwmKb, this.rss.maxKb) / 1024 } : {}),
        idleMB: this.idleRssMB,
        // [ms since start, MB] every 500 ms: when the peak came (the join burst or the steady window)
        seriesMB: this.rss.samples.map(([ms, kb]) => [ms, Math.round(kb / 102.4) / 10]),
      },
      exit,
      logPath: relative(this.ctx.repoDir, this.logPath),
      logWarnings: warnings,
      profile: this.profile(),
    };
  }

  /** With --cpu-prof: the profile kayak-cast wrote on exit, summarised. */
  profile() {
    const dir = this.child?.cpuProfDir;
    if (!dir || !existsSync(dir)) return null;
    const file = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort().at(-1);
    if (!file) return { error: `no .cpuprofile in ${dir} (did the server exit cleanly?)` };
    const path = join(dir, file);
    return { path: relative(this.ctx.repoDir, path), ...summarizeProfile(JSON.parse(readFileSync(path, 'utf8')), 12) };
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

/**
 * One row per server of `keys`: a server that is not installed gets `{ skipped }`, the others whatever `measure(key)`
 * returns; stops early after Ctrl-C.
 */
export async function rowsPerServer(ctx, keys, measure) {
  const rows = [];
  for (const key of keys) {
    const def = ctx.servers[key];
    const missing = def.missing();
    if (missing) {
      console.error(`\n== ${def.label}: skipped: ${missing}`);
      rows.push({ server: def.label, skipped: missing });
    } else {
      rows.push(await measure(key));
    }
    if (ctx.interrupted) break;
  }
  return rows;
}

/**
 * Runs `body(run, own)` against a fresh server; whatever body puts in `own.fleets` and `own.procs` (load fleets, child
 * processes) is stopped afterwards, then the server, whose figures (memory, exit, profile) join `row`. An error ends
 * the measurement and lands in `row.error`.
 */
export async function onFreshServer(ctx, key, name, row, body) {
  const own = { fleets: [], procs: [] };
  let run;
  try {
    run = await ServerRun.start(ctx, key, name);
    await body(run, own);
  } catch (err) {
    row.error = String(err?.message ?? err);
    console.error(`   ERROR: ${row.error}`);
  } finally {
    for (const fleet of own.fleets) await fleet.stop();
    for (const p of own.procs) await ctx.children.stop(p, 2000);
    if (run) Object.assign(row, await run.stop());
  }
  return row;
}
