// An HTTP-FLV viewer in a process of its own, so that what a test does in its own process (hundreds of hostile
// connections, reading /proc) cannot delay it: it reads the stream as a player would and reports, every
// REPORT_MS, how long it has waited between tags. One JSON line per report on stdout:
//   { at, frames, tags, gapMs, gapFrom, lastVideoTs, regressions, maxVideoStep, status, ended }
// `at` and `gapFrom` are epoch milliseconds (performance.timeOrigin + performance.now()); gapMs is the largest wait
// between two tags (or since the last tag, for a wait still going on) in the window that ends at `at`;
// regressions counts video timestamps that went back, maxVideoStep is the largest step between two video frames' timestamps.
// usage: node arrival-viewer.mjs <http-flv-url>

import http from 'node:http';

const REPORT_MS = 250;
const FLV_HEADER_BYTES = 9 + 4; // FLV spec E.2 header + PreviousTagSize0
const TAG_HEADER_BYTES = 11; // E.4.1

const url = process.argv[2];
const now = () => performance.timeOrigin + performance.now();
let pending = Buffer.alloc(0);
let headerDone = false;
let tags = 0;
let frames = 0;
let lastVideoTs = -1;
let regressions = 0;
let maxVideoStep = 0;
let lastArrival = now();
let windowGap = { ms: 0, from: lastArrival };
let status = 0;
let ended = null;

function arrived() {
  const t = now();
  if (t - lastArrival > windowGap.ms) windowGap = { ms: t - lastArrival, from: lastArrival };
  lastArrival = t;
}

function onData(chunk) {
  pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
  let pos = 0;
  if (!headerDone) {
    if (pending.length < FLV_HEADER_BYTES) return;
    pos = pending.readUInt32BE(5) + 4;
    headerDone = true;
  }
  while (pending.length - pos >= TAG_HEADER_BYTES) {
    const type = pending[pos] & 0x1f;
    const size = pending.readUIntBE(pos + 1, 3);
    const total = TAG_HEADER_BYTES + size + 4;
    if (pending.length - pos < total) break;
    const ts = (pending.readUIntBE(pos + 4, 3) | (pending[pos + 7] << 24)) >>> 0;
    tags++;
    arrived();
    // Video frames, not sequence headers (AVCPacketType 0) nor end of sequence (2): E.4.3.1.
    if (type === 9 && size >= 2 && !((pending[pos + TAG_HEADER_BYTES] & 0x0f) === 7 && pending[pos + TAG_HEADER_BYTES + 1] !== 1)) {
      frames++;
      if (ts < lastVideoTs) regressions++;
      if (lastVideoTs >= 0) maxVideoStep = Math.max(maxVideoStep, ts - lastVideoTs);
      lastVideoTs = ts;
    }
    pos += total;
  }
  pending = pending.subarray(pos);
}

function report() {
  const t = now();
  const ongoing = t - lastArrival;
  const gap = ongoing > windowGap.ms ? { ms: ongoing, from: lastArrival } : windowGap;
  process.stdout.write(`${JSON.stringify({ at: t, frames, tags, gapMs: gap.ms, gapFrom: gap.from, lastVideoTs, regressions, maxVideoStep, status, ended })}\n`);
  windowGap = { ms: 0, from: t };
}

const req = http.get(url, { agent: false }, (res) => {
  status = res.statusCode ?? 0;
  res.on('data', onData);
  res.on('end', () => (ended ??= 'end'));
  res.on('close', () => (ended ??= res.complete ? 'end' : 'aborted'));
});
req.on('error', (e) => (ended ??= `error: ${e.code ?? e.message}`));
setInterval(report, REPORT_MS);
process.on('SIGTERM', () => {
  report();
  process.exit(0);
});
