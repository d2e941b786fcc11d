// `npm run bench:hostile`: the probes of issue 8 replayed against `kayak-cast serve` (started through its bin, as a
// user runs it) while a real publisher (ffmpeg -re, the bench clip) and a healthy HTTP-FLV viewer keep going.
// Per probe: was the server still up, the healthy viewer's longest wait between two reads, the slowest
// /api/status answer during the probe, RSS before, at its peak, and `--settle` seconds after the probe ended.
//
// flags: --settle S (60)  --only name,name  --no-record  --clip-seconds S (40)  --cpu-prof (profile the server)

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { Children, freePort, waitForPort } from './children.mjs';
import { ensureClip, publishClip } from './clip.mjs';
import { RssSampler, readMemoryKb } from './proc-stats.mjs';
import { kayakCommand } from './kayak-launch.mjs';
import { HANDSHAKE_SIZE, amf0Encode, c0c1, encodeMessage, MSG, setChunkSizeMessage } from './rtmp-wire.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoDir = dirname(benchDir);
const outDir = join(benchDir, 'out');

const { values: flags } = parseArgs({
  options: {
    settle: { type: 'string', default: '60' },
    only: { type: 'string', default: '' },
    'no-record': { type: 'boolean', default: false },
    'clip-seconds': { type: 'string', default: '40' },
    'cpu-prof': { type: 'boolean', default: false },
  },
});
const settleS = Number(flags.settle);
const only = flags.only.split(',').filter(Boolean);
const children = new Children();
process.on('SIGINT', () => {
  children.killAllNow();
  process.exit(130);
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mb = (kb) => Math.round(kb / 102.4) / 10;

// ---------------------------------------------------------------------------------------------------------------
// The server, its publisher and the healthy viewer.

async function startServe({ fileLimit } = {}) {
  const rtmpPort = await freePort();
  const httpPort = await freePort();
  // through the bin (its shebang's flags apply); with --cpu-prof, node with the shebang's flags and the profiler's
  const c = kayakCommand(repoDir, ['serve', '--host', '127.0.0.1', '--rtmp-port', String(rtmpPort), '--http-port', String(httpPort), '--no-dashboard'],
    { cpuProfDir: flags['cpu-prof'] ? join(outDir, 'prof') : null });
  const logPath = join(outDir, `hostile-serve-${rtmpPort}.log`);
  const child = fileLimit === undefined
    ? children.spawn(c.cmd, c.args, { logPath, cwd: repoDir, env: c.env })
    : children.spawn('bash', ['-c', `ulimit -n ${fileLimit} && exec "$0" "$@"`, c.cmd, ...c.args], { logPath, cwd: repoDir, env: c.env });
  await waitForPort(httpPort, 20_000, () => child.exitInfo === null);
  await waitForPort(rtmpPort, 20_000, () => child.exitInfo === null);
  return { child, rtmpPort, httpPort, logPath };
}

function publish(server, clip) {
  return publishClip(children, clip.path, `rtmp://127.0.0.1:${server.rtmpPort}/live/steady`, join(outDir, 'hostile-ffmpeg.log'), 'error');
}

/** An HTTP-FLV reader that records the longest wait between two reads since `mark()`. */
class HealthyViewer {
  constructor(url) {
    this.url = url;
    this.bytes = 0;
    this.gapMs = 0;
    this.last = 0;
    this.closed = false;
  }
  start() {
    return new Promise((resolve, reject) => {
      const req = http.get(this.url, { agent: false }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`healthy viewer: HTTP ${res.statusCode}`));
        res.on('data', (chunk) => {
          const now = performance.now();
          if (this.last > 0) this.gapMs = Math.max(this.gapMs, now - this.last);
          this.last = now;
          this.bytes += chunk.length;
        });
        resolve();
      });
      req.on('error', reject);
      req.on('close', () => (this.closed = true));
      this.req = req;
    });
  }
  mark() {
    this.gapMs = 0;
  }
  stop() {
    this.req?.destroy();
  }
}

/** Polls /api/status every 200 ms and keeps the slowest answer (or a failure). */
class StatusPoller {
  constructor(port) {
    this.port = port;
    this.slowestMs = 0;
    this.failures = 0;
  }
  start() {
    this.timer = setInterval(() => {
      const t0 = performance.now();
      const req = http.get({ host: '127.0.0.1', port: this.port, path: '/api/status', agent: false, timeout: 20_000 }, (res) => {
        res.resume();
        res.on('end', () => (this.slowestMs = Math.max(this.slowestMs, performance.now() - t0)));
      });
      req.on('error', () => this.failures++);
      req.on('timeout', () => req.destroy());
    }, 200);
  }
  stop() {
    clearInterval(this.timer);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Raw RTMP clients.

function rawRtmp(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = 0;
    const onData = (d) => {
      received += d.length;
      if (received >= 1 + 2 * HANDSHAKE_SIZE) {
        socket.off('data', onData);
        socket.write(Buffer.alloc(HANDSHAKE_SIZE)); // C2: the server does not check it against S1 (the bench's viewers rely on that too)
        resolve(socket);
      }
    };
    socket.on('data', onData);
    socket.on('error', () => {});
    socket.once('error', reject);
    socket.on('connect', () => socket.write(c0c1()));
  });
}

