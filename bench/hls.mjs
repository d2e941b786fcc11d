// HLS benchmark: latency behind live (HLS with hls.js at its defaults vs HTTP-FLV with the watch page), memory of
// the HLS window per stream, and CPU per GB of HLS delivered straight from kayak-cast vs through the nginx cache of
// test/fixtures/nginx-hls-cache.conf. Appends a section to bench/RESULTS.md (unless --no-record).
//
//   npm run build && node bench/hls.mjs [--clients 100] [--seconds 30] [--no-record]

import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Children, freePort, nextMessage, waitForPort } from './children.mjs';
import { ensureClip, publishClip } from './clip.mjs';
import { clockTicksPerSecond, readCpuTicks, readMemoryKb } from './proc-stats.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const CLIENTS = arg('clients', 100);
const SECONDS = arg('seconds', 30);
const RECORD = !process.argv.includes('--no-record');
const children = new Children();
const ticks = clockTicksPerSecond();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
process.on('SIGINT', () => { children.killAllNow(); process.exit(130); });

async function getJson(url) {
  return (await fetch(url)).json();
}

function cpuSeconds(pid) {
  const t = readCpuTicks(pid);
  return (t.utime + t.stime) / ticks;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)];
}

async function main() {
  const clip = ensureClip(out);
  const [rtmpPort, httpPort, nginxPort] = [await freePort(), await freePort(), await freePort()];
  const kayak = children.spawn(process.execPath, [join(root, 'bin', 'kayak-cast.js'), 'serve', '--host', '127.0.0.1', '--rtmp-port', String(rtmpPort), '--http-port', String(httpPort), '--no-dashboard'], { logPath: join(out, 'hls-kayak.log') });
  await waitForPort(httpPort, 15_000, () => kayak.exitInfo === null);
  publishClip(children, clip.path, `rtmp://127.0.0.1:${rtmpPort}/live/bench`, join(out, 'hls-ffmpeg.log'));
  const base = `http://127.0.0.1:${httpPort}`;
  for (let i = 0; i < 100; i++) {
    const status = await getJson(`${base}/api/status`);
    if (status.streams.some((s) => s.key === 'bench' && s.video !== null)) break;
    await sleep(200);
  }
  const results = { date: new Date().toISOString(), clients: CLIENTS, seconds: SECONDS, clip: `${clip.video}, ${clip.audio}, ${Math.round((clip.bytesPerSecond * 8) / 1000)} kb/s` };

  // Memory: RSS with nobody on HLS, then with the segmenter running and its window full. CPU of each phase too:
  // ingest alone, then ingest + segmenting with no client.
  await sleep(2_000);
  const idleCpu0 = cpuSeconds(kayak.pid);
  await sleep(5_000);
  const idleCpu1 = cpuSeconds(kayak.pid);
  const rssBefore = readMemoryKb(kayak.pid).vmRss;
  await fetch(`${base}/live/bench.m3u8`);
  const segCpu0 = cpuSeconds(kayak.pid);
  await sleep(14_000);
  results.ingestCpuPercent = ((idleCpu1 - idleCpu0) / 5) * 100;
  results.segmentingCpuPercent = ((cpuSeconds(kayak.pid) - segCpu0) / 14) * 100;
  const media = await (await fetch(`${base}/live/bench/index.m3u8`)).text();
  const names = media.split('\n').filter((l) => l.endsWith('.ts'));
  let windowBytes = 0;
  for (const name of names) windowBytes += Number((await fetch(`${base}/live/bench/${name}`, { method: 'HEAD' })).headers.get('content-length'));
  const rssAfter = readMemoryKb(kayak.pid).vmRss;
  Object.assign(results, { windowSegments: names.length, windowMB: windowBytes / 2 ** 20, rssBeforeMB: rssBefore / 1024, rssWithHlsMB: rssAfter / 1024 });

  // Latency, in headless Chromium: hls.js at its defaults (now minus the program date-time on screen), and the watch
  // page on HTTP-FLV (seconds buffered ahead of the playhead: FLV frames reach the browser as the server gets them).
  Object.assign(results, await latencies(base));

  // CPU per GB: the same load straight from kayak-cast, then through the nginx cache.
  results.direct = await load(`${base}/live/bench/index.m3u8`, kayak.pid);
  const nginx = await startNginx(nginxPort, httpPort);
  results.cached = await load(`http://127.0.0.1:${nginxPort}/live/bench/index.m3u8`, kayak.pid, nginx.pid);
  await children.stop(nginx);
  for (const child of [...children.live]) await children.stop(child);
  report(results);
}

