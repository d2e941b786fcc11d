import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { DEADLINE_SWEEP_MS, DEFAULT_HANDSHAKE_TIMEOUT_MS, HTTP_HEADERS_TIMEOUT_MS, RESERVED_FILE_DESCRIPTORS } from '../../src/server/limits.js';
import type { StatusSnapshot } from '../../src/status/status-snapshot.js';
import { describeWithPeers } from '../helpers/peers.js';
import { ffprobeStreams, httpFlvView, httpJson, waitForVideoFrames } from '../helpers/players.js';
import { TcpTable, fileDescriptorLimit, openFileDescriptors } from '../helpers/proc.js';
import { sleep, trackProcesses, waitFor } from '../helpers/processes.js';
import { requireBuilt } from '../helpers/server.js';
import { type SteadyStream, startSteadyStream } from '../helpers/steady-stream.js';
import { type RawConnection, openMany } from './raw-connection.js';

/**
 * Connection faults against the built CLI, each with a real publisher and viewer that must not notice: a flood of idle
 * connections at --max-connections, the same flood under `ulimit -n 256`, and a slow-loris on the HTTP port. The
 * server's deadlines free the slots by themselves; afterwards new players get in again.
 */

/** What the healthy viewer may wait between two tags while the server is under attack (generous: shared machine). */
const HEALTHY_GAP_MS = 2_000;
/** Slack on top of a server deadline before a test calls a connection held. */
const SLACK_MS = 5_000;
/** The HTTP server checks for stale requests this often (connectionsCheckingInterval in kayak-server.ts). */
const HTTP_CHECK_INTERVAL_MS = 2_000;

const tcp = new TcpTable();
const held = (connections: RawConnection[]) => connections.filter((c) => !c.released(tcp));

async function expectBystandersUnharmed(steady: SteadyStream, since: number): Promise<void> {
  await steady.moreFrames(25);
  expect(steady.problems()).toEqual([]);
  expect(steady.largestGapSince(since)).toBeLessThan(HEALTHY_GAP_MS);
}