function connectCommand(app, chunkSize) {
  return encodeMessage({ csid: 3, type: MSG.COMMAND_AMF0, streamId: 0, chunkSize, payload: amf0Encode(['connect', 1, { app }]) });
}

function writeAll(socket, buffer) {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    if (socket.write(buffer)) return resolve();
    socket.once('drain', resolve);
    socket.once('close', resolve);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The probes. Each returns a short note of what it did.

const probes = {
  async 'invalid-urls'(server) {
    const lines = ['GET //', 'OPTIONS //', 'GET //[', 'GET http://[/'];
    let answered = 0;
    for (let i = 0; i < 100; i++) {
      for (const line of lines) {
        const text = await rawHttp(server.httpPort, `${line} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
        if (/^HTTP\/1\.1 \d{3}/.test(text)) answered++;
      }
    }
    return `${answered}/400 answered`;
  },

  async 'pipelined-flv'(server) {
    const request = 'GET /api/status HTTP/1.1\r\nHost: x\r\n\r\nGET /live/steady.flv HTTP/1.1\r\nHost: x\r\n\r\n';
    let flv = 0;
    for (let i = 0; i < 50; i++) if ((await rawHttp(server.httpPort, request, 300)).includes('FLV')) flv++;
    return `${flv}/50 got their FLV after the status`;
  },

  async 'connect-flood'(server) {
    const socket = await rawRtmp(server.rtmpPort);
    socket.pause();
    await writeAll(socket, setChunkSizeMessage(4096));
    const command = connectCommand('live', 4096);
    const batch = Buffer.concat(Array.from({ length: 1000 }, () => command));
    let sent = 0;
    for (; sent < 400_000 && !socket.destroyed; sent += 1000) await Promise.race([writeAll(socket, batch), sleep(2000)]);
    socket.destroy();
    return `${sent} connect commands of ${command.length} B, never reading`;
  },

  async 'unfinished-messages'(server) {
    const sockets = [];
    for (let i = 0; i < 40; i++) {
      const socket = await rawRtmp(server.rtmpPort);
      sockets.push(socket);
      await writeAll(socket, setChunkSizeMessage(0x7fffff));
      // An 8 MiB command message, sent all but its last byte.
      const header = Buffer.from([3, 0, 0, 0, 0x80, 0, 0, MSG.COMMAND_AMF0, 0, 0, 0, 0]);
      await Promise.race([writeAll(socket, Buffer.concat([header, Buffer.alloc(8 * 1024 * 1024 - 1)])), sleep(2000)]);
    }
    await sleep(5000);
    const open = sockets.filter((s) => !s.destroyed && !s.readableEnded).length;
    for (const s of sockets) s.destroy();
    return `40 connections each sending 8 MiB - 1 of one message (${open} still open from our side after 5 s)`;
  },

  async 'huge-names'(server) {
    const sockets = [];
    for (let i = 0; i < 130; i++) {
      const socket = await rawRtmp(server.rtmpPort);
      sockets.push(socket);
      await writeAll(socket, setChunkSizeMessage(0x7fffff));
      await Promise.race([writeAll(socket, connectCommand('A'.repeat(8 * 1024 * 1024 - 64), 0x7fffff)), sleep(2000)]);
    }
    await sleep(3000);
    for (const s of sockets) s.destroy();
    const log = readFileSync(server.logPath, 'utf8').split('\n');
    const longest = Math.max(...log.map((l) => l.length));
    return `130 connects with an 8 MiB app name; longest log line ${longest} chars`;
  },

  async 'stalled-ws-viewers'(server, viewer) {
    const clients = [];
    for (let i = 0; i < 300; i++) {
      const ws = new WebSocket(`ws://127.0.0.1:${server.httpPort}/live/steady.flv`);
      ws.on('error', () => {});
      ws.on('open', () => ws._socket.pause());
      clients.push(ws);
    }
    const wsViewers = async () =>
      (await getJson(server.httpPort, '/api/status').catch(() => undefined))?.streams.find((s) => s.key === 'steady')?.viewers['ws-flv'];
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && (await wsViewers()) !== 300) await sleep(200);
    const joinGap = Math.round(viewer.gapMs);
    // From here on the viewer's longest wait is the cut-off's alone.
    viewer.mark();
    let allCutOff = false;
    while (Date.now() < deadline && !allCutOff) {
      await sleep(500);
      allCutOff = (await wsViewers()) === 0;
    }
    for (const ws of clients) ws.terminate();
    return `300 WS-FLV viewers that never read (healthy viewer's longest wait while they joined: ${joinGap} ms); ${allCutOff ? 'all cut off' : 'NOT all cut off within 120 s'}`;
  },
};

function rawHttp(port, request, waitMs = 2000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let text = '';
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('error', () => {});
    socket.on('connect', () => socket.write(request));
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(text);
    };
    socket.on('close', done);
    const timer = setTimeout(done, waitMs);
  });
}

