// The soak's verdict (issue 8's targets), its table on the terminal and its section in bench/RESULTS.md.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const MB = 1024 * 1024;
/** Issue 8: after warm-up RSS grows at most 5 MB. */
const MAX_RSS_GROWTH_BYTES = 5 * MB;
/** A healthy viewer that waits longer than this for a tag has starved. */
const STARVED_MS = 2_000;
/** One timeline: a step between two video frames' timestamps of at most a few frames (25 fps), never back. */
const MAX_VIDEO_STEP_MS = 120;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

export function rssFigures(run) {
  const { rss, rssWindowMs, config } = run;
  const end = rss.at(-1)?.[0] ?? 0;
  const after = rss.filter(([t]) => t >= config.warmupMs);
  return {
    start: rss[0]?.[1] ?? NaN,
    warm: median(after.filter(([t]) => t < config.warmupMs + rssWindowMs).map(([, v]) => v)),
    final: median(rss.filter(([t]) => t >= end - rssWindowMs).map(([, v]) => v)),
    peakAfterWarmup: Math.max(...after.map(([, v]) => v)),
    peak: Math.max(...rss.map(([, v]) => v)),
  };
}

export function judgeSoak(run) {
  const r = rssFigures(run);
  const v = run.viewers;
  const rtmpGap = Math.max(0, ...run.rtmp.map((w) => w.maxGapMs));
  const rtmpRegressions = run.rtmp.reduce((n, w) => n + w.regressions, 0);
  const rtmpStep = Math.max(0, ...run.rtmp.map((w) => w.maxVideoStep));
  const rtmpLost = run.rtmp.filter((w) => w.exited !== null || w.badFlv).length;
  return [
    { target: 'the server runs to the end', value: run.serverExit ? `exited ${JSON.stringify(run.serverExit)}` : 'yes', met: !run.serverExit },
    {
      target: `RSS grows at most ${MAX_RSS_GROWTH_BYTES / MB} MB after warm-up (median of the first and of the last ${run.rssWindowMs / 1000} s)`,
      value: `${mb(r.warm)} -> ${mb(r.final)} (${sign(r.final - r.warm)})`,
      met: r.final - r.warm <= MAX_RSS_GROWTH_BYTES,
    },
    {
      target: `no healthy viewer starves (none cut off, no wait over ${STARVED_MS} ms after warm-up)`,
      value: `${v.healthyDisconnects + rtmpLost} cut off; longest wait ${Math.round(v.maxGapMs)} ms HTTP/WS-FLV, ${Math.round(rtmpGap)} ms RTMP`,
      met: v.healthyDisconnects === 0 && rtmpLost === 0 && v.maxGapMs <= STARVED_MS && rtmpGap <= STARVED_MS,
    },
    {
      target: `timestamps stay continuous (never back, steps of at most ${MAX_VIDEO_STEP_MS} ms)`,
      value: `${v.regressions + rtmpRegressions} back; largest step ${Math.max(v.maxVideoStep, rtmpStep)} ms`,
      met: v.regressions + rtmpRegressions === 0 && Math.max(v.maxVideoStep, rtmpStep) <= MAX_VIDEO_STEP_MS,
    },
  ];
}

function mb(bytes) {
  return `${(bytes / MB).toFixed(1)} MB`;
}

function sign(bytes) {
  return `${bytes >= 0 ? '+' : ''}${(bytes / MB).toFixed(1)} MB`;
}

function facts(run) {
  const r = rssFigures(run);
  const v = run.viewers;
  const c = run.config;
  const minutes = run.elapsedMs / 60_000;
  return [
    ['duration', `${minutes.toFixed(1)} min (warm-up ${c.warmupMs / 60_000} min)`],
    ['content pushed', `${(run.totals.contentS / 3600).toFixed(1)} h in ${run.totals.publishes} publishes (${c.publishers} ffmpeg at ${c.speed}x real time, a new stream key each time)${run.totals.failedPublishes ? `; ${run.totals.failedPublishes} failed (${run.totals.lastPublishError})` : ''}`],
    ['playlist', `${run.boundaries} item boundaries (${c.itemSeconds} s generated items, looping, re-encoded), ${run.ffmpegRestarts ?? '?'} ffmpeg restarts`],
    ['viewers', `${v.healthy} HTTP/WS-FLV + ${run.rtmp.length} RTMP (rtmpdump) healthy, ${c.counts.stalled} stalled, ${c.counts.slow} slow, ${c.counts.churn} churning`],
    ['churn', `${v.churnConnects} connections, ${v.churnResets} ended with an RST`],
    ['cut off by the server', `${v.stalledCutOff} stalled, ${v.slowCutOff} slow (each replaced at once)`],
    ['RSS', `start ${mb(r.start)}, after warm-up ${mb(r.warm)}, end ${mb(r.final)}, peak ${mb(r.peak)} (${mb(r.peakAfterWarmup)} after warm-up)`],
    ['server log', `${(run.serverLogBytes / 1024).toFixed(0)} KB, ${run.serverLogLines ?? '?'} lines (JSON)`],
    ['machine load', `1-minute load average ${run.load.mean.toFixed(1)} on average, ${run.load.max.toFixed(1)} at most, on ${run.machine.cores} cores (shared with other work)`],
  ];
}

export function printSoak(run, verdict) {
  for (const [k, v] of facts(run)) console.log(`${k.padEnd(22)} ${v}`);
  for (const t of verdict) console.log(`${t.met ? 'MET   ' : 'FAILED'} ${t.target}: ${t.value}`);
  if (run.viewers.disconnectReasons?.length) console.log(`healthy viewers cut off: ${run.viewers.disconnectReasons.join('; ')}`);
}

export function appendSoakResults(path, run, verdict, jsonPath) {
  const m = run.machine;
  const lines = [
    `## ${run.date.slice(0, 16).replace('T', ' ')} UTC: soak (\`npm run soak\`), ${(run.elapsedMs / 60_000).toFixed(0)} minutes`,
    '',
    `- Machine: ${m.cores} cores (${m.cpuModel}), Linux ${m.kernel}, Node ${m.node}; raw: \`${jsonPath}\` (not committed)`,
    '',
    '| | |',
    '|---|---|',
    ...facts(run).map(([k, v]) => `| ${k} | ${v.replace(/\|/g, '\\|')} |`),
    '',
    'Targets (issue 8):',
    '',
    ...verdict.map((t) => `- **${t.met ? 'met' : 'NOT MET'}**: ${t.target}: ${t.value}`),
    '',
  ];
  const header = '# Benchmark results\n\n';
  const before = existsSync(path) ? readFileSync(path, 'utf8') : header;
  writeFileSync(path, `${before.trimEnd()}\n\n${lines.join('\n')}`);
}
