import { httpJson } from '../helpers/players.js';
import { RssSampler, TcpTable, mb } from '../helpers/proc.js';
import type { SteadyStream } from '../helpers/steady-stream.js';
import type { StatusSnapshot } from '../../src/status/status-snapshot.js';
import { type AttackResult, type Ending, type Outcome, startAttack } from './attack.js';
import { type CaseTarget, type CaseWeights, type FuzzCase, type Recordings, makeCase } from './fuzz-cases.js';

/**
 * The live-server fuzz run: cases sent at a running `kayak-cast serve` (a child process), a few at a time, while a real
 * publisher and a real viewer carry on. It reports every broken promise as a failure line naming the seed and case.
 */

export interface FuzzConfig {
  seed: number;
  /** How long new cases are started. */
  durationMs: number;
  /** Cases in flight at once. */
  concurrency: number;
  /** Only these case numbers (reproducing a failure), else 0, 1, 2, ... until the time is up. */
  only?: readonly number[];
  weights: CaseWeights;
  /** How long the server has to close a connection after the client's FIN, and after the client falls silent. */
  deadlineMs: Record<Exclude<Ending, 'rst'>, number>;
  /** After the last case, connections not yet past their deadline are judged for at most this long (then 'unjudged'). */
  judgeWithinMs: number;
  /** The healthy viewer's largest allowed gap between two tags arriving, in ms. */
  healthyGapMs: number;
  /** After the last case: wait this long, then compare RSS with the baseline. */
  settleMs: number;
  /** RSS after settling may exceed the baseline by at most this many bytes. */
  rssGrowthBytes: number;
  /** Peak RSS over the run may not exceed this. */
  peakRssBytes: number;
  /** No log line (JSON, as written) may be longer than this. */
  maxLogLineBytes: number;
}

export interface FuzzEnvironment {
  /** The server under test with its healthy publisher and viewer. */
  steady: SteadyStream;
  target: CaseTarget;
  recordings: Recordings;
  log?: (line: string) => void;
}

export interface FuzzReport {
  seed: number;
  cases: number;
  bytesSent: number;
  outcomes: Record<Outcome, number>;
  byKind: Record<string, number>;
  /** The slowest server close after the client's FIN or silence, in ms, and the case. */
  slowestCloseMs: number;
  slowestCloseCase: string;
  rss: { baseline: number; peak: number; after: number };
  /** The server's own view of its heap (/api/status), before the first case and after settling. */
  heap: { baseline: string; after: string };
  largestGapMs: number;
  logLines: number;
  longestLogLine: number;
  logBytesPerCase: number;
  failures: string[];
}

const STATUS_CACHE_MS = 300;
/** A run stops starting cases after this many failures: the first ones say what is wrong. */
const MAX_FAILURES = 20;
/** Connections sent and not yet closed or judged, at most. */
const MAX_WATCHED = 200;
/** A stall of the healthy viewer names the cases started this long before it, at most MAX_SUSPECTS of them. */
const SUSPECT_WINDOW_MS = 3_000;
const MAX_SUSPECTS = 15;

