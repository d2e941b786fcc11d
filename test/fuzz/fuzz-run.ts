import { httpJson } from '../helpers/players.js';
import { RssSampler, TcpTable, mb, residentBreakdown } from '../helpers/proc.js';
import type { SteadyStream } from '../helpers/steady-stream.js';
import type { StatusSnapshot } from '../../src/status/status-snapshot.js';
import { type Ending, type Outcome, startAttack } from './attack.js';
import { type CaseTarget, type CaseWeights, type FuzzCase, type Recordings, makeCase } from './fuzz-cases.js';
import { FuzzLedger, describeCase } from './fuzz-ledger.js';

/**
 * The live-server fuzz run: cases sent at a running `kayak-cast serve` (a child process), a few at a time, while a real
 * publisher and a real viewer carry on. It reports every broken promise as a failure line naming the seed and case.
 */

export interface FuzzConfig {
  seed: number;
  /** How long new cases are started. */
  durationMs: number;
  /**
   * Cases sent before the run proper, followed by a settle: the memory baseline is taken after them. What a process
   * keeps for good after its first minutes of work (compiled code, the C allocator's grown heap, V8's grown spaces)
   * is then not counted as growth; growth that continues with more cases is. 0: no warm-up.
   */
  warmUpMs: number;
  /** RSS after the run may exceed the cold baseline (before any case, before the warm-up) by at most this. */
  coldRssGrowthBytes: number;
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
  /** `cold`: before the first case; `baseline`: after the warm-up (the same as cold without one). */
  rss: { cold: number; baseline: number; peak: number; after: number };
  /** RSS every 10 s while settling, from the last case on. */
  settleCurve: string;
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
/** Held-open connections of one kind of case and mutation are reported this many times, then counted. */
const REPORTS_PER_SIGNATURE = 3;
/** Connections sent and not yet closed or judged, at most. */
const MAX_WATCHED = 200;
/** A stall of the healthy viewer names the cases started this long before it, at most MAX_SUSPECTS of them. */
const SUSPECT_WINDOW_MS = 3_000;
const MAX_SUSPECTS = 15;
const SETTLE_STEP_MS = 10_000;

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
  // The cold baseline: publisher, viewer and recordings going, before the first case.
  await sleep(3_000);
  const cold = sampler.medianOfLast(2_500);
  const logLinesBefore = server.log.length;
  const outputBefore = server.outputBytes();
  const warmUpMs = config.only === undefined ? config.warmUpMs : 0;
  say(`[fuzz] seed ${config.seed}: ${config.only ? `cases ${config.only.join(',')}` : `${Math.round(config.durationMs / 1000)} s`}${warmUpMs > 0 ? ` after a ${Math.round(warmUpMs / 1000)} s warm-up` : ''}, ${config.concurrency} at a time; server RSS ${mb(cold)}`);

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

