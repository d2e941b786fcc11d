// Tables for the suites other than fan-out: thousand viewers, many streams, added latency, dashboard memory; and the
// CPU profiles taken with --cpu-prof.

import { formatSummary } from './cpuprofile-summary.mjs';
import { f, pct, protocolName } from './report-fanout.mjs';

function windowLines(w) {
  const lines = [];
  lines.push('| protocol | viewers | delivered | median Mb/s | slowest Mb/s | worst media time | worst bytes vs median |');
  lines.push('|---|---|---|---|---|---|---|');
  for (const [p, s] of Object.entries(w.byProtocol)) {
    lines.push(`| ${protocolName(p)} | ${s.viewers} | ${f(s.deliveredPct)} % | ${f(s.medianMbps, 2)} | ${f(s.minMbps, 2)} | ${pct(s.worstMedia)} | ${pct(s.worstBytesVsMedian)} |`);
  }
  lines.push('');
  lines.push(`- Server: ${f(w.cpuTotalSPerGB, 2)} CPU s/GB (user ${f(w.cpuUserSPerGB, 2)} + system ${f(w.cpuSysSPerGB, 2)}), ${f(w.serverCpuPctOfOneCore, 0)} % of a core; ${f(w.bytes / 1e9, 2)} GB delivered in ${f(w.seconds)} s`);
  lines.push(`- Load generators: ${w.load.map((l) => `${f(l.cpuPct, 0)} %`).join(' + ')} of a core (${w.load.length} processes, ${w.load.map((l) => l.viewers).join('/')} viewers); ${w.others.map((o) => `${o.label} ${f(o.cpuPct, 0)} %`).join(', ')}; machine ${f(w.machineBusyPct, 0)} % busy (of ${w.cores} cores)`);
  if (w.closedDuringWindow) lines.push(`- ${w.closedDuringWindow} viewers closed during the window: ${JSON.stringify(w.closeReasons)}`);
  return lines;
}

function skippedOrError(r) {
  if (r.skipped) return [`${r.server}: skipped: ${r.skipped}`, ''];
  if (!r.window) return [`${r.server}: error: ${r.error ?? 'no window'}`, ''];
  return null;
}

export function thousandLines(suite) {
  const lines = [`### ${suite.viewers} viewers of one stream, mixed protocols, ${suite.loadProcs} load-generator processes, ${suite.windowS} s window`, ''];
  for (const r of suite.rows) {
    const bad = skippedOrError(r);
    if (bad) {
      lines.push(...bad);
      continue;
    }
    lines.push(`${r.server} ${r.version}: ${r.protocols.map(protocolName).join(' / ')} round-robin, joined over ${suite.rampS} s (${r.joins.ok}/${r.joins.count} got a keyframe; median ${f(r.joins.medianMs)} ms, max ${f(r.joins.maxMs)} ms).`);
    lines.push('');
    lines.push(...windowLines(r.window));
    lines.push(`- Worst viewer (RTMP / HTTP-FLV / WS-FLV): ${pct(r.window.worstViewer?.media)} of real time (${protocolName(r.window.worstViewer?.protocol)}); bytes ${pct(r.window.worstBytesVsMedian)} of its protocol's median`);
    if (r.protocols.includes('hls')) lines.push('- HLS viewers receive a segment at a time: their media time over the window is exact only to a segment, so they are judged apart');
    lines.push(`- Peak RSS ${f(r.memory?.peakMB)} MB (idle ${f(r.memory?.idleMB)} MB)`);
    for (const n of [...(r.notes ?? []), ...(r.limits ?? [])]) lines.push(`- ${n}`);
    if (r.error) lines.push(`- error: ${r.error}`);
    lines.push('');
  }
  return lines;
}

