// The playout benchmark's table (stdout) and its dated section of bench/RESULTS.md.

import { appendFileSync } from 'node:fs';

const FRAME_MS = 1000 / 30;
export const TARGETS = {
  driftMs: 250, // issue 3 §2: media time within 250 ms of the wall clock over the whole show
  startMs: 250, // issue 3 §2: first frame within 250 ms of the scheduled time
  tsGapMs: 2 * FRAME_MS, // issue 3 §3: no timestamp gap above two frame intervals
};

const f = (n, d = 1) => (n === undefined || n === null || Number.isNaN(n) ? '–' : Number(n).toFixed(d));
const signed = (n, d = 0) => (n === undefined || n === null ? '–' : `${n >= 0 ? '+' : ''}${Number(n).toFixed(d)}`);

/**
 * How late each nowPlaying started after the previous one should have ended (its startedAt + durationS, the
 * status rounds durationS to 0.1 s): the largest, with its title. Catches an item that started late.
 */
function itemLateness(started) {
  let worst = null;
  for (let i = 1; i < started.length; i++) {
    const prev = started[i - 1];
    if (prev.kind === 'pre-show') continue;
    const ms = Date.parse(started[i].startedAt) - (Date.parse(prev.startedAt) + prev.durationS * 1000);
    if (!worst || Math.abs(ms) > Math.abs(worst.ms)) worst = { ms, title: started[i].title };
  }
  return worst;
}

function rows(run) {
  const r = run.runs;
  const row = (label, fn) => [label, ...r.map((x) => { try { return x.error && !x.show ? '–' : fn(x); } catch { return '–'; } })];
  return {
    header: ['', ...r.map((x) => `${x.label} (${x.mode})`)],
    body: [
      row('items started / in playlist', (x) => `${x.itemsStarted.filter((i) => i.kind === 'item').length} / ${x.items}`),
      row('sequence headers / metadata after start', (x) => x.viewer.headersAfterStart.map((h) => `${h.kind}@${f(h.atS)}s`).join(' ') || 'none'),
      row('show measured, s (frames)', (x) => `${f(x.show.wallS)} (${x.show.frames})`),
      row('CPU kayak-cast, s per min of show', (x) => f(x.cpu.kayakSPerMin, 2)),
      row('CPU ffmpeg children, s per min of show', (x) => f(x.cpu.childrenSPerMin, 2)),
      row('CPU total, s per min (% of one core)', (x) => `${f(x.cpu.totalSPerMin, 2)} (${f(x.cpu.totalSPerMin / 60 * 100, 0)} %)`),
      row('CPU of this benchmark (viewer, polling), s per min', (x) => f(x.cpu.benchSPerMin, 2)),
      row('machine: busy % of all cores (steal %)', (x) => `${f(x.cpu.machineBusyPct, 0)} % (${f(x.cpu.machineStealPct, 1)} %)`),
      row('CPU of everything else on the machine, s per min', (x) => f(x.cpu.othersSPerMin, 1)),
      row('child processes with CPU in window', (x) => Object.entries(x.cpu.children).map(([k, v]) => `${v} ${k}`).join(', ') || 'none'),
      row('start: startedAt - scheduled, ms', (x) => signed(x.startErrorMs)),
      row('later starts: startedAt - (previous startedAt + durationS), max ms', (x) => {
        const l = itemLateness(x.itemsStarted);
        return l ? `${signed(l.ms)} (${l.title})` : '–';
      }),
      row('drift max |d| / end, ms', (x) => `${f(x.show.maxAbsDriftMs)} / ${signed(x.show.endDriftMs, 1)}`),
      row('drift range (min .. max), ms', (x) => `${f(x.show.minDriftMs)} .. ${f(x.show.maxDriftMs)}`),
      row('boundaries: max ts gap, ms', (x) => `${x.show.boundaryMaxTsGapMs} (${x.show.boundaries.length} boundaries)`),
      row('boundaries: max wall stall, ms', (x) => f(x.show.boundaryMaxStallMs)),
      row('overall: max ts gap, ms (at s)', (x) => `${x.show.maxTsGapMs} (${f(x.show.maxTsGapAtS)})`),
      row('overall: max wall stall, ms (at s)', (x) => `${f(x.show.maxStallMs)} (${f(x.show.maxStallAtS)})`),
      row('overall: wall stalls > 100 ms (count)', (x) => String(x.show.stallsOver100)),
      row('video ts not increasing (frames)', (x) => String(x.show.backwards)),
      row('viewer connection', (x) => `${x.viewer.connects === 1 ? 'one connection' : `${x.viewer.connects} attempts`}, ${x.viewer.playingAtEnd ? 'playing at the end' : x.viewer.closeReason}`),
      row('ffmpeg restarts (status)', (x) => String(x.ffmpegRestarts)),
      row('exit on SIGINT (orphans)', (x) => `${x.exit.code ?? x.exit.signal}${x.exit.killed ? ' SIGKILLed' : ''} (${x.exit.orphans.length ? x.exit.orphans.join(' ') : 'none'})`),
      row('error', (x) => x.error ?? ''),
    ],
  };
}

