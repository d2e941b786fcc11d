// The results table (stdout and bench/RESULTS.md) and the targets.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const RSS_TARGET_MB = 64;
const JOIN_TARGET_MS = 50;

const f = (x, d = 1) => (x == null || Number.isNaN(x) ? '-' : x.toFixed(d));

function rows(run) {
  const rs = run.results;
  const cell = (fn) => rs.map((r) => {
    if (r.skipped) return 'skipped';
    try {
      return fn(r);
    } catch {
      return '-';
    }
  });
  return [
    ['', ...rs.map((r) => r.server + (r.version ? ` ${r.version}` : ''))],
    ['viewers playing at window end (flv/rtmp)', ...cell((r) => `${r.window.viewersPlayingEnd}/${run.config.viewers} (${r.window.viewersPlayingEndFlv}/${r.window.viewersPlayingEndRtmp})`)],
    ['viewers playing after the joins', ...cell((r) => `${r.afterJoins.playing}`)],
    ['CPU user s per GB delivered', ...cell((r) => f(r.window.cpuUserSPerGB, 2))],
    ['CPU system s per GB delivered', ...cell((r) => f(r.window.cpuSysSPerGB, 2))],
    ['CPU total s per GB delivered', ...cell((r) => f(r.window.cpuTotalSPerGB, 2))],
    ['server CPU, % of one core', ...cell((r) => f(r.window.serverCpuPctOfOneCore, 0))],
    ['peak RSS MB (VmHWM / max sampled VmRSS)', ...cell((r) => `${f(r.memory.vmHwmMB)} / ${f(r.memory.sampledMaxRssMB)}`)],
    ['idle RSS MB (before publishing)', ...cell((r) => f(r.idleRssMB))],
    ['self-reported heap used / total MB (end of window)', ...cell((r) => (r.selfReport?.memoryMB ? `${f(r.selfReport.memoryMB.heapUsed)} / ${f(r.selfReport.memoryMB.heapTotal)}` : 'n/a'))],
    ['join to first keyframe, median / max ms', ...cell((r) => `${f(r.joins.medianMs)} / ${f(r.joins.maxMs)} (${r.joins.ok}/${r.joins.count})`)],
    ['delivered / expected', ...cell((r) => `${f(r.window.deliveredPct)} %`)],
    ['median viewer Mb/s (flv / rtmp)', ...cell((r) => `${f(r.window.medianViewerMbps.flv, 2)} / ${f(r.window.medianViewerMbps.rtmp, 2)}`)],
    ['slowest viewer Mb/s (flv / rtmp)', ...cell((r) => `${f(r.window.minViewerMbps.flv, 2)} / ${f(r.window.minViewerMbps.rtmp, 2)}`)],
    ['load generator CPU, % of one core', ...cell((r) => f(r.window.loadGenCpuPctOfOneCore, 0))],
    ['server exit on SIGTERM', ...cell((r) => `${r.serverExit.code ?? r.serverExit.signal}${r.serverExit.killed ? ' (SIGKILL needed)' : ''}`)],
    ['error', ...cell((r) => r.error ?? '')],
  ];
}

export function targets(run) {
  const kayak = run.results.find((r) => r.server === 'kayak-cast' && r.window);
  const nms = run.results.find((r) => r.server === 'node-media-server' && r.window);
  const out = [];
  if (kayak && nms) {
    const k = kayak.window.cpuTotalSPerGB;
    const n = nms.window.cpuTotalSPerGB;
    out.push({
      target: 'CPU per GB (user + system) no worse than node-media-server',
      value: `${f(k, 2)} vs ${f(n, 2)} s/GB (user ${f(kayak.window.cpuUserSPerGB, 2)} vs ${f(nms.window.cpuUserSPerGB, 2)}, system ${f(kayak.window.cpuSysSPerGB, 2)} vs ${f(nms.window.cpuSysSPerGB, 2)})`,
      met: k != null && n != null && k <= n,
    });
  } else {
    out.push({ target: 'CPU per GB no worse than node-media-server', value: 'needs both servers in one run', met: null });
  }
  if (kayak) {
    const peak = Math.max(kayak.memory.vmHwmMB, kayak.memory.sampledMaxRssMB);
    out.push({ target: `peak RSS at most ${RSS_TARGET_MB} MB with ${run.config.viewers} viewers`, value: `${f(peak)} MB`, met: peak <= RSS_TARGET_MB });
    const j = kayak.joins?.medianMs;
    out.push({ target: `joining viewer's first keyframe within ${JOIN_TARGET_MS} ms (median)`, value: `${f(j)} ms median, ${f(kayak.joins?.maxMs)} ms max over ${kayak.joins?.ok} joins`, met: j != null && j <= JOIN_TARGET_MS });
    const d = kayak.window.deliveredPct;
    out.push({ target: 'every viewer keeps up (delivered / expected about 100 %)', value: `${f(d)} %, ${kayak.window.viewersPlayingEnd}/${run.config.viewers} playing`, met: d != null && d >= 97 && kayak.window.viewersPlayingEnd === run.config.viewers });
  }
  if (run.config.viewers !== 300) out.push({ target: 'note', value: `run with ${run.config.viewers} viewers, not the 300 the targets assume`, met: null });
  return out;
}