async function load(playlistUrl, kayakPid, nginxPid) {
  const gen = children.fork(join(root, 'bench', 'hls-clients.mjs'), [playlistUrl, String(CLIENTS)]);
  await nextMessage(gen, 'started', 10_000);
  await sleep(6_000);
  const cpu0 = { kayak: cpuSeconds(kayakPid), nginx: nginxPid ? cpuSeconds(nginxPid) : 0, gen: cpuSeconds(gen.pid) };
  gen.send({ type: 'report' });
  const r0 = await nextMessage(gen, 'report', 5_000);
  await sleep(SECONDS * 1000);
  gen.send({ type: 'report' });
  const r1 = await nextMessage(gen, 'report', 5_000);
  const cpu1 = { kayak: cpuSeconds(kayakPid), nginx: nginxPid ? cpuSeconds(nginxPid) : 0, gen: cpuSeconds(gen.pid) };
  gen.send({ type: 'stop' });
  await children.stop(gen, 3_000);
  const gb = (r1.bytes - r0.bytes) / 1e9;
  return {
    gb,
    mbps: ((r1.bytes - r0.bytes) * 8) / SECONDS / 1e6,
    requests: r1.requests - r0.requests,
    errors: r1.errors - r0.errors,
    lastError: r1.lastError,
    kayakCpuPerGb: (cpu1.kayak - cpu0.kayak) / gb,
    nginxCpuPerGb: (cpu1.nginx - cpu0.nginx) / gb,
    kayakCpuPercent: ((cpu1.kayak - cpu0.kayak) / SECONDS) * 100,
    generatorCpuPercent: ((cpu1.gen - cpu0.gen) / SECONDS) * 100,
  };
}

async function startNginx(port, kayakPort) {
  const dir = join(out, 'nginx-hls');
  mkdirSync(dir, { recursive: true });
  const server = readFileSync(join(root, 'test', 'fixtures', 'nginx-hls-cache.conf'), 'utf8')
    .replace('/var/cache/nginx/kayak-cast', join(dir, 'cache'))
    .replace('listen 8080;', `listen 127.0.0.1:${port};`)
    .replace('proxy_pass http://127.0.0.1:8000;', `proxy_pass http://127.0.0.1:${kayakPort};`);
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, [
    'worker_processes 1;', 'master_process off;', `pid ${join(dir, 'nginx.pid')};`, `error_log ${join(dir, 'error.log')} warn;`,
    'events { worker_connections 4096; }', 'http {', '  access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `  ${k}_temp_path ${join(dir, `${k}-temp`)};`),
    server, '}', '',
  ].join('\n'));
  const nginx = children.spawn('nginx', ['-p', dir, '-c', conf, '-g', 'daemon off;'], { logPath: join(out, 'hls-nginx.log') });
  await waitForPort(port, 10_000, () => nginx.exitInfo === null);
  return nginx;
}