  const ledger = new FuzzLedger();
  const heldOpen = new Map<string, number>();
  let endAt = 0;
  const queue = config.only !== undefined ? [...config.only] : undefined;
  let next = 0;
  const nextCase = (): FuzzCase | undefined => {
    if (!server.alive() || failures.length >= MAX_FAILURES) return undefined;
    const n = queue !== undefined ? queue.shift() : Date.now() < endAt ? next++ : undefined;
    return n === undefined ? undefined : makeCase(config.seed, n, env.recordings, env.target, config.weights);
  };
  // A crash is blamed on the cases in flight when the process was seen gone.
  const inFlight = new Set<FuzzCase>();
  let crashReported = false;
  const watchdog = setInterval(() => {
    if (server.alive() || crashReported) return;
    crashReported = true;
    const suspects = [...inFlight].map((c) => `  ${describeCase(c)}: ${c.note} ${reproduce(c.id)}`).join('\n');
    fail(`the server exited (${JSON.stringify(server.process.exit)}) with these cases in flight:\n${suspects}\n--- server stderr ---\n${server.process.stderr().slice(-3000)}`);
  }, 100);
  // A sender's slot frees once its writes are out; the connection is then watched in the background (a silent one
  // for up to the linger deadline), up to MAX_WATCHED at a time.
  const watched = new Set<Promise<void>>();
  const worker = async () => {
    for (let c = nextCase(); c !== undefined; c = nextCase()) {
      const attack = c;
      inFlight.add(attack);
      ledger.started(attack, env.steady.mark());
      const sending = startAttack(attack, attackOptions);
      const judged = sending.result.then(async (result) => {
        // Give the watchdog a moment to see a crash while this case still counts as in flight.
        if (!server.alive()) await sleep(200);
        inFlight.delete(attack);
        ledger.record(attack, result);
        if (result.outcome === 'held-open') {
          // The same finding again (same kind of case, same mutation) is counted, not reported again.
          const signature = `${attack.kind}: ${attack.note.split(':')[0]}`;
          const seen = (heldOpen.get(signature) ?? 0) + 1;
          heldOpen.set(signature, seen);
          const after = attack.ending === 'fin' ? 'half-closed' : 'fell silent';
          if (seen <= REPORTS_PER_SIGNATURE) {
            fail(`${describeCase(attack)}: the server still held the connection ${attackOptions.deadlineMs(attack.ending, attack.read)} ms after the client ${after}, and it is neither publisher nor viewer: ${attack.note} ${reproduce(attack.id)}`);
          }
        }
      });
      watched.add(judged);
      void judged.finally(() => watched.delete(judged));
      await sending.sent;
      while (watched.size >= MAX_WATCHED) await Promise.race(watched);
    }
  };
  /** Sends cases for `ms`, then waits until every connection sent has been judged. */
  const attack = async (ms: number): Promise<void> => {
    endAt = Date.now() + ms;
    await Promise.all(Array.from({ length: config.concurrency }, worker));
    judgeBy = Date.now() + config.judgeWithinMs;
    while (watched.size > 0) await Promise.race(watched);
    judgeBy = Number.POSITIVE_INFINITY;
  };
  /** Waits settleMs after the last case, sampling RSS every SETTLE_STEP_MS; returns the settled RSS and the curve. */
  const settle = async (): Promise<{ rss: number; curve: string[] }> => {
    const curve: string[] = [];
    for (let waited = 0; waited < config.settleMs; waited += SETTLE_STEP_MS) {
      curve.push(mb(sampler.last));
      await sleep(Math.min(SETTLE_STEP_MS, config.settleMs - waited));
    }
    const rss = sampler.medianOfLast(Math.min(3_000, config.settleMs));
    curve.push(mb(rss));
    return { rss, curve };
  };

  let baseline = cold;
  if (warmUpMs > 0) {
    await attack(warmUpMs);
    say(`[fuzz] warm-up: ${ledger.cases} cases; settling ${Math.round(config.settleMs / 1000)} s`);
    baseline = (await settle()).rss;
    say(`[fuzz] server RSS after the warm-up ${mb(baseline)} (cold ${mb(cold)})`);
  }
  const heapBaseline = await heapOf(server.httpUrl('/api/status'));
  const residentBefore = residentBreakdown(server.pid);
  const attackStart = env.steady.mark();
  await attack(config.durationMs);
  const attackEnd = env.steady.mark();
  clearInterval(watchdog);
  say(`[fuzz] ${ledger.cases} cases in ${((attackEnd - attackStart) / 1000).toFixed(0)} s; settling ${Math.round(config.settleMs / 1000)} s`);
  const { rss: after, curve: settleCurve } = await settle();
  sampler.stop();
  const heapAfter = await heapOf(server.httpUrl('/api/status'));
  const residentAfter = residentBreakdown(server.pid);

