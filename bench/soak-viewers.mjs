// The soak's viewers, a child process of soak.mjs driven over IPC, so that their work never shares an event loop with
// the measuring. Four behaviours:
//   healthy  HTTP-FLV and WebSocket-FLV viewers of the channel that read everything and judge what they get
//            (gaps in arrival, timestamps back or jumping); they must never be cut off;
//   stalled  viewers that never read a byte (the server must cut them off); each is replaced when it is;
//   slow     viewers that read well below the stream's bitrate (they fall behind, are cut off, come back);
//   churn    viewers of any live stream that connect, watch one to five seconds and leave with an RST
//            (socket.resetAndDestroy): HTTP-FLV, WebSocket-FLV and RTMP in turn.
//
// messages in:  { cmd: 'start', host, httpPort, rtmpPort, app, channel, counts: {healthy, stalled, slow, churn}, staggerMs }
//               (stalled and slow viewers start spread over staggerMs, so that they do not fill, get cut off and
//               come back all at once: the server's memory then has a steady state to measure)
//               { cmd: 'warm' } (gaps count from now)  { cmd: 'snapshot' }  { cmd: 'stop' }
// messages out: { type: 'started' }  { type: 'snapshot', ... }  { type: 'stopped' }

import http from 'node:http';
import net from 'node:net';
import WebSocket from 'ws';
import { FlvWatch } from './flv-watch.mjs';
import { RtmpViewer } from './rtmp-viewer.mjs';

/** What a slow viewer reads per second: well below any stream of the soak. */
const SLOW_BYTES_PER_S = 8 * 1024;
const CHURN_MIN_MS = 1_000;
const CHURN_MAX_MS = 5_000;
const REPLACE_AFTER_MS = 500;
const LIVE_KEYS_EVERY_MS = 2_000;

const send = (msg) => process.send?.(msg);
/**
 * Stalled and slow viewers, by the address the server knows them by. One that does not read never sees the server's
 * FIN behind its unread bytes, so a cut-off is seen in /api/status instead: listed once, then gone.
 */
const laggards = new Map();
let cfg;
let stopping = false;
let liveKeys = [];
const healthy = [];
const counters = { stalledCutOff: 0, slowCutOff: 0, churnConnects: 0, churnResets: 0, healthyDisconnects: 0 };
const disconnectReasons = [];

function flvUrl(key) {
  return `http://${cfg.host}:${cfg.httpPort}/${cfg.app}/${key}.flv`;
}

function wsUrl(key) {
  return `ws://${cfg.host}:${cfg.httpPort}/${cfg.app}/${key}.flv`;
}

function startHealthy(i) {
  const viewer = { kind: i % 2 === 0 ? 'flv' : 'ws', watch: new FlvWatch(), closed: false, reason: '' };
  const onBytes = (chunk) => {
    try {
      viewer.watch.push(chunk);
    } catch (error) {
      viewer.reason = error.message;
    }
  };
  const onClose = (reason) => {
    if (viewer.closed) return;
    viewer.closed = true;
    viewer.reason ||= reason;
    if (!stopping) {
      counters.healthyDisconnects++;
      disconnectReasons.push(`${viewer.kind}: ${viewer.reason}`);
    }
  };
  if (viewer.kind === 'flv') {
    const req = http.get(flvUrl(cfg.channel), { agent: false }, (res) => {
      res.on('data', onBytes);
      res.on('close', () => onClose(`response closed (HTTP ${res.statusCode})`));
    });
    req.on('error', (e) => onClose(e.code ?? e.message));
    viewer.stop = () => req.destroy();
  } else {
    const ws = new WebSocket(wsUrl(cfg.channel), { perMessageDeflate: false });
    ws.on('message', (data) => onBytes(Buffer.isBuffer(data) ? data : Buffer.concat(data)));
    ws.on('close', (code) => onClose(`ws close ${code}`));
    ws.on('error', (e) => onClose(e.code ?? e.message));
    viewer.stop = () => ws.terminate();
  }
  healthy.push(viewer);
}

/**
 * A viewer on a raw socket (so that not reading is really not reading: no client library reads for us): HTTP-FLV, a
 * WebSocket-FLV upgrade (RFC 6455 4.1; server frames need no unmasking to be discarded), or RTMP play (RtmpViewer).
 */
function rawViewer(kind, key) {
  if (kind === 'rtmp') {
    const viewer = new RtmpViewer({ host: cfg.host, port: cfg.rtmpPort, app: cfg.app, key });
    viewer.start();
    return viewer.conn.socket;
  }
  const socket = net.connect({ host: cfg.host, port: cfg.httpPort });
  socket.on('error', () => {});
  const upgrade = kind === 'ws' ? 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' : '';
  socket.once('connect', () => socket.write(`GET /${cfg.app}/${key}.flv HTTP/1.1\r\nHost: ${cfg.host}\r\n${upgrade}\r\n`));
  return socket;
}

const KINDS = ['flv', 'ws', 'rtmp'];

