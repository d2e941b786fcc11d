// The goals of issue 13, checked against one run's results: `{ target, value, met }` where met is true, false, or
// null (not measured in this run, or measured at another load than the goal names).

import { f, pct, protocolName, reference } from './report-fanout.mjs';

const NGINX_CPU_RATIO = 0.8;
const USER_S_PER_GB = 0.45;
const RSS_300_MB = 64;
const RSS_1000_MB = 96;
const RSS_DASHBOARD_MB = 80;
const JOIN_ONE_MS = 30;
const JOIN_BURST_MS = 100;
const MIN_RATE = 0.99;

export function issueTargets(suites) {
  const out = [];
  const bySuite = Object.fromEntries(suites.map((s) => [s.suite, s]));
  if (bySuite.fanout) out.push(...fanoutTargets(bySuite.fanout));
  if (bySuite.thousand) out.push(...rateTargets(bySuite.thousand, `${bySuite.thousand.viewers} viewers of one stream`, RSS_1000_MB, 1000));
  if (bySuite.streams) out.push(...rateTargets(bySuite.streams, `${bySuite.streams.streams} streams x ${bySuite.streams.viewersPerStream} viewers`, null));
  if (bySuite.latency) out.push(...latencyTargets(bySuite.latency));
  if (bySuite.dashboard) {
    const r = bySuite.dashboard.rows.find((x) => x.mode === 'dashboard');
    if (r) out.push({ target: `serve with the dashboard on, one stream and ten viewers: peak RSS at most ${RSS_DASHBOARD_MB} MB`, value: `${f(r.peakMB)} MB over ${r.seconds} s with ${r.viewers} viewers`, met: r.error ? null : r.viewers === 10 ? r.peakMB <= RSS_DASHBOARD_MB : null });
  }
  return out;
}

function fanoutTargets(suite) {
  const out = [];
  const kayak = (p) => suite.rows.find((r) => r.server === 'kayak-cast' && r.protocol === p && r.window);
  const ref = reference(suite);
  const rtmp = kayak('rtmp');
  const at300 = suite.viewers === 300 ? (x) => x : () => null;
  if (rtmp && ref) {
    const k = rtmp.window.cpuTotalSPerGB;
    const n = ref.window.cpuTotalSPerGB;
    out.push({ target: `300 RTMP viewers: CPU s/GB (user + system) at most ${NGINX_CPU_RATIO} x nginx-rtmp's`, value: `${f(k, 2)} vs ${f(n, 2)} s/GB: ${f(k / n, 2)} x`, met: at300(k <= NGINX_CPU_RATIO * n) });
  } else out.push({ target: `CPU s/GB at most ${NGINX_CPU_RATIO} x nginx-rtmp's`, value: 'needs kayak-cast and nginx-rtmp RTMP rows in one run', met: null });
  if (rtmp) out.push({ target: `300 RTMP viewers: user-space CPU at most ${USER_S_PER_GB} s/GB`, value: `${f(rtmp.window.cpuUserSPerGB, 2)} s/GB`, met: at300(rtmp.window.cpuUserSPerGB <= USER_S_PER_GB) });
  for (const p of ['flv', 'ws']) {
    const r = kayak(p);
    if (r && rtmp) out.push({ target: `${protocolName(p)} CPU s/GB no higher than kayak-cast's RTMP figure`, value: `${f(r.window.cpuTotalSPerGB, 2)} vs ${f(rtmp.window.cpuTotalSPerGB, 2)} s/GB`, met: r.window.cpuTotalSPerGB <= rtmp.window.cpuTotalSPerGB });
  }
  for (const r of suite.rows.filter((x) => x.server === 'kayak-cast' && x.window)) {
    const name = protocolName(r.protocol);
    out.push({ target: `${name}: peak RSS at most ${RSS_300_MB} MB with 300 viewers`, value: `${f(r.memory?.peakMB)} MB with ${suite.viewers}`, met: at300(r.memory?.peakMB <= RSS_300_MB) });
    out.push({ target: `${name}: one viewer joining a stream with 300: median first keyframe at most ${JOIN_ONE_MS} ms`, value: `median ${f(r.joins?.medianMs)} ms, max ${f(r.joins?.maxMs)} ms (${r.joins?.ok} joins)`, met: at300(r.joins?.medianMs != null && r.joins.medianMs <= JOIN_ONE_MS) });
    const fl = suite.floors?.[r.protocol] ?? suite.floor;
    const floor = (fl?.medianMs != null ? `; join floor ${f(fl.medianMs)} / ${f(fl.maxMs)} ms` : '') + (r.laterBurst?.medianMs != null ? `; a later burst on the same server ${f(r.laterBurst.medianMs)} / ${f(r.laterBurst.maxMs)} ms` : '');
    if (!suite.rampS) out.push({ target: `${name}: 300 joining at the same moment: median first keyframe at most ${JOIN_BURST_MS} ms`, value: `median ${f(r.burst?.medianMs)} ms, max ${f(r.burst?.maxMs)} ms (${r.burst?.ok}/${r.burst?.count})${floor}`, met: at300(r.burst?.medianMs != null && r.burst.medianMs <= JOIN_BURST_MS && r.burst.ok === r.burst.count) });
  }
  return out;
}

function rateTargets(suite, what, rssLimit, expectViewers) {
  const out = [];
  for (const r of suite.rows.filter((x) => x.server === 'kayak-cast')) {
    if (!r.window) {
      out.push({ target: `${what}: every viewer at least ${MIN_RATE * 100} % of the stream's rate`, value: r.skipped ?? r.error ?? 'no window', met: null });
      continue;
    }
    const w = r.window;
    const worst = Math.min(w.worstViewer?.media ?? 0, w.worstBytesVsMedian ?? 0);
    const all = w.viewersPlayingStart === (suite.viewers ?? suite.streams * suite.viewersPerStream) && !w.closedDuringWindow;
    out.push({ target: `${what}: every viewer at least ${MIN_RATE * 100} % of the stream's rate`, value: `worst viewer ${pct(w.worstViewer?.media)} of real time (${protocolName(w.worstViewer?.protocol)}), bytes ${pct(w.worstBytesVsMedian)} of its protocol's median; ${w.viewersPlayingStart} playing, ${w.closedDuringWindow} closed in the window`, met: worst >= MIN_RATE && all });
    if (rssLimit) out.push({ target: `${what}: peak RSS at most ${rssLimit} MB`, value: `${f(r.memory?.peakMB)} MB`, met: suite.viewers === expectViewers ? r.memory?.peakMB <= rssLimit : null });
  }
  return out;
}

function latencyTargets(suite) {
  const out = [];
  for (const r of suite.rows.filter((x) => x.server === 'kayak-cast' && x.byProtocol)) {
    for (const [p, s] of Object.entries(r.byProtocol)) {
      out.push({ target: `${protocolName(p)}: added latency at most one frame interval (${f(suite.frameMs)} ms) at p99`, value: `median ${f(s.medianMs)} ms, p99 ${f(s.p99Ms)} ms, max ${f(s.maxMs)} ms over ${s.samples} frames`, met: s.samples > 0 ? s.p99Ms <= suite.frameMs : null });
    }
  }
  return out;
}

const mark = (met) => (met === true ? 'met' : met === false ? 'NOT met' : 'n/a');

export function targetLines(suites) {
  const targets = issueTargets(suites);
  if (!targets.length) return [];
  return ['### Goals of issue 13', '', ...targets.map((t) => `- **${mark(t.met)}**: ${t.target}: ${t.value}`), ''];
}
