// A run's report: a dated section with the machine, the load average, every suite's table and the goals of issue 13;
// printed, and appended to bench/RESULTS.md unless --no-record.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fanoutLines, f } from './report-fanout.mjs';
import { dashboardLines, latencyLines, profileLines, streamsLines, thousandLines } from './report-suites.mjs';
import { targetLines } from './targets.mjs';

const RENDER = { fanout: fanoutLines, thousand: thousandLines, streams: streamsLines, latency: latencyLines, dashboard: dashboardLines };
const HEADER = '# Benchmark results\n\nAppended by `npm run bench` (see bench/README.md); newest last.\n\n';

export function runLines(run, jsonPath) {
  const m = run.machine;
  const lines = [];
  lines.push(`## ${run.date.slice(0, 16).replace('T', ' ')} UTC: \`npm run bench\` (${run.suites.map((s) => s.suite).join(', ')})`);
  lines.push('');
  lines.push(`- Command: \`node bench/bench.mjs ${run.argv.join(' ')}\``.replace(/ `$/, '`'));
  lines.push(`- Machine: ${m.cores} cores (${m.cpuModel.trim()}), Linux ${m.kernel}, Node ${m.node}, ffmpeg ${m.ffmpeg}; load average ${m.loadavg} at the start, ${run.loadavgEnd} at the end (the cores are shared with other work: compare within a run, not across runs)`);
  lines.push(`- Clip: ${m.clip.video}, ${m.clip.audio}, ${f(m.clip.mbps, 2)} Mb/s (file bytes / duration), GOP ${f(m.clip.gopSeconds, 2)} s, ${f(m.clip.durationS, 0)} s, looped (ffmpeg \`-re -stream_loop -1 -c copy\`, or bench/rtmp-publisher.mjs where noted)`);
  lines.push(`- Raw: \`${jsonPath}\` (not committed)`);
  lines.push('');
  for (const s of run.suites) lines.push(...RENDER[s.suite](s));
  lines.push(...targetLines(run.suites));
  lines.push(...profileLines(run.suites));
  return lines;
}

export function appendResults(path, lines) {
  const before = existsSync(path) ? readFileSync(path, 'utf8') : HEADER;
  writeFileSync(path, `${before.trimEnd()}\n\n${lines.join('\n').trimEnd()}\n`);
}