/** Watches a stalled or slow viewer until the server drops it (or it closes), then starts its replacement. */
function trackLaggard(socket, counter, replace) {
  let done = false;
  const entry = { seen: false, cutOff: () => {
    if (done || stopping) return;
    done = true;
    laggards.delete(address);
    counters[counter]++;
    socket.destroy();
    setTimeout(replace, REPLACE_AFTER_MS);
  } };
  let address;
  socket.once('connect', () => {
    address = `${socket.localAddress}:${socket.localPort}`;
    laggards.set(address, entry);
  });
  socket.once('close', entry.cutOff);
}

function startStalled(i) {
  if (stopping) return;
  const socket = rawViewer(KINDS[i % 3], cfg.channel);
  // RtmpViewer reads its setup replies itself; it stops reading once it plays (a second is plenty).
  if (KINDS[i % 3] === 'rtmp') setTimeout(() => socket.pause(), 1_000);
  else socket.pause();
  trackLaggard(socket, 'stalledCutOff', () => startStalled(i));
}

function startSlow(i) {
  if (stopping) return;
  const socket = rawViewer(KINDS[i % 2], cfg.channel);
  // Read in tenths of a second's allowance; pausing the socket leaves the rest in the kernel's buffers.
  let budget = SLOW_BYTES_PER_S / 10;
  socket.on('data', (chunk) => {
    budget -= chunk.length;
    if (budget <= 0) socket.pause();
  });
  const tick = setInterval(() => {
    budget = Math.min(budget + SLOW_BYTES_PER_S / 10, SLOW_BYTES_PER_S / 10);
    if (budget > 0) socket.resume();
  }, 100);
  socket.once('close', () => clearInterval(tick));
  trackLaggard(socket, 'slowCutOff', () => startSlow(i));
}

function startChurn(i) {
  if (stopping) return;
  const keys = liveKeys.length > 0 ? liveKeys : [cfg.channel];
  const key = keys[Math.floor(Math.random() * keys.length)];
  const lifetime = CHURN_MIN_MS + Math.random() * (CHURN_MAX_MS - CHURN_MIN_MS);
  counters.churnConnects++;
  const kind = KINDS[i % 3];
  const socket = rawViewer(kind, key);
  if (kind !== 'rtmp') socket.on('data', () => {});
  setTimeout(() => {
    if (!socket.destroyed) {
      socket.resetAndDestroy();
      counters.churnResets++;
    }
    startChurn(i);
  }, lifetime);
}

async function refreshLiveKeys() {
  try {
    const res = await fetch(`http://${cfg.host}:${cfg.httpPort}/api/status`, { signal: AbortSignal.timeout(3_000) });
    const status = await res.json();
    liveKeys = status.streams.filter((s) => s.state === 'live').map((s) => s.key);
    const listed = new Set(status.viewers.map((v) => v.remoteAddress));
    for (const [address, entry] of laggards) {
      if (listed.has(address)) entry.seen = true;
      else if (entry.seen) entry.cutOff();
    }
  } catch {
    // keep the last list
  }
}

function snapshot() {
  const now = performance.now();
  const watching = healthy.filter((v) => !v.closed);
  send({
    type: 'snapshot',
    healthy: healthy.length,
    healthyWatching: watching.length,
    frames: Math.min(...healthy.map((v) => v.watch.frames)),
    maxGapMs: Math.max(0, ...healthy.map((v) => Math.max(v.watch.maxGapMs, v.closed ? 0 : v.watch.currentGapMs(now)))),
    regressions: healthy.reduce((n, v) => n + v.watch.regressions, 0),
    maxVideoStep: Math.max(0, ...healthy.map((v) => v.watch.maxVideoStep)),
    ...counters,
    disconnectReasons: disconnectReasons.slice(0, 10),
    liveKeys: liveKeys.length,
    loadCpuS: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  });
}

process.on('message', (msg) => {
  if (msg.cmd === 'start') {
    cfg = msg;
    const { counts } = msg;
    for (let i = 0; i < counts.healthy; i++) startHealthy(i);
    const spread = (i, n) => (msg.staggerMs * i) / Math.max(1, n);
    for (let i = 0; i < counts.stalled; i++) setTimeout(() => startStalled(i), spread(i, counts.stalled));
    for (let i = 0; i < counts.slow; i++) setTimeout(() => startSlow(i), spread(i + 0.5, counts.slow));
    void refreshLiveKeys();
    setInterval(refreshLiveKeys, LIVE_KEYS_EVERY_MS);
    // Churners start spread over a few seconds, so that they do not come and go in step.
    for (let i = 0; i < counts.churn; i++) setTimeout(() => startChurn(i), Math.random() * CHURN_MAX_MS);
    send({ type: 'started' });
  } else if (msg.cmd === 'warm') {
    const now = performance.now();
    for (const v of healthy) v.watch.gapsFrom = now;
  } else if (msg.cmd === 'snapshot') {
    snapshot();
  } else if (msg.cmd === 'stop') {
    stopping = true;
    snapshot();
    for (const v of healthy) v.stop();
    send({ type: 'stopped' });
    setTimeout(() => process.exit(0), 100);
  }
});
process.on('disconnect', () => process.exit(0));