export async function runFuzz(env: FuzzEnvironment, config: FuzzConfig): Promise<FuzzReport> {
  const { server } = env.steady;
  const say = env.log ?? ((line: string) => console.info(line));
  const failures: string[] = [];
  const fail = (line: string) => {
    failures.push(line);
    say(`[fuzz] FAIL ${line}`);
  };
  const reproduce = (n: number) => `(reproduce: KAYAK_FUZZ_SEED=${config.seed} KAYAK_FUZZ_ONLY=${n} npm run fuzz)`;
  const sampler = new RssSampler(server.pid).start();
  // The baseline: publisher, viewer and recordings going, before the first case.
  await sleep(3_000);
  const baseline = sampler.medianOfLast(2_500);
  const heapBaseline = await heapOf(server.httpUrl('/api/status'));
  const logLinesBefore = server.log.length;
  const outputBefore = server.outputBytes();
  say(`[fuzz] seed ${config.seed}: ${config.only ? `cases ${config.only.join(',')}` : `${Math.round(config.durationMs / 1000)} s`}, ${config.concurrency} at a time; server RSS ${mb(baseline)}`);

  let status: { at: number; snapshot: Promise<StatusSnapshot> } | undefined;
  const isSession = async (localPort: number): Promise<boolean> => {
    if (status === undefined || Date.now() - status.at > STATUS_CACHE_MS) {
      status = { at: Date.now(), snapshot: httpJson<StatusSnapshot>(server.httpUrl('/api/status')) };
    }
    const s = await status.snapshot;
    const address = `127.0.0.1:${localPort}`;
    return s.viewers.some((v) => v.remoteAddress === address) || s.streams.some((x) => x.publisher?.address === address);
  };
  let judgeBy = Number.POSITIVE_INFINITY;
  const tcp = new TcpTable();
  const attackOptions = {
    // A client that does not read may make a polite server wait for its own deadline before it can finish the close.
    deadlineMs: (ending: Ending, reads: boolean) => (ending === 'rst' ? 0 : config.deadlineMs[reads ? ending : 'linger']),
    judgeBy: () => judgeBy,
    isSession,
    serverHolds: (localPort: number) => tcp.holds(server.rtmpPort, localPort) || tcp.holds(server.httpPort, localPort),
  };

  const outcomes: Record<Outcome, number> = { 'closed-by-server': 0, 'reset-by-client': 0, 'became-session': 0, 'held-open': 0, unjudged: 0, refused: 0 };
  const byKind: Record<string, number> = {};
  let bytesSent = 0;
  let slowestCloseMs = 0;
  let slowestCloseCase = '';
  /** When each case started (epoch ms, the steady viewer's clock), to name the suspects of a stall. */
  const startedAt: { at: number; c: FuzzCase }[] = [];
  let cases = 0;
  const started = Date.now();
  const queue = config.only !== undefined ? [...config.only] : undefined;
  let next = 0;
  const nextCase = (): FuzzCase | undefined => {
    if (!server.alive() || failures.length >= MAX_FAILURES) return undefined;
    const n = queue !== undefined ? queue.shift() : Date.now() - started < config.durationMs ? next++ : undefined;
    return n === undefined ? undefined : makeCase(config.seed, n, env.recordings, env.target, config.weights);
  };
  const check = (c: FuzzCase, r: AttackResult) => {
    cases++;
    outcomes[r.outcome]++;
    byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
    bytesSent += r.bytesSent;
    if (r.closeMs !== undefined && r.outcome === 'closed-by-server' && r.closeMs > slowestCloseMs) {
      slowestCloseMs = r.closeMs;
      slowestCloseCase = `case ${c.id} (${c.kind}, ${c.ending}${c.read ? '' : ', not reading'}): ${c.note.slice(0, 160)}`;
    }
    if (r.outcome === 'held-open') {
      fail(`case ${c.id} (${c.kind}, ${c.ending}${c.read ? '' : ', not reading'}): the server still held the connection ${attackOptions.deadlineMs(c.ending, c.read)} ms after the client ${c.ending === 'fin' ? 'half-closed' : 'fell silent'}, and it is neither publisher nor viewer: ${c.note} ${reproduce(c.id)}`);
    }
  };
  // A crash is blamed on the cases in flight when the process was seen gone.
  const inFlight = new Set<FuzzCase>();
  let crashReported = false;
  const watchdog = setInterval(() => {
    if (server.alive() || crashReported) return;
    crashReported = true;
    const suspects = [...inFlight].map((c) => `  case ${c.id} (${c.kind}): ${c.note} ${reproduce(c.id)}`).join('\n');
    fail(`the server exited (${JSON.stringify(server.process.exit)}) with these cases in flight:\n${suspects}\n--- server stderr ---\n${server.process.stderr().slice(-3000)}`);
  }, 100);
  // A sender's slot frees once its writes are out; the connection is then watched in the background (a silent one
  // for up to the linger deadline), up to MAX_WATCHED at a time.
  const watched = new Set<Promise<void>>();
  const worker = async () => {
    for (let c = nextCase(); c !== undefined; c = nextCase()) {
      const attack = c;
      inFlight.add(attack);
      startedAt.push({ at: env.steady.mark(), c: attack });
      const started = startAttack(attack, attackOptions);
      const judged = started.result.then(async (result) => {
        // Give the watchdog a moment to see a crash while this case still counts as in flight.
        if (!server.alive()) await sleep(200);
        inFlight.delete(attack);
        check(attack, result);
      });
      watched.add(judged);
      void judged.finally(() => watched.delete(judged));
      await started.sent;
      while (watched.size >= MAX_WATCHED) await Promise.race(watched);
    }
  };
  const attackStart = env.steady.mark();
  await Promise.all(Array.from({ length: config.concurrency }, worker));
  judgeBy = Date.now() + config.judgeWithinMs;
  while (watched.size > 0) await Promise.race(watched);
  const attackEnd = env.steady.mark();
  clearInterval(watchdog);
  say(`[fuzz] ${cases} cases in ${((attackEnd - attackStart) / 1000).toFixed(0)} s; settling ${Math.round(config.settleMs / 1000)} s`);
  await sleep(config.settleMs);
  const after = sampler.medianOfLast(Math.min(3_000, config.settleMs));
  sampler.stop();
  const heapAfter = await heapOf(server.httpUrl('/api/status'));

  for (const problem of env.steady.problems()) if (!(crashReported && problem.startsWith('the server exited'))) fail(problem);
  const gap = env.steady.largestGap(attackStart);
  const largestGapMs = gap.ms;
  if (largestGapMs > config.healthyGapMs) {
    const suspects = startedAt
      .filter((s) => s.at >= gap.from - SUSPECT_WINDOW_MS && s.at <= gap.from + gap.ms)
      .slice(-MAX_SUSPECTS)
      .map((s) => `  ${((s.at - gap.from) / 1000).toFixed(1)} s: case ${s.c.id} (${s.c.kind}, ${s.c.ending}${s.c.read ? '' : ', not reading'}): ${s.c.note.slice(0, 160)}`);
    fail(`the healthy viewer waited ${largestGapMs.toFixed(0)} ms between two tags (allowed ${config.healthyGapMs} ms), from ${((gap.from - attackStart) / 1000).toFixed(1)} s into the run; cases started shortly before and during it:\n${suspects.join('\n')}`);
  }
  if (after - baseline > config.rssGrowthBytes) {
    fail(`server RSS ${mb(after)} ${Math.round(config.settleMs / 1000)} s after the last case, ${mb(after - baseline)} above the baseline ${mb(baseline)} (allowed ${mb(config.rssGrowthBytes)}); heap before ${heapBaseline}, after ${heapAfter}`);
  }
  if (sampler.peak > config.peakRssBytes) fail(`server peak RSS ${mb(sampler.peak)} (allowed ${mb(config.peakRssBytes)})`);

  const lines = server.log.slice(logLinesBefore);
  const longest = lines.reduce((m, l) => Math.max(m, l.length), 0);
  if (longest > config.maxLogLineBytes) {
    const line = lines.find((l) => l.length === longest);
    fail(`a log line of ${longest} B (allowed ${config.maxLogLineBytes}): ${line?.raw.slice(0, 200)}...`);
  }
  for (const line of server.errorLines().slice(0, 5)) fail(`the server logged an error or wrote outside its logger: ${line}`);
  const logBytesPerCase = cases > 0 ? (server.outputBytes() - outputBefore) / cases : 0;
  return {
    seed: config.seed,
    cases,
    bytesSent,
    outcomes,
    byKind,
    slowestCloseMs,
    slowestCloseCase,
    rss: { baseline, peak: sampler.peak, after },
    heap: { baseline: heapBaseline, after: heapAfter },
    largestGapMs,
    logLines: lines.length,
    longestLogLine: longest,
    logBytesPerCase,
    failures,
  };
}

