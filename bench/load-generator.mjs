// The load generator, a child process of fanout.mjs driven over IPC. It opens the viewers
// (half HTTP-FLV, half RTMP), ramps them up, and reports byte counters on request.
//
// messages in:  { cmd: 'start', viewers, rampMs, flvUrl, rtmp: {host,port,app,key} }
//               { cmd: 'snapshot' }   { cmd: 'stop' }
// messages out: { type: 'ramped', ... }  { type: 'snapshot', ... }  { type: 'stopped' }

import { FlvViewer } from './flv-viewer.mjs';
import { RtmpViewer } from './rtmp-viewer.mjs';

/** @type {(FlvViewer | RtmpViewer)[]} */
const viewers = [];
const closeReasons = new Map();
const send = (msg) => process.send?.(msg);

function countReason(v) {
  const key = `${v instanceof FlvViewer ? 'flv' : 'rtmp'}: ${v.closeReason}`;
  closeReasons.set(key, (closeReasons.get(key) ?? 0) + 1);
}

async function start({ viewers: n, rampMs, flvUrl, rtmp }) {
  const gap = n > 1 ? rampMs / (n - 1) : 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const due = t0 + i * gap;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const hooks = { onClose: countReason };
    const v = i % 2 === 0 ? new FlvViewer(flvUrl, hooks) : new RtmpViewer(rtmp, hooks);
    viewers.push(v);
    v.start();
  }
  // give the last ones a moment to reach 'playing'
  const deadline = performance.now() + 5000;
  while (performance.now() < deadline && viewers.some((v) => v.state !== 'playing' && v.state !== 'closed')) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const joinMs = viewers.filter((v) => v.playingAt).map((v) => v.playingAt - v.startedAt).sort((a, b) => a - b);
  send({
    type: 'ramped',
    rampSeconds: (performance.now() - t0) / 1000,
    ...counts(),
    firstBytesMsMedian: joinMs.length ? joinMs[Math.floor(joinMs.length / 2)] : null,
  });
}

function counts() {
  const c = { playing: 0, playingFlv: 0, playingRtmp: 0, notPlaying: 0, closed: 0 };
  for (const v of viewers) {
    if (v.state === 'playing') {
      c.playing++;
      if (v instanceof FlvViewer) c.playingFlv++;
      else c.playingRtmp++;
    } else if (v.state === 'closed') c.closed++;
    else c.notPlaying++;
  }
  return c;
}

function snapshot() {
  const cpu = process.cpuUsage();
  send({
    type: 'snapshot',
    at: performance.now() + performance.timeOrigin,
    perViewer: viewers.map((v) => ({
      protocol: v instanceof FlvViewer ? 'flv' : 'rtmp',
      bytes: v.bytes,
      state: v.state,
    })),
    ...counts(),
    closeReasons: Object.fromEntries(closeReasons),
    loadCpuUserS: cpu.user / 1e6,
    loadCpuSystemS: cpu.system / 1e6,
  });
}

process.on('message', (msg) => {
  if (msg.cmd === 'start') {
    start(msg).catch((err) => send({ type: 'error', message: String(err?.stack ?? err) }));
  } else if (msg.cmd === 'snapshot') {
    snapshot();
  } else if (msg.cmd === 'stop') {
    for (const v of viewers) v.stop();
    send({ type: 'stopped' });
    setTimeout(() => process.exit(0), 50);
  }
});
process.on('disconnect', () => process.exit(0));
