import { afterAll, beforeAll, expect, it } from 'vitest';
import { normalizeCommand } from '../../src/playout/normalize-command.js';
import { PacedPlayout, type PlannedSegment } from '../../src/playout/paced-playout.js';
import { RtmpPublishClient, parseRtmpUrl } from '../../src/server/rtmp-publish-client.js';
import { systemClock } from '../../src/util/clock.js';
import { mediaFrames } from '../helpers/media.js';
import { startNginxRtmp } from '../helpers/nginx-rtmp.js';
import { describeWithPeers } from '../helpers/peers.js';
import { ffprobeStreams, httpFlvView } from '../helpers/players.js';
import { trackProcesses } from '../helpers/processes.js';
import { type RunningKayak, startKayak, waitForLive } from '../helpers/server.js';

/** Playout to another RTMP server (`schedule --to`): one continuous publish across items, at the far end too. */
const PROFILE = { width: 320, height: 240, fps: 25, videoBitrate: 300_000, audioBitrate: 64_000, sampleRate: 48_000 };

function cards(seconds: number): PlannedSegment[] {
  return (['smptebars', 'testsrc2'] as const).map((pattern, i) => ({
    title: pattern,
    seconds,
    command: (at: number) => normalizeCommand({ kind: 'generated', pattern, toneHz: 440 + 220 * i }, at, seconds - at, PROFILE),
  }));
}

describeWithPeers(['ffmpeg', 'ffprobe'], 'playout published to another RTMP server', () => {
  trackProcesses();
  let far: RunningKayak;

  beforeAll(async () => {
    far = await startKayak();
  });

  afterAll(async () => {
    await far?.stop();
  });

  it('reaches a second kayak-cast as one publish, with one timeline across the items', async () => {
    const client = new RtmpPublishClient(parseRtmpUrl(far.rtmpUrl('relayed')), far.logger);
    await client.start();
    await waitForLive(far, 'relayed', 10_000).catch(() => undefined);
    const viewer = httpFlvView(far.flvUrl('relayed'));
    await viewer.response;
    const playout = new PacedPlayout({ ffmpegPath: 'ffmpeg', sink: client, clock: systemClock, logger: far.logger, frameMs: 40 });
    await playout.play(cards(3), Date.now() + 300, new AbortController().signal);
    await new Promise((r) => setTimeout(r, 500));
    client.close();
    viewer.close();

    const video = mediaFrames(viewer.tags, 'video');
    expect(video.length).toBeGreaterThan(2 * 3 * PROFILE.fps - 10);
    for (let i = 1; i < video.length; i++) expect(video[i]!.timestamp).toBeGreaterThan(video[i - 1]!.timestamp);
    expect(viewer.tags.filter((t) => t.kind === 'video' && t.sequenceHeader)).toHaveLength(1);
    expect(far.logger.lines.filter((l) => /: live \(from/.test(l.message))).toHaveLength(1);
  });
});

describeWithPeers(['ffmpeg', 'ffprobe', 'nginx-rtmp'], 'playout published to nginx-rtmp', () => {
  trackProcesses();

  it('publishes to nginx-rtmp, where ffprobe finds H.264 and AAC at the output size', async () => {
    const nginx = await startNginxRtmp();
    try {
      const client = new RtmpPublishClient(parseRtmpUrl(nginx.url('movie')), { log: () => {} });
      await client.start();
      const playout = new PacedPlayout({ ffmpegPath: 'ffmpeg', sink: client, clock: systemClock, logger: { log: () => {} }, frameMs: 40 });
      const done = playout.play(cards(4), Date.now() + 200, new AbortController().signal);
      const streams = await ffprobeStreams(nginx.url('movie'), 15_000);
      await done;
      client.close();
      expect(streams.find((s) => s.codec_type === 'video')).toMatchObject({ codec_name: 'h264', width: 320, height: 240 });
      expect(streams.find((s) => s.codec_type === 'audio')).toMatchObject({ codec_name: 'aac', sample_rate: '48000' });
    } finally {
      await nginx.stop();
    }
  });
});
