// HLS load generator (its own process): N clients that behave like players, each reloading the media playlist about
// once a second and GETting every segment it has not fetched yet, over keep-alive connections. Reports bytes and
// requests over IPC when asked ({type: 'report'}).

import http from 'node:http';

const [playlistUrl, countArg] = process.argv.slice(2);
const count = Number(countArg);
const agent = new http.Agent({ keepAlive: true, maxSockets: count * 2 });
const totals = { bytes: 0, requests: 0, errors: 0, lastError: '' };
let stopping = false;

function get(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => { totals.bytes += c.length; if (url.endsWith('.m3u8')) chunks.push(c); });
      res.on('end', () => {
        totals.requests++;
        if (res.statusCode !== 200) { totals.errors++; totals.lastError = `${res.statusCode} ${url}`; }
        resolve(Buffer.concat(chunks).toString('utf8'));
      });
    });
    req.on('error', (e) => { totals.errors++; totals.lastError = e.message; resolve(''); });
  });
}

async function client(index) {
  const seen = new Set();
  await new Promise((r) => setTimeout(r, (index * 23) % 1000));
  let first = true;
  while (!stopping) {
    const body = await get(playlistUrl);
    const names = body.split('\n').filter((line) => line.endsWith('.ts'));
    // A player starts three segments from the live edge (RFC 8216 6.3.3), then follows every new one.
    if (first && names.length > 0) for (const name of names.slice(0, -3)) seen.add(name);
    first = names.length === 0;
    for (const name of names) {
      if (seen.has(name)) continue;
      seen.add(name);
      await get(new URL(name, playlistUrl).toString());
    }
    await new Promise((r) => setTimeout(r, 900 + ((index * 37) % 200)));
  }
}

process.on('message', (msg) => {
  if (msg?.type === 'report') process.send({ type: 'report', ...totals });
  if (msg?.type === 'stop') { stopping = true; setTimeout(() => process.exit(0), 1500); }
});
for (let i = 0; i < count; i++) void client(i);
process.send({ type: 'started' });