/** A new RTMP player and a new HTTP-FLV viewer both get the stream. */
async function expectNewPlayersServed(steady: SteadyStream): Promise<void> {
  const streams = await ffprobeStreams(steady.server.rtmpUrl(steady.key));
  expect(streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
  const viewer = httpFlvView(steady.server.flvUrl(steady.key));
  try {
    await waitForVideoFrames(viewer, 5);
  } finally {
    viewer.close();
  }
}


describeWithPeers(['ffmpeg', 'ffprobe'], 'fault: connection exhaustion at --max-connections', () => {
  trackProcesses();
  const CAP = 40;
  let steady: SteadyStream;
  const flood: RawConnection[] = [];

  beforeAll(async () => {
    await requireBuilt();
    steady = await startSteadyStream({ server: { args: ['--max-connections', String(CAP)] } });
  }, 60_000);
  afterEach(() => {
    for (const c of flood.splice(0)) c.destroy();
  });
  afterAll(async () => steady?.stop());

  it('refuses connections beyond the cap at once, keeps serving, and frees the slots by its deadlines', async () => {
    const since = steady.mark();
    const { rtmpPort, httpPort } = steady.server;
    flood.push(...(await openMany(rtmpPort, 30)), ...(await openMany(httpPort, 30)));
    await sleep(500);
    // Publisher and viewer hold two of the slots; the flood gets the rest, and the others are closed at the door.
    expect(held(flood).length).toBe(CAP - 2);
    await expectBystandersUnharmed(steady, since);
    // While it is full, a new viewer is turned away (the cap is for everyone; per-address limits are another matter).
    const refusedViewer = httpFlvView(steady.server.flvUrl(steady.key));
    expect(await refusedViewer.finished).not.toBe('closed');

    // Nobody closes the flood: the handshake deadline (RTMP) and the request-head deadline (HTTP) do.
    const deadline = Math.max(DEFAULT_HANDSHAKE_TIMEOUT_MS + DEADLINE_SWEEP_MS, HTTP_HEADERS_TIMEOUT_MS + HTTP_CHECK_INTERVAL_MS) + SLACK_MS;
    await waitFor(() => held(flood).length === 0, { timeoutMs: deadline, what: 'the server to close every idle connection' });
    await expectNewPlayersServed(steady);
    const status = await httpJson<StatusSnapshot>(steady.server.httpUrl('/api/status'));
    expect(status.server.connectionCap).toBe(CAP);
    expect(status.server.connectionsRefused).toBeGreaterThanOrEqual(60 - (CAP - 2));
    await expectBystandersUnharmed(steady, since);
    expect(steady.server.errorLines()).toEqual([]);
    expect(steady.server.log.some((l) => l.event === 'connection-cap'), 'a log line says the cap was reached').toBe(true);
  }, 60_000);
});

describeWithPeers(['ffmpeg', 'ffprobe'], 'fault: the file-descriptor limit lowered to 256', () => {
  trackProcesses();
  const FD_LIMIT = 256;
  let steady: SteadyStream;
  const flood: RawConnection[] = [];

  beforeAll(async () => {
    await requireBuilt();
    steady = await startSteadyStream({ server: { fileDescriptorLimit: FD_LIMIT } });
  }, 60_000);
  afterAll(async () => {
    for (const c of flood.splice(0)) c.destroy();
    await steady?.stop();
  });

  it('caps connections below the limit, never meets EMFILE, and serves again once the flood is gone', async () => {
    expect(fileDescriptorLimit(steady.server.pid)).toBe(FD_LIMIT);
    const cap = FD_LIMIT - RESERVED_FILE_DESCRIPTORS;
    const since = steady.mark();
    let mostFds = 0;
    const fdSampler = setInterval(() => (mostFds = Math.max(mostFds, openFileDescriptors(steady.server.pid) ?? 0)), 100);
    try {
      flood.push(...(await openMany(steady.server.rtmpPort, 200)), ...(await openMany(steady.server.httpPort, 200)));
      await sleep(1_000);
      expect(held(flood).length).toBeLessThanOrEqual(cap);
      expect(held(flood).length).toBeGreaterThan(cap - 10);
      await expectBystandersUnharmed(steady, since);
      for (const c of flood.splice(0)) c.destroy();
      await waitFor(() => (openFileDescriptors(steady.server.pid) ?? Infinity) < 64, { timeoutMs: 10_000, what: 'the descriptors to be given back' });
    } finally {
      clearInterval(fdSampler);
    }
    console.info(`[faults] ulimit -n ${FD_LIMIT}: cap ${cap}, at most ${mostFds} descriptors open`);
    expect(mostFds).toBeLessThan(FD_LIMIT);
    await expectNewPlayersServed(steady);
    expect(steady.server.log.some((l) => l.event === 'connection-cap' && /capped at \d+/.test(l.message))).toBe(true);
    expect(steady.server.errorLines()).toEqual([]);
    expect(steady.problems()).toEqual([]);
  }, 60_000);
});

describeWithPeers(['ffmpeg', 'ffprobe'], 'fault: slow-loris on the HTTP port', () => {
  trackProcesses();
  let steady: SteadyStream;
  const loris: RawConnection[] = [];

  beforeAll(async () => {
    await requireBuilt();
    steady = await startSteadyStream();
  }, 60_000);
  afterAll(async () => {
    for (const c of loris.splice(0)) c.destroy();
    await steady?.stop();
  });

  it('closes clients that trickle a request head forever, within the head deadline, while everyone else is served', async () => {
    const since = steady.mark();
    const path = `/live/${steady.key}.flv`;
    const trickling = await openMany(steady.server.httpPort, 40);
    loris.push(...trickling);
    // Half send a request line and then one header every second; half send the request line itself a byte a second.
    const line = `GET ${path} HTTP/1.1\r\n`;
    trickling.forEach((c, i) => c.write(i % 2 === 0 ? `${line}Host: 127.0.0.1\r\n` : line.slice(0, 1)));
    let tick = 0;
    const timer = setInterval(() => {
      tick++;
      trickling.forEach((c, i) => c.write(i % 2 === 0 ? `X-Loris-${tick}: ${tick}\r\n` : (line[tick] ?? 'x')));
    }, 1_000);
    const statusTimes: number[] = [];
    try {
      const deadline = HTTP_HEADERS_TIMEOUT_MS + HTTP_CHECK_INTERVAL_MS + SLACK_MS;
      await waitFor(
        async () => {
          const t0 = performance.now();
          await httpJson(steady.server.httpUrl('/api/status'));
          statusTimes.push(performance.now() - t0);
          return held(trickling).length === 0;
        },
        { timeoutMs: deadline, intervalMs: 500, what: `the server to close all ${trickling.length} slow-loris connections` },
      );
    } finally {
      clearInterval(timer);
    }
    const slowest = Math.max(...trickling.map((c) => (c.closedAt ?? Date.now()) - c.opened));
    console.info(`[faults] slow-loris: ${trickling.length} connections closed, the last after ${slowest} ms; /api/status took at most ${Math.max(...statusTimes).toFixed(0)} ms meanwhile`);
    await expectBystandersUnharmed(steady, since);
    await expectNewPlayersServed(steady);
    expect(steady.server.errorLines()).toEqual([]);
  }, 60_000);

  it('lets go of a refused WebSocket upgrade even when the client never closes its side', async () => {
    const upgrade = (path: string) =>
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;
    const refused = await openMany(steady.server.httpPort, 10);
    loris.push(...refused);
    // 404 (no such stream) and 400 (a target that is not a path): answered with Connection: close, then held
    // half-closed for as long as the client keeps its side open, unless the server closes it (found by the fuzzer).
    // The clients do not read, so they never see the server's FIN and never close on their own.
    refused.forEach((c, i) => {
      c.stopReading();
      c.write(upgrade(i % 2 === 0 ? '/live/nothing-here.flv' : 'http://[/'));
    });
    await waitFor(() => held(refused).length === 0, { timeoutMs: SLACK_MS, what: 'the server to close the refused upgrades' }).catch((e: unknown) => {
      throw new Error(`${held(refused).length} of ${refused.length} refused upgrades still held: ${String(e)}`);
    });
  }, 30_000);
});