export function formatReport(r: FuzzReport): string {
  const outcomes = Object.entries(r.outcomes).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ');
  const kinds = Object.entries(r.byKind).map(([k, n]) => `${k} ${n}`).join(', ');
  return [
    `[fuzz] seed ${r.seed}: ${r.cases} cases (${kinds}), ${mb(r.bytesSent)} sent`,
    `[fuzz] outcomes: ${outcomes}`,
    `[fuzz] slowest server close ${r.slowestCloseMs} ms: ${r.slowestCloseCase}`,
    `[fuzz] server RSS: baseline ${mb(r.rss.baseline)}, peak ${mb(r.rss.peak)}, after ${mb(r.rss.after)}; heap (used/total) ${r.heap.baseline} before, ${r.heap.after} after`,
    `[fuzz] healthy viewer: largest gap ${r.largestGapMs.toFixed(0)} ms; log: ${r.logLines} lines, longest ${r.longestLogLine} B, ${r.logBytesPerCase.toFixed(0)} B per case`,
    ...(r.failures.length > 0 ? [`[fuzz] ${r.failures.length} failure(s)`] : ['[fuzz] no failures']),
  ].join('\n');
}

/** heapUsed/heapTotal as the server reports them, for telling garbage from a leak. */
async function heapOf(statusUrl: string): Promise<string> {
  try {
    const s = await httpJson<StatusSnapshot>(statusUrl);
    return `${mb(s.server.memory.heapUsed)}/${mb(s.server.memory.heapTotal)}`;
  } catch (error) {
    return `unknown (${error instanceof Error ? error.message : String(error)})`;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