export function streamsLines(suite) {
  const lines = [`### ${suite.streams} streams x ${suite.viewersPerStream} viewers, ${suite.windowS} s window`, ''];
  for (const r of suite.rows) {
    const bad = skippedOrError(r);
    if (bad) {
      lines.push(...bad);
      continue;
    }
    lines.push(`${r.server} ${r.version}: ${r.publishing}/${r.streams} streams publishing at the end (one node publisher process), viewers ${r.protocols.map(protocolName).join(' / ')} round-robin; ${r.joins.ok}/${r.joins.count} got a keyframe.`);
    lines.push('');
    lines.push(...windowLines(r.window));
    lines.push(`- Worst viewer: ${pct(r.window.worstViewer?.media)} of real time (stream ${r.worstStream?.key}); bytes ${pct(r.window.worstBytesVsMedian)} of its protocol's median`);
    lines.push(`- Peak RSS ${f(r.memory?.peakMB)} MB (idle ${f(r.memory?.idleMB)} MB)`);
    for (const n of r.limits ?? []) lines.push(`- ${n}`);
    if (r.publisherProblems?.length) lines.push(`- publisher problems: ${r.publisherProblems.join('; ')}`);
    lines.push('');
  }
  return lines;
}

export function latencyLines(suite) {
  const lines = [`### Added latency: publisher send to viewer receipt of the same video message, ${suite.background} background viewers, ${suite.seconds} s`, ''];
  lines.push(`One frame interval: ${f(suite.frameMs)} ms.`, '');
  lines.push('| server | protocol | frames | median ms | p90 ms | p99 ms | max ms | unmatched |');
  lines.push('|---|---|---|---|---|---|---|---|');
  for (const r of suite.rows) {
    if (r.skipped || !r.byProtocol) {
      lines.push(`| ${r.server} | ${r.skipped ? `skipped: ${r.skipped}` : `error: ${r.error}`} |${' |'.repeat(6)}`);
      continue;
    }
    for (const [p, s] of Object.entries(r.byProtocol)) {
      lines.push(`| ${r.server} ${r.version} | ${protocolName(p)} | ${s.samples} | ${f(s.medianMs)} | ${f(s.p90Ms)} | ${f(s.p99Ms)} | ${f(s.maxMs)} | ${s.unmatched} |`);
    }
  }
  lines.push('');
  for (const r of suite.rows.filter((x) => x.loopDelay)) {
    lines.push(`- ${r.server}: the probe process's own event-loop delay (measurement noise): p50 ${f(r.loopDelay.p50Ms)} ms, p99 ${f(r.loopDelay.p99Ms)} ms, max ${f(r.loopDelay.maxMs)} ms${r.probeProblems?.length ? `; problems: ${r.probeProblems.join('; ')}` : ''}`);
  }
  lines.push('');
  return lines;
}

export function dashboardLines(suite) {
  const lines = [`### Memory of \`kayak-cast serve\` in tmux (120x40, through the bin), 1 stream, ${suite.viewers} HTTP-FLV viewers, ${suite.seconds} s`, ''];
  const marks = Object.keys(suite.rows[0]?.rssAtMB ?? {});
  const head = ['mode', 'peak RSS MB', 'VmHWM MB', ...marks.map((t) => `RSS at ${t} s`), 'at the end', 'processes', 'viewers playing at the end'];
  lines.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
  for (const r of suite.rows) {
    const cells = [r.mode, f(r.peakMB), f(r.vmHwmMB), ...marks.map((t) => f(r.rssAtMB[t])), f(r.endMB), r.processes, `${r.playingAtEnd ?? '-'}/${r.viewers}`];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  lines.push('');
  for (const r of suite.rows.filter((x) => x.error)) lines.push(`- ${r.mode}: error: ${r.error}`);
  return lines;
}

/** The CPU profiles of a run (--cpu-prof), summarised: where kayak-cast's time went. */
export function profileLines(suites) {
  const lines = [];
  for (const s of suites) {
    for (const r of s.rows) {
      if (!r.profile) continue;
      const what = `${s.suite}, ${r.server}${r.protocol ? ` ${protocolName(r.protocol)}` : ''}`;
      if (r.profile.error) {
        lines.push(`- ${what}: ${r.profile.error}`);
        continue;
      }
      lines.push('```', formatSummary({ ...r.profile, self: r.profile.self.slice(0, 10), inclusive: r.profile.inclusive.slice(0, 10), files: r.profile.files.slice(0, 6) }, `== ${what}: ${r.profile.path}`), '```', '');
    }
  }
  return lines.length ? ['### CPU profiles (--cpu-prof)', '', ...lines] : [];
}