const mark = (met) => (met === true ? 'met' : met === false ? 'NOT met' : 'n/a');

export function printTable(run) {
  const table = rows(run);
  const widths = table[0].map((_, c) => Math.max(...table.map((r) => String(r[c]).length)));
  console.log('');
  for (const [i, r] of table.entries()) {
    console.log(r.map((x, c) => String(x).padEnd(widths[c])).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  console.log('\ntargets (issue 2):');
  for (const t of targets(run)) console.log(`  [${mark(t.met)}] ${t.target}: ${t.value}`);
}

export function appendResults(path, run, jsonPath) {
  const m = run.machine;
  const lines = [];
  lines.push(`## ${run.date.slice(0, 16).replace('T', ' ')} UTC: ${run.config.viewers} viewers, ${run.config.windowS} s window`);
  lines.push('');
  lines.push(`- Machine: ${m.cores} cores (${m.cpuModel}), Linux ${m.kernel}, Node ${m.node}, ffmpeg ${m.ffmpeg}`);
  lines.push(`- Clip: ${m.clip.video}, ${m.clip.audio}, ${f(m.clip.mbps, 2)} Mb/s (file bytes / duration; ffprobe ${f(m.clip.ffprobeMbps, 2)}), GOP ${f(m.clip.gopSeconds, 2)} s, ${f(m.clip.durationS, 0)} s looped with \`-re -stream_loop -1 -c copy\``);
  lines.push(`- Load: ${run.config.viewers} viewers (half HTTP-FLV, half RTMP) from one load-generator process, ramp ${run.config.rampS} s; CPU over the steady window; ${run.config.joins} sequential HTTP-FLV joins afterwards, from a separate process, with the viewers still connected`);
  lines.push(`- Raw: \`${jsonPath}\` (not committed)`);
  lines.push('');
  const table = rows(run);
  lines.push(`| ${table[0].join(' | ')} |`);
  lines.push(`|${table[0].map(() => '---').join('|')}|`);
  for (const r of table.slice(1)) lines.push(`| ${r.map((x) => String(x).replace(/\|/g, '\\|')).join(' | ')} |`);
  lines.push('');
  lines.push('Targets (issue 2):');
  lines.push('');
  for (const t of targets(run)) lines.push(`- **${mark(t.met)}**: ${t.target}: ${t.value}`);
  const problems = [];
  for (const r of run.results) {
    if (r.skipped) problems.push(`${r.server} skipped: ${r.skipped}`);
    if (r.error) problems.push(`${r.server}: ${r.error}`);
    const reasons = r.afterJoins?.closeReasons ?? r.window?.closeReasons;
    if (reasons && Object.keys(reasons).length) problems.push(`${r.server} viewer closes: ${JSON.stringify(reasons)}`);
  }
  if (problems.length) {
    lines.push('');
    lines.push('Problems seen:');
    lines.push('');
    for (const p of problems) lines.push(`- ${p}`);
  }
  lines.push('');
  const header = '# Benchmark results\n\nAppended by `npm run bench` (see bench/README.md); newest last.\n\n';
  const before = existsSync(path) ? readFileSync(path, 'utf8') : header;
  writeFileSync(path, `${before.trimEnd()}\n\n${lines.join('\n')}`);
}