  for (const [signature, n] of heldOpen) {
    if (n > REPORTS_PER_SIGNATURE) fail(`${n - REPORTS_PER_SIGNATURE} more connections held open like the cases above (${signature})`);
  }
  for (const problem of env.steady.problems()) if (!(crashReported && problem.startsWith('the server exited'))) fail(problem);
  const gap = env.steady.largestGap(attackStart);
  const largestGapMs = gap.ms;
  if (largestGapMs > config.healthyGapMs) {
    const suspects = ledger.startedAround(gap.from, gap.from + gap.ms, SUSPECT_WINDOW_MS, MAX_SUSPECTS);
    fail(`the healthy viewer waited ${largestGapMs.toFixed(0)} ms between two tags (allowed ${config.healthyGapMs} ms), from ${((gap.from - attackStart) / 1000).toFixed(1)} s into the run; cases started shortly before and during it:\n${suspects.join('\n')}`);
  }
  const resident = `heap before ${heapBaseline}, after ${heapAfter}; resident brk heap / anonymous / files before ${describeResident(residentBefore)}, after ${describeResident(residentAfter)}`;
  if (after - baseline > config.rssGrowthBytes) {
    fail(`server RSS ${mb(after)} ${Math.round(config.settleMs / 1000)} s after the last case, ${mb(after - baseline)} above the ${warmUpMs > 0 ? 'post-warm-up ' : ''}baseline ${mb(baseline)} (allowed ${mb(config.rssGrowthBytes)}); ${resident}`);
  }
  if (after - cold > config.coldRssGrowthBytes) {
    fail(`server RSS ${mb(after)} after the run, ${mb(after - cold)} above its RSS before the first case ${mb(cold)} (allowed ${mb(config.coldRssGrowthBytes)}); ${resident}`);
  }
  if (sampler.peak > config.peakRssBytes) fail(`server peak RSS ${mb(sampler.peak)} (allowed ${mb(config.peakRssBytes)})`);

  const lines = server.log.slice(logLinesBefore);
  const longest = lines.reduce((m, l) => Math.max(m, l.length), 0);
  if (longest > config.maxLogLineBytes) {
    const line = lines.find((l) => l.length === longest);
    fail(`a log line of ${longest} B (allowed ${config.maxLogLineBytes}): ${line?.raw.slice(0, 200)}...`);
  }
  for (const line of server.errorLines().slice(0, 5)) fail(`the server logged an error or wrote outside its logger: ${line}`);
  const { cases } = ledger;
  const logBytesPerCase = cases > 0 ? (server.outputBytes() - outputBefore) / cases : 0;
  return {
    seed: config.seed,
    cases,
    bytesSent: ledger.bytesSent,
    outcomes: ledger.outcomes,
    byKind: ledger.byKind,
    slowestCloseMs: ledger.slowestCloseMs,
    slowestCloseCase: ledger.slowestCloseCase,
    rss: { cold, baseline, peak: sampler.peak, after },
    settleCurve: settleCurve.join(', '),
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
    `[fuzz] server RSS: before the first case ${mb(r.rss.cold)}, baseline ${mb(r.rss.baseline)}, peak ${mb(r.rss.peak)}, after ${mb(r.rss.after)}; heap (used/total) ${r.heap.baseline} at the baseline, ${r.heap.after} after`,
    `[fuzz] server RSS every ${SETTLE_STEP_MS / 1000} s after the last case: ${r.settleCurve}`,
    `[fuzz] healthy viewer: largest gap ${r.largestGapMs.toFixed(0)} ms; log: ${r.logLines} lines, longest ${r.longestLogLine} B, ${r.logBytesPerCase.toFixed(0)} B per case`,
    ...(r.failures.length > 0 ? [`[fuzz] ${r.failures.length} failure(s)`] : ['[fuzz] no failures']),
  ].join('\n');
}

function describeResident(r: ReturnType<typeof residentBreakdown>): string {
  return r === undefined ? 'unknown' : `${mb(r.brkHeap)} / ${mb(r.anonymous)} / ${mb(r.files)}`;
}

/** heapUsed/heapTotal as the server reports them, for telling garbage from a leak. */
async function heapOf(statusUrl: string): Promise<string> {
  try {
    const s = await httpJson<StatusSnapshot>(statusUrl);
    const { heapUsed, heapTotal, arrayBuffers } = s.server.memory;
    return `${mb(heapUsed)}/${mb(heapTotal)}, Buffers ${arrayBuffers === undefined ? 'unknown' : mb(arrayBuffers)}`;
  } catch (error) {
    return `unknown (${error instanceof Error ? error.message : String(error)})`;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