function getJson(port, path) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch (error) {
          reject(error);
        }
      });
    }).on('error', reject);
  });
}

/** Crash 3: idle connections past a lowered file-descriptor limit, on a server of its own. */
async function fdLimitProbe() {
  const server = await startServe({ fileLimit: 1024 });
  const sockets = [];
  for (let i = 0; i < 1300; i++) {
    const s = net.connect({ host: '127.0.0.1', port: i % 2 ? server.rtmpPort : server.httpPort });
    s.on('error', () => {});
    sockets.push(s);
  }
  await sleep(5000);
  const alive = server.child.exitInfo === null;
  for (const s of sockets) s.destroy();
  await sleep(500);
  const status = alive ? await getJson(server.httpPort, '/api/status').catch(() => undefined) : undefined;
  await children.stop(server.child);
  return {
    name: 'idle-connections-ulimit-1024',
    note: `1300 idle connections; cap ${status?.server.connectionCap ?? '?'}, refused ${status?.server.connectionsRefused ?? '?'}`,
    alive: alive && status !== undefined,
  };
}

// ---------------------------------------------------------------------------------------------------------------

async function main() {
  mkdirSync(outDir, { recursive: true });
  execFileSync('npm', ['run', 'build'], { cwd: repoDir, stdio: 'ignore' });
  const clip = ensureClip(outDir, Number(flags['clip-seconds']));
  const server = await startServe();
  publish(server, clip);
  await sleep(3000);
  const viewer = new HealthyViewer(`http://127.0.0.1:${server.httpPort}/live/steady.flv`);
  await viewer.start();
  await sleep(5000);
  const results = [];
  for (const [name, probe] of Object.entries(probes)) {
    if (only.length > 0 && !only.includes(name)) continue;
    const beforeKb = readMemoryKb(server.child.pid).vmRss;
    const sampler = new RssSampler(server.child.pid, 100);
    const poller = new StatusPoller(server.httpPort);
    sampler.start();
    poller.start();
    viewer.mark();
    process.stdout.write(`${name}... `);
    const note = await probe(server, viewer);
    const gapMs = viewer.gapMs;
    poller.stop();
    await sleep(settleS * 1000);
    sampler.stop();
    const alive = server.child.exitInfo === null && !viewer.closed;
    const afterKb = alive ? readMemoryKb(server.child.pid).vmRss : NaN;
    const row = { name, note, alive, gapMs: Math.round(gapMs), slowestStatusMs: Math.round(poller.slowestMs), statusFailures: poller.failures,
      rssBeforeMb: mb(beforeKb), rssPeakMb: mb(sampler.maxKb), rssAfterMb: mb(afterKb) };
    results.push(row);
    console.log(JSON.stringify(row));
    if (!alive) break;
  }
  viewer.stop();
  await children.stop(server.child);
  if (only.length === 0 || only.includes('idle-connections-ulimit-1024')) {
    const fd = await fdLimitProbe();
    results.push(fd);
    console.log(JSON.stringify(fd));
  }
  children.killAllNow();
  if (!flags['no-record']) record(results, clip);
}

function record(results, clip) {
  const rows = results.map((r) =>
    r.rssBeforeMb === undefined
      ? `| ${r.name} | ${r.note} | ${r.alive ? 'yes' : '**no**'} | | | | | |`
      : `| ${r.name} | ${r.note} | ${r.alive ? 'yes' : '**no**'} | ${r.gapMs} ms | ${r.slowestStatusMs} ms${r.statusFailures ? ` (${r.statusFailures} failed)` : ''} | ${r.rssBeforeMb} | ${r.rssPeakMb} | ${r.rssAfterMb} |`,
  );
  const text = [
    '',
    `## Hostile probes (issue 8), ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `\`node ${relative(repoDir, fileURLToPath(import.meta.url))}\`: \`kayak-cast serve\` through its bin, ffmpeg -re publishing ${clip.video} + ${clip.audio} (${Math.round(clip.bytesPerSecond * 8 / 1000)} kb/s), one healthy HTTP-FLV viewer, /api/status polled every 200 ms. RSS in MB; "after" is ${settleS} s after the probe ended.`,
    '',
    '| probe | what | server and viewer alive | viewer\'s longest wait | slowest /api/status | RSS before | RSS peak | RSS after |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  const path = join(benchDir, 'RESULTS.md');
  writeFileSync(path, readFileSync(path, 'utf8') + text);
  writeFileSync(join(outDir, `hostile-${Date.now()}.json`), JSON.stringify(results, null, 2));
  console.log(`appended to ${relative(repoDir, path)}`);
}

main().catch((error) => {
  console.error(error);
  children.killAllNow();
  process.exit(1);
});
