import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeClip, mediaFrames, timestampRegressions } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { ffprobePackets, httpFlvView, waitForVideoFrames } from '../helpers/players.js';
import { startProcess, trackProcesses, waitFor } from '../helpers/processes.js';
import { type RunningKayak, startKayak, waitForLive } from '../helpers/server.js';

/**
 * A stream older than 4.66 hours: its timestamps pass 0xFFFFFF ms, where RTMP switches to the extended timestamp
 * field (spec 5.3.1.3) and FLV to the TimestampExtended byte. ffmpeg's -output_ts_offset starts the publish just
 * under that line, so it is crossed a moment after the stream goes live.
 */
const EXTENDED_MS = 0xffffff;
const OFFSET_S = 16_777; // 16 777 000 ms: 215 ms under the line

describeWithPeers(['ffmpeg', 'ffprobe'], 'kayak-cast with extended timestamps', () => {
  trackProcesses();
  let kayak: RunningKayak;

  beforeAll(async () => {
    kayak = await startKayak();
  });

  afterAll(async () => {
    await kayak?.stop();
  });

  it('relays a publish whose timestamps cross 0xFFFFFF ms to RTMP and HTTP-FLV viewers without a jump', async () => {
    const clip = await makeClip({ seconds: 6, width: 320, height: 240, fps: 25, gopSeconds: 1 });
    startProcess(
      'ffmpeg',
      ['-hide_banner', '-nostdin', '-loglevel', 'warning', '-re', '-i', clip, '-c', 'copy',
        '-output_ts_offset', String(OFFSET_S), '-f', 'flv', kayak.rtmpUrl('old')],
      { name: 'ffmpeg-publish-offset' },
    );
    await waitForLive(kayak, 'old');
    const viewer = httpFlvView(kayak.flvUrl('old'));
    const [probed] = await Promise.all([
      ffprobePackets(kayak.rtmpUrl('old'), 2, { streams: 'v' }),
      waitForVideoFrames(viewer, 50, 20_000),
    ]);
    await waitFor(() => mediaFrames(viewer.tags, 'video').some((t) => t.timestamp > EXTENDED_MS + 1000), {
      timeoutMs: 15_000,
      what: 'HTTP-FLV frames past 0xFFFFFF + 1 s',
    });
    viewer.close();

    const flvVideo = mediaFrames(viewer.tags, 'video');
    expect(flvVideo.some((t) => t.timestamp < EXTENDED_MS)).toBe(true);
    expect(timestampRegressions(viewer.tags, 'video')).toEqual([]);
    const gaps = flvVideo.slice(1).map((t, i) => t.timestamp - (flvVideo[i] as { timestamp: number }).timestamp);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(80);

    const rtmpTimes = probed.video.map((p) => p.dtsTime);
    expect(rtmpTimes.length).toBeGreaterThan(20);
    expect(Math.min(...rtmpTimes)).toBeGreaterThan(OFFSET_S - 5);
    for (let i = 1; i < rtmpTimes.length; i++) expect(rtmpTimes[i]).toBeGreaterThanOrEqual(rtmpTimes[i - 1] as number);
  });
});
