#!/usr/bin/env node
// Summarises a V8 .cpuprofile (what `node --cpu-prof` writes): the functions with the most self time (their own code)
// and the most inclusive time (their code and everything they called), and self time per file.
//
//   node bench/cpuprofile-summary.mjs bench/out/prof/<run>/<file>.cpuprofile [--top 25]
//   node bench/cpuprofile-summary.mjs <file> --from 60 --to 80   # only samples 60-80 s after the profile's start
//
// Format (Chrome DevTools protocol, Profiler.Profile): nodes { id, callFrame { functionName, url, lineNumber },
// children }, samples (node ids) and timeDeltas (µs between consecutive samples).

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** Pseudo-nodes V8 adds; (idle) is the event loop waiting, (program) native code outside JS, (garbage collector) GC. */
const IDLE = '(idle)';

function frameKey(callFrame) {
  const name = callFrame.functionName || '(anonymous)';
  if (!callFrame.url) return name;
  return `${name} ${shortUrl(callFrame.url)}:${callFrame.lineNumber + 1}`;
}

function shortUrl(url) {
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return path.startsWith('/') ? relative(process.cwd(), path) : path;
}

/**
 * `{ totalMs, idleMs, busyMs, self: [{ fn, ms, pct }], inclusive: [...], files: [...] }`, percentages of busy time
 * (everything but (idle)). Inclusive time counts a function once per sample however deep it recurses. `window`: only
 * the samples taken that many seconds after the profile's start (a server's steady state, without its start-up).
 */
export function summarizeProfile(profile, top = 20, window = { fromS: 0, toS: Infinity }) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  let atUs = 0;
  profile.samples.forEach((id, i) => {
    atUs += profile.timeDeltas[i] ?? 0;
    if (atUs < window.fromS * 1e6 || atUs >= window.toS * 1e6) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });

  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const roots = profile.nodes.filter((n) => !parent.has(n.id));

  const self = new Map();
  const inclusive = new Map();
  const files = new Map();
  let totalUs = 0;
  let idleUs = 0;
  // depth-first, iteratively: a subtree's time is added to a function once, at its outermost frame on the path
  const onPath = new Map();
  const subtree = new Map();
  const stack = roots.map((n) => ({ id: n.id, entered: false }));
  while (stack.length) {
    const top = stack[stack.length - 1];
    const node = nodes.get(top.id);
    const key = frameKey(node.callFrame);
    if (!top.entered) {
      top.entered = true;
      onPath.set(key, (onPath.get(key) ?? 0) + 1);
      for (const c of node.children ?? []) stack.push({ id: c, entered: false });
      continue;
    }
    stack.pop();
    const own = selfUs.get(node.id) ?? 0;
    const sub = own + (node.children ?? []).reduce((n, c) => n + (subtree.get(c) ?? 0), 0);
    subtree.set(node.id, sub);
    totalUs += own;
    if (node.callFrame.functionName === IDLE) idleUs += own;
    self.set(key, (self.get(key) ?? 0) + own);
    const file = node.callFrame.url ? shortUrl(node.callFrame.url) : node.callFrame.functionName || '(native)';
    files.set(file, (files.get(file) ?? 0) + own);
    const depth = onPath.get(key) - 1;
    if (depth === 0) inclusive.set(key, (inclusive.get(key) ?? 0) + sub);
    if (depth === 0) onPath.delete(key);
    else onPath.set(key, depth);
  }
  const busyUs = totalUs - idleUs;
  const rank = (m) => [...m].filter(([k]) => k !== IDLE && !k.startsWith('(root)')).sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([fn, us]) => ({ fn, ms: us / 1000, pct: busyUs ? (100 * us) / busyUs : 0 }));
  return { totalMs: totalUs / 1000, idleMs: idleUs / 1000, busyMs: busyUs / 1000, self: rank(self), inclusive: rank(inclusive), files: rank(files) };
}

export function formatSummary(s, title = '') {
  const lines = [];
  if (title) lines.push(title);
  lines.push(`sampled ${(s.totalMs / 1000).toFixed(1)} s: busy ${(s.busyMs / 1000).toFixed(2)} s, idle ${(s.idleMs / 1000).toFixed(1)} s (percentages below are of busy time)`);
  const table = (name, rows) => {
    lines.push('', name);
    for (const r of rows) lines.push(`  ${r.pct.toFixed(1).padStart(5)} %  ${r.ms.toFixed(0).padStart(7)} ms  ${r.fn}`);
  };
  table('self time (the function\'s own code):', s.self);
  table('inclusive time (the function and what it called):', s.inclusive);
  table('self time per file:', s.files);
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: {
    top: { type: 'string', default: '25' },
    from: { type: 'string', default: '0' },
    to: { type: 'string', default: 'Infinity' },
  } });
  if (!positionals.length) {
    console.error('usage: node bench/cpuprofile-summary.mjs <file.cpuprofile> [--top N] [--from S] [--to S]');
    process.exit(2);
  }
  for (const path of positionals) {
    console.log(formatSummary(summarizeProfile(JSON.parse(readFileSync(path, 'utf8')), Number(values.top), { fromS: Number(values.from), toS: Number(values.to) }), `== ${path}`));
  }
}
