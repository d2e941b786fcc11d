// The fan-out table: one row per server and protocol, every figure with its ratio to nginx-rtmp's RTMP row of the
// same run (the reference: a C server doing the same job on the same machine at the same moment).

export const f = (x, d = 1) => (x == null || Number.isNaN(x) || !Number.isFinite(x) ? '-' : x.toFixed(d));
export const pct = (x, d = 1) => (x == null ? '-' : `${(100 * x).toFixed(d)} %`);
const ratio = (x, ref) => (x == null || !ref ? null : x / ref);
const fr = (r) => (r >= 1 ? r.toFixed(2) : r.toPrecision(2));
const withRatio = (x, ref, d = 2) => (ratio(x, ref) == null ? f(x, d) : `${f(x, d)} (${fr(ratio(x, ref))}x)`);

const PROTOCOL_NAMES = { rtmp: 'RTMP', flv: 'HTTP-FLV', ws: 'WS-FLV', hls: 'HLS' };
export const protocolName = (p) => PROTOCOL_NAMES[p] ?? p;

/** nginx-rtmp's RTMP row, when it ran. */
export function reference(suite) {
  return suite.rows.find((r) => r.server === 'nginx-rtmp' && r.protocol === 'rtmp' && r.window) ?? null;
}

export function fanoutLines(suite) {
  const ref = reference(suite);
  const lines = [];
  lines.push(`### Fan-out: ${suite.viewers} viewers of one stream, ${suite.windowS} s window${suite.rampS ? `, ramp ${suite.rampS} s` : ', all joining at the same moment'}`);
  lines.push('');
  if (suite.rounds > 1) lines.push(`Each server and protocol ran ${suite.rounds} times, the rounds one after the other, each round starting one place further along the list; every figure is the median of its rounds (each round below the table).`, '');
  lines.push(ref ? '(x) = ratio to nginx-rtmp\'s RTMP figure in this run; lower is better for every column.' : 'nginx-rtmp did not run: no ratios.');
  lines.push('');
  lines.push(`| server | load | CPU s/GB total | user s/GB | system s/GB | peak RSS MB | one joining: median / max ms | ${suite.rampS ? 'ramped' : `${suite.viewers} at once`}: first keyframe median / max ms | delivered | worst viewer: media time / bytes vs median | server CPU % of a core | load generators % of a core | machine busy |`);
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of suite.rows) {
    const load = `${suite.viewers} ${protocolName(r.protocol)}`;
    if (r.skipped || !r.window) {
      lines.push(`| ${r.server} | ${load} | ${r.skipped ? `skipped: ${r.skipped}` : `error: ${r.error ?? 'no window'}`} |${' |'.repeat(10)}`);
      continue;
    }
    const w = r.window;
    const rw = ref?.window;
    lines.push(`| ${r.server} ${r.version} | ${load} | ${withRatio(w.cpuTotalSPerGB, rw?.cpuTotalSPerGB)} | ${withRatio(w.cpuUserSPerGB, rw?.cpuUserSPerGB)} | ${withRatio(w.cpuSysSPerGB, rw?.cpuSysSPerGB)} | ${withRatio(r.memory?.peakMB, ref?.memory?.peakMB, 1)} | ${withRatio(r.joins?.medianMs, ref?.joins?.medianMs, 1)} / ${f(r.joins?.maxMs)} | ${withRatio(r.burst?.medianMs, ref?.burst?.medianMs, 1)} / ${f(r.burst?.maxMs)} (${r.burst?.ok}/${r.burst?.count}) | ${f(w.deliveredPct)} % | ${pct(w.worstViewer?.media)} / ${pct(w.worstBytesVsMedian)} | ${f(w.serverCpuPctOfOneCore, 0)} | ${w.load.map((l) => f(l.cpuPct, 0)).join(' + ')} | ${f(w.machineBusyPct, 0)} % |`);
  }
  lines.push('');
  const later = suite.rows.filter((r) => r.laterBurst);
  if (later.length) {
    const each = later.map((r) => `${r.server} ${protocolName(r.protocol)} ${f(r.laterBurst.medianMs)} / ${f(r.laterBurst.maxMs)} ms (${r.laterBurst.ok}/${r.laterBurst.count})`);
    lines.push(`A later burst (the column above is a freshly started server's first; then every viewer left and ${suite.viewers} joined again at the same moment, on the same server): first keyframe median / max: ${each.join('; ')}.`, '');
  }
  if (suite.rounds > 1) lines.push(...roundLines(suite), '');
  // Runs before the per-protocol floors recorded only `floor` (HTTP-FLV).
  const floors = Object.entries(suite.floors ?? (suite.floor ? { flv: suite.floor } : {}));
  if (floors.length) {
    const each = floors.map(([p, fl]) => `${protocolName(p)} ${fl.error ? `error: ${fl.error}` : `median ${f(fl.medianMs)} ms, max ${f(fl.maxMs)} ms (${fl.ok}/${fl.count})`}`);
    lines.push(`Join floor (bench/floor-server.mjs: the same ${suite.viewers} viewers at once against a server that only sends each, from memory and in one write per request it must answer, the clip's header, sequence headers and a keyframe of median size, i.e. what the clients and the kernel take; RTMP's includes the handshake and three command round trips): ${each.join('; ')}.`, '');
  }
  const problems = [];
  for (const r of suite.rows) {
    const where = `${r.server} ${protocolName(r.protocol)}`;
    if (r.error) problems.push(`${where}: ${r.error}`);
    if (r.window && r.window.closedDuringWindow) problems.push(`${where}: ${r.window.closedDuringWindow} viewers closed during the window: ${JSON.stringify(r.window.closeReasons)}`);
    if (r.joins?.errors?.length) problems.push(`${where}: joins failed: ${r.joins.errors.slice(0, 3).join('; ')}`);
    if (r.exit?.killed) problems.push(`${where}: the server needed SIGKILL to stop`);
  }
  if (problems.length) lines.push('Problems seen:', '', ...problems.map((p) => `- ${p}`), '');
  return lines;
}