export function targets(run) {
  const ok = run.runs.filter((x) => x.show && !x.show.error);
  const out = [];
  const verdict = (met) => (met ? '**met**' : '**NOT met**');
  const drift = ok.find((x) => x.label.startsWith('drift'));
  if (drift) {
    const d = drift.show;
    out.push(`${verdict(d.maxAbsDriftMs <= TARGETS.driftMs)}: media within ${TARGETS.driftMs} ms of the wall clock over a ${f(d.wallS / 60, 1)}-minute show (${drift.itemsStarted.filter((i) => i.kind === 'item').length} items): max |drift| ${f(d.maxAbsDriftMs)} ms, ${signed(d.endDriftMs, 1)} ms at the end`);
  }
  const starts = ok.map((x) => x.startErrorMs).filter((n) => n !== undefined);
  if (starts.length) {
    const worst = starts.reduce((m, n) => (Math.abs(n) > Math.abs(m) ? n : m), 0);
    out.push(`${verdict(Math.abs(worst) <= TARGETS.startMs)}: first frame within ${TARGETS.startMs} ms of the scheduled time: ${starts.map((n) => signed(n)).join(', ')} ms over ${starts.length} runs`);
  }
  if (ok.length) {
    const gap = Math.max(...ok.map((x) => x.show.boundaryMaxTsGapMs));
    const back = ok.reduce((n, x) => n + x.show.boundaryBackwards, 0);
    const nb = ok.reduce((n, x) => n + x.show.boundaries.length, 0);
    out.push(`${verdict(gap <= TARGETS.tsGapMs && back === 0)}: at item boundaries no timestamp gap above two frame intervals (${f(TARGETS.tsGapMs)} ms) and never backwards: max ${gap} ms, ${back} non-increasing, over ${nb} boundaries (slate -> first item included)`);
    const overall = Math.max(...ok.map((x) => x.show.maxTsGapMs));
    out.push(`${verdict(overall <= TARGETS.tsGapMs)}: the same over the whole show: max ${overall} ms`);
    const stall = Math.max(...ok.map((x) => x.show.boundaryMaxStallMs));
    const stallAll = Math.max(...ok.map((x) => x.show.maxStallMs));
    out.push(`no target (reference: ${f(TARGETS.tsGapMs)} ms): largest wall-clock stall between video frames ${f(stall)} ms at boundaries, ${f(stallAll)} ms overall`);
    const conn = ok.every((x) => x.viewer.connects === 1 && x.viewer.playingAtEnd);
    out.push(`${verdict(conn)}: the viewer stayed on one connection from the pre-show slate to the end of every show`);
    const clean = run.runs.every((x) => x.exit?.code === 0 && !x.exit.killed && x.exit.orphans.length === 0);
    out.push(`${verdict(clean)}: SIGINT: exit 0, no ffmpeg orphans`);
  }
  for (const x of run.runs) if (x.error) out.push(`${x.label}: error: ${x.error}`);
  return out;
}

function markdownTable(t) {
  const line = (cells) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(t.header), line(t.header.map(() => '---')), ...t.body.map(line)].join('\n');
}

export function printPlayoutTable(run) {
  const t = rows(run);
  const widths = t.header.map((_, i) => Math.max(...[t.header, ...t.body].map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  console.log(`\n${line(t.header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of t.body) console.log(line(r));
  console.log('\nTargets (issue 3):');
  for (const s of targets(run)) console.log(`- ${s.replace(/\*\*/g, '')}`);
}

export function appendPlayoutResults(path, run, jsonPath) {
  const m = run.machine;
  const c = run.config;
  const date = run.date.slice(0, 16).replace('T', ' ');
  const text = [
    '',
    `## ${date} UTC: playout (\`npm run bench:playout\`), ${c.showMinutes}-minute show, ${c.cpuSeconds} s CPU windows`,
    '',
    `- Machine: ${m.cores} cores (${m.cpuModel.trim()}), Linux ${m.kernel}, Node ${m.node}, ffmpeg ${m.ffmpeg}, kayak-cast ${m.kayak}; load average ${m.loadavg} at the start, ${m.loadavgEnd} at the end (the 2 cores are shared with other work)`,
    `- Clip: ${m.clip.video}, ${m.clip.audio}, ${f(m.clip.mbps, 2)} Mb/s (file bytes / duration), GOP ${f(m.clip.gopSeconds, 2)} s, cut with \`-c copy\` into parts of 20-60 s`,
    `- Shows: \`kayak-cast schedule --at <UTC wall time ${c.leadS} s ahead>\` (TZ=UTC); copy and normalize (1280x720 30 fps 2500k) ` +
      `with parts of 20/24 s for CPU; normalize with parts of 30-60 s for drift. One HTTP-FLV viewer connected before the start; ` +
      `/api/status polled every 25 ms until the first item started, then every 250 ms; CPU of kayak-cast and of its process tree ` +
      `(every 250 ms from /proc, last value per pid) from the first item's first frame`,
    `- Boundary window: [-0.5 s, +1.5 s] around each item's \`startedAt\`, including slate -> first item; drift(t) = (arrival - arrival0) - (ts - ts0) from the first item's first frame`,
    `- Raw: \`${jsonPath}\` (not committed)`,
    '',
    markdownTable(rows(run)),
    '',
    'Targets (issue 3):',
    '',
    ...targets(run).map((s) => `- ${s}`),
    '',
  ].join('\n');
  appendFileSync(path, text);
}