async function latencies(base) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required'] });
  try {
    const hlsJs = readFileSync(createRequire(import.meta.url).resolve('hls.js/dist/hls.js'), 'utf8');
    const page = await browser.newPage();
    await page.route('**/bench/hls.html', (route) => route.fulfill({ contentType: 'text/html', body: `<video id="v" muted></video><script src="/bench/hls.js"></script><script>
      const hls = new Hls(); const v = document.getElementById('v'); hls.loadSource('/live/bench.m3u8'); hls.attachMedia(v);
      hls.on(Hls.Events.MANIFEST_PARSED, () => v.play()); window.sample = () => hls.playingDate ? [Date.now() - hls.playingDate.getTime(), v.buffered.length ? v.buffered.end(v.buffered.length - 1) - v.currentTime : 0] : null;</script>` }));
    await page.route('**/bench/hls.js', (route) => route.fulfill({ contentType: 'text/javascript', body: hlsJs }));
    await page.goto(`${base}/bench/hls.html`);
    await sleep(15_000);
    const hls = [];
    for (let i = 0; i < 20; i++) {
      const s = await page.evaluate(() => window.sample());
      if (s) hls.push(s);
      await sleep(500);
    }
    await page.close();
    const watch = await browser.newPage();
    await watch.goto(`${base}/live/bench.html`);
    await sleep(10_000);
    const flv = [];
    for (let i = 0; i < 20; i++) {
      flv.push(await watch.evaluate(() => { const v = document.getElementById('video'); return v.buffered.length ? v.buffered.end(v.buffered.length - 1) - v.currentTime : NaN; }));
      await sleep(500);
    }
    return {
      hlsLatencyS: median(hls.map((s) => s[0])) / 1000,
      hlsBufferAheadS: median(hls.map((s) => s[1])),
      flvLatencyS: median(flv),
    };
  } finally {
    await browser.close();
  }
}

function report(r) {
  const f = (n, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
  const lines = [
    `## HLS (${r.date.slice(0, 16).replace('T', ' ')} UTC, \`node bench/hls.mjs\`)`,
    '',
    `One publisher (${r.clip}, GOP 2 s), kayak-cast defaults (2 s segments, a window of 6), ${r.clients} HLS clients for a ${r.seconds} s window (each reloads the playlist about once a second and fetches every new segment, keep-alive).`,
    '',
    '| | value |',
    '| --- | --- |',
    `| HLS behind live, hls.js defaults (now - program date-time on screen) | ${f(r.hlsLatencyS, 1)} s (buffer ahead ${f(r.hlsBufferAheadS, 1)} s) |`,
    `| HTTP-FLV behind live, watch page (mpegts.js, buffer ahead of the playhead) | ${f(r.flvLatencyS, 1)} s |`,
    `| HLS window held per stream | ${r.windowSegments} segments, ${f(r.windowMB)} MiB |`,
    `| RSS without HLS / with the window full | ${f(r.rssBeforeMB, 1)} / ${f(r.rssWithHlsMB, 1)} MiB |`,
    `| kayak-cast CPU, % of a core: ingest only / ingest + segmenting, no client | ${f(r.ingestCpuPercent, 1)} / ${f(r.segmentingCpuPercent, 1)} |`,
    `| direct: delivered, kayak-cast CPU s per GB, CPU % of a core | ${f(r.direct.mbps, 0)} Mb/s, ${f(r.direct.kayakCpuPerGb)} s/GB, ${f(r.direct.kayakCpuPercent, 0)} % |`,
    `| through nginx: delivered, kayak-cast CPU s per GB, nginx CPU s per GB | ${f(r.cached.mbps, 0)} Mb/s, ${f(r.cached.kayakCpuPerGb)} s/GB, ${f(r.cached.nginxCpuPerGb)} s/GB |`,
    `| requests in the window (direct / through nginx), errors | ${r.direct.requests} / ${r.cached.requests}, ${r.direct.errors + r.cached.errors}${r.direct.lastError || r.cached.lastError ? ` (${r.direct.lastError || r.cached.lastError})` : ''} |`,
    `| load generator CPU, % of a core (direct / through nginx) | ${f(r.direct.generatorCpuPercent, 0)} / ${f(r.cached.generatorCpuPercent, 0)} |`,
    '',
  ];
  console.log(lines.join('\n'));
  writeFileSync(join(out, 'hls.json'), JSON.stringify(r, null, 2));
  if (RECORD) appendFileSync(join(root, 'bench', 'RESULTS.md'), `\n${lines.join('\n')}`);
}

main().catch((e) => {
  console.error(e);
  children.killAllNow();
  process.exit(1);
});