/** Each round's CPU s/GB (user + system), peak RSS and burst join median, per server and protocol. */
function roundLines(suite) {
  const lines = ['Rounds (CPU s/GB user + system; peak RSS MB; all at once: first keyframe median ms, and the CPU the burst took of the server, every thread, and of the load generators):', ''];
  for (const row of suite.rows) {
    const each = suite.roundRows.map((rows) => rows.find((r) => r.server === row.server && r.protocol === row.protocol)).filter((r) => r?.window);
    if (!each.length) continue;
    const cpu = each.map((r) => `${f(r.window.cpuTotalSPerGB, 2)} (${f(r.window.cpuUserSPerGB, 2)} + ${f(r.window.cpuSysSPerGB, 2)})`).join(', ');
    // Runs before the burst's CPU was measured have no serverCpuMs.
    const burstCpu = each.some((r) => r.burst?.serverCpuMs != null)
      ? ` (server ${each.map((r) => f(r.burst?.serverCpuMs, 0)).join(', ')} ms of CPU, load generators ${each.map((r) => f(r.burst?.loadCpuMs, 0)).join(', ')} ms)`
      : '';
    const later = each.some((r) => r.laterBurst) ? `; a later burst ${each.map((r) => f(r.laterBurst?.medianMs)).join(', ')} ms (server ${each.map((r) => f(r.laterBurst?.serverCpuMs, 0)).join(', ')} ms of CPU)` : '';
    lines.push(`- ${row.server} ${protocolName(row.protocol)}: ${cpu}; ${each.map((r) => f(r.memory?.peakMB)).join(', ')} MB; ${each.map((r) => f(r.burst?.medianMs)).join(', ')} ms${burstCpu}${later}`);
  }
  return lines;
}
