import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeClip, mediaFrames, timestampRegressions } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { ffprobePackets, httpFlvView, publishFfmpeg, waitForVideoFrames } from '../helpers/players.js';
import { sleep, stopProcess, trackProcesses, waitFor } from '../helpers/processes.js';
import { startKayak, waitForLive } from '../helpers/server.js';
import type { RunningKayak } from '../helpers/server.js';

/**
 * Live-stream behaviour that players notice: a joining viewer starts on a keyframe at once (GOP cache), one publisher
 * per key, and a publisher that reconnects within the grace period continues the same viewers without a timestamp
 * reset.
 */

describeWithPeers(['ffmpeg', 'ffprobe'], 'kayak-cast live behaviour', () => {
  trackProcesses();
  let kayak: RunningKayak;
  const GRACE_MS = 4_000;

  beforeAll(async () => {
    kayak = await startKayak({ graceMs: GRACE_MS });
  });

  afterAll(async () => {
    await kayak?.stop();
  });

  it('a viewer joining mid-GOP gets a keyframe first, without waiting for the next one', async () => {
    // One keyframe every 4 s: a server without a GOP cache would make the viewer wait up to 4 s for the next one,
    // or start it on a frame that cannot be decoded.
    const gopMs = 4_000;
    const clip = await makeClip({ seconds: 8, width: 640, height: 360, fps: 25, gopSeconds: gopMs / 1000 });
    publishFfmpeg(kayak.rtmpUrl('join'), clip, { loop: true });
    await waitForLive(kayak, 'join');

    // A monitor viewer tells us where the keyframes are; join 500 ms after one, i.e. 3.5 s before the next.
    const monitor = httpFlvView(kayak.flvUrl('join'));
    await waitForVideoFrames(monitor, 3 * 25, 20_000);
    const keyframesSeen = mediaFrames(monitor.tags, 'video').filter((t) => t.keyframe).length;
    await waitFor(() => mediaFrames(monitor.tags, 'video').filter((t) => t.keyframe).length > keyframesSeen, {
      timeoutMs: gopMs + 6_000,
      intervalMs: 20,
      what: 'the next keyframe at the monitor',
    });
    await sleep(500);

    const [viewer, probed] = await Promise.all([
      (async () => {
        const v = httpFlvView(kayak.flvUrl('join'));
        await waitForVideoFrames(v, 10);
        v.close();
        return v;
      })(),
      ffprobePackets(kayak.rtmpUrl('join'), 1, { streams: 'v' }),
    ]);
    monitor.close();

    const firstFrame = mediaFrames(viewer.tags, 'video')[0];
    const firstFrameMs = viewer.firstVideoFrameMs() ?? Number.NaN;
    console.info(`[join] HTTP-FLV viewer: first video frame ${firstFrameMs.toFixed(1)} ms after the request`);
    expect(firstFrame?.keyframe, 'HTTP-FLV: first video frame is a keyframe').toBe(true);
    // Generous for a loaded 2-core machine, and still far below the 3.5 s a cache-less server needs.
    expect(firstFrameMs).toBeLessThan(1_500);

    expect(probed.video.length, 'RTMP viewer got video').toBeGreaterThan(0);
    expect(probed.video[0]?.keyframe, 'RTMP: first video packet is a keyframe').toBe(true);
  }, 60_000);

  it('refuses a second publisher on a live key while the first keeps streaming', async () => {
    const clip = await makeClip({ seconds: 5, width: 640, height: 360, fps: 25 });
    const first = publishFfmpeg(kayak.rtmpUrl('taken'), clip, { loop: true });
    const live = await waitForLive(kayak, 'taken');
    const monitor = httpFlvView(kayak.flvUrl('taken'));
    await waitForVideoFrames(monitor, 10);

    const second = publishFfmpeg(kayak.rtmpUrl('taken'), clip, { loop: true });
    const secondExit = await Promise.race([second.exited, sleep(20_000).then(() => 'still running' as const)]);
    expect(secondExit, `the second publisher must be refused\n${second.output()}`).not.toBe('still running');
    expect(second.exit?.code, second.output()).not.toBe(0);

    const framesAtRefusal = mediaFrames(monitor.tags, 'video').length;
    await waitForVideoFrames(monitor, framesAtRefusal + 25, 10_000);
    expect(first.exit, `the first publisher must keep going\n${first.output()}`).toBeNull();
    expect(monitor.finish).toBeUndefined();
    const now = kayak.server.status.snapshot().streams.find((s) => s.key === 'taken');
    expect(now?.state).toBe('live');
    expect(now?.publisher?.since).toBe(live.publisher?.since);
    monitor.close();
  }, 60_000);

  it('a publisher that reconnects within the grace period continues the same viewers with increasing timestamps', async () => {
    const clip = await makeClip({ seconds: 5, width: 640, height: 360, fps: 25 });
    const first = publishFfmpeg(kayak.rtmpUrl('resume'), clip, { loop: true });
    await waitForLive(kayak, 'resume');
    const viewer = httpFlvView(kayak.flvUrl('resume'));
    await waitForVideoFrames(viewer, 50, 20_000);

    // A clean stop first: ffmpeg sends FCUnpublish / deleteStream on SIGTERM.
    await stopProcess(first, 'SIGTERM');
    await waitFor(() => kayak.server.status.snapshot().streams.find((s) => s.key === 'resume' && s.state === 'grace'), {
      timeoutMs: GRACE_MS,
      intervalMs: 20,
      what: 'the stream to enter its grace period',
    });
    // Tags the old publisher sent may still be in flight (the server batches writes for 20 ms; a loaded machine
    // delays the reader further): let them land before counting what came before the restart.
    await sleep(500);
    const tagsBeforeRestart = viewer.tags.length;
    const lastVideoBefore = mediaFrames(viewer.tags, 'video').at(-1)?.timestamp ?? 0;
    const lastAudioBefore = mediaFrames(viewer.tags, 'audio').at(-1)?.timestamp ?? 0;

    const second = publishFfmpeg(kayak.rtmpUrl('resume'), clip, { loop: true });
    await waitForLive(kayak, 'resume');
    await waitFor(() => mediaFrames(viewer.tags.slice(tagsBeforeRestart), 'video').length >= 50, {
      timeoutMs: 20_000,
      what: '50 video frames after the publisher came back',
    });
    expect(viewer.finish, 'the viewer stayed connected through the restart').toBeUndefined();

    const after = viewer.tags.slice(tagsBeforeRestart);
    expect(after.some((t) => t.kind === 'video' && t.sequenceHeader), 'new AVC sequence header').toBe(true);
    expect(after.some((t) => t.kind === 'audio' && t.sequenceHeader), 'new AAC sequence header').toBe(true);
    const firstVideoAfter = mediaFrames(after, 'video')[0];
    const firstAudioAfter = mediaFrames(after, 'audio')[0];
    console.info(
      `[resume] last video ts before ${lastVideoBefore} ms, first after ${firstVideoAfter?.timestamp} ms; ` +
        `audio ${lastAudioBefore} -> ${firstAudioAfter?.timestamp}`,
    );
    expect(firstVideoAfter?.keyframe, 'the resumed stream starts on a keyframe').toBe(true);
    expect(firstVideoAfter?.timestamp).toBeGreaterThan(lastVideoBefore);
    expect(firstAudioAfter?.timestamp).toBeGreaterThan(lastAudioBefore);
    expect(timestampRegressions(viewer.tags, 'video')).toEqual([]);
    expect(timestampRegressions(viewer.tags, 'audio')).toEqual([]);

    // Now an abrupt end (the socket just closes): after the grace period the viewer gets a clean end of stream.
    await stopProcess(second, 'SIGKILL');
    const gone = Date.now();
    const how = await Promise.race([viewer.finished, sleep(GRACE_MS + 10_000).then(() => 'still open' as const)]);
    const waited = Date.now() - gone;
    console.info(`[resume] viewer ended '${how}' ${waited} ms after the publisher vanished (grace ${GRACE_MS} ms)`);
    expect(how).toBe('end');
    expect(waited).toBeGreaterThanOrEqual(GRACE_MS - 500);
    expect(kayak.server.status.snapshot().streams.find((s) => s.key === 'resume')).toBeUndefined();
  }, 90_000);
});
