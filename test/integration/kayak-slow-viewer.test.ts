import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeClip, mediaFrames } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { httpFlvView, waitForVideoFrames } from '../helpers/players.js';
import { startProcess, trackProcesses, waitFor } from '../helpers/processes.js';
import { type RunningKayak, startKayak, waitForLive } from '../helpers/server.js';

/**
 * A viewer that stops reading (a frozen laptop, a dead Wi-Fi link that TCP has not noticed yet) must cost the server
 * a bounded amount of memory, must not slow anyone else down, and is cut off once it has stayed behind too long.
 * The publisher sends as fast as it can (no -re) so the stalled socket's kernel buffers fill within seconds.
 */
const QUEUE = { maxBytes: 512 * 1024, resumeBytes: 64 * 1024, maxBehindMs: 3_000 };

describeWithPeers(['ffmpeg'], 'kayak-cast with a viewer that stops reading', () => {
  trackProcesses();
  let kayak: RunningKayak;

  beforeAll(async () => {
    kayak = await startKayak({ queueLimits: QUEUE });
  });

  afterAll(async () => {
    await kayak?.stop();
  });

  it('drops frames for it, then disconnects it, with memory bounded and a healthy viewer unaffected', async () => {
    const clip = await makeClip({ seconds: 4, width: 640, height: 360, fps: 25, videoKbps: 4000 });
    startProcess(
      'ffmpeg',
      ['-hide_banner', '-nostdin', '-loglevel', 'warning', '-stream_loop', '-1', '-i', clip, '-c', 'copy', '-f', 'flv', kayak.rtmpUrl('flood')],
      { name: 'ffmpeg-flood' },
    );
    await waitForLive(kayak, 'flood');

    // The stalled viewer: sends its request, then never reads a byte.
    const stalled = connect({ host: '127.0.0.1', port: kayak.httpPort });
    stalled.on('error', () => {});
    stalled.write(`GET /live/flood.flv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    stalled.pause();

    const healthy = httpFlvView(kayak.flvUrl('flood'));
    await waitForVideoFrames(healthy, 25, 20_000);

    let peakArrayBuffers = 0;
    const sampler = setInterval(() => {
      peakArrayBuffers = Math.max(peakArrayBuffers, process.memoryUsage().arrayBuffers);
    }, 100);
    try {
      const address = `127.0.0.1:${stalled.localPort}`;
      const stalledStatus = () =>
        kayak.server.status.snapshot().viewers.find((v) => v.remoteAddress === address && v.droppedFrames > 0);
      await waitFor(() => stalledStatus() !== undefined, { timeoutMs: 30_000, what: 'the stalled viewer to drop frames' });
      const id = stalledStatus()?.id;
      // The server drops it (the client, not reading, may never see the close that sits behind its unread bytes).
      await waitFor(() => !kayak.server.status.snapshot().viewers.some((v) => v.id === id), {
        timeoutMs: QUEUE.maxBehindMs + 15_000,
        what: 'the server to cut the stalled viewer off',
      });
    } finally {
      clearInterval(sampler);
      stalled.destroy();
    }

    const framesBefore = mediaFrames(healthy.tags, 'video').length;
    await waitFor(() => mediaFrames(healthy.tags, 'video').length > framesBefore + 25, {
      timeoutMs: 10_000,
      what: 'the healthy viewer to keep receiving',
    });
    healthy.close();
    expect(healthy.finish).not.toBe('error');
    expect(kayak.logger.lines.some((l) => /fell behind/.test(l.message))).toBe(true);
    console.info(`[slow viewer] peak arrayBuffers in the test process ${(peakArrayBuffers / 1048576).toFixed(1)} MB`);
    // Bounded: the stalled viewer's backlog is capped at QUEUE.maxBytes of shared packets; the rest is the
    // test's own healthy reader and garbage awaiting collection.
    expect(peakArrayBuffers).toBeLessThan(96 * 1024 * 1024);
  });
});
