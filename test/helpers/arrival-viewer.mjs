// An HTTP-FLV viewer in a process of its own, so that what a test does in its own process (hundreds of hostile
// connections, reading /proc) cannot delay it: it reads the stream as a player would and reports, every
// REPORT_MS, how long it has waited between tags. One JSON line per report on stdout:
//   { at, frames, tags, gapMs, gapFrom, lastVideoTs, regressions, maxVideoStep, status, ended }
// `at` and `gapFrom` are epoch milliseconds; gapMs is the largest wait between two tags (or since the last tag, for a
// wait still going on) in the window that ends at `at`; regressions counts video timestamps that went back,
// maxVideoStep is the largest step between two video frames' timestamps.
// usage: node arrival-viewer.mjs <http-flv-url>

import http from 'node:http';
import { FlvWatch } from '../../bench/flv-watch.mjs';

const REPORT_MS = 250;

const url = process.argv[2];
const watch = new FlvWatch();
const epoch = (t) => performance.timeOrigin + t;
let status = 0;
let ended = null;

function report() {
  const gap = watch.takeWindow();
  const { frames, tags, lastVideoTs, regressions, maxVideoStep } = watch;
  const line = { at: epoch(performance.now()), frames, tags, gapMs: gap.ms, gapFrom: epoch(gap.from), lastVideoTs, regressions, maxVideoStep, status, ended };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const req = http.get(url, { agent: false }, (res) => {
  status = res.statusCode ?? 0;
  res.on('data', (chunk) => {
    try {
      watch.push(chunk);
    } catch (error) {
      ended ??= `bad FLV: ${error.message}`;
      req.destroy();
    }
  });
  res.on('end', () => (ended ??= 'end'));
  res.on('close', () => (ended ??= res.complete ? 'end' : 'aborted'));
});
req.on('error', (e) => (ended ??= `error: ${e.code ?? e.message}`));
setInterval(report, REPORT_MS);
process.on('SIGTERM', () => {
  report();
  process.exit(0);
});
