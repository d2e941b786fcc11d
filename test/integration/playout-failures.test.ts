import { writeFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { probeMedia } from '../../src/playout/ffmpeg-probe.js';
import { normalizeCommand } from '../../src/playout/normalize-command.js';
import {
  type Incident,
  MAX_RESTARTS_PER_SEGMENT,
  type PlannedSegment,
  SegmentUnavailable,
} from '../../src/playout/paced-playout.js';
import type { GeneratedPattern } from '../../src/playout/playlist.js';
import { makeClip, mediaFrames, scratchSubdir } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { playoutOnChannel } from '../helpers/playout.js';
import { trackProcesses } from '../helpers/processes.js';
import { useKayak } from '../helpers/server.js';

/**
 * The timetable is a promise: a segment that cannot play fills its slot with a slate, and the next one starts at its
 * planned time. Each failure is reported once; retries back off (1 s, 2 s, 4 s) and are capped.
 */
const PROFILE = { width: 320, height: 240, fps: 25, videoBitrate: 300_000, audioBitrate: 64_000, sampleRate: 48_000 };
const FRAME_MS = 1000 / PROFILE.fps;

const slate = (seconds: number) => normalizeCommand({ kind: 'slate', lines: ['unavailable'] }, 0, seconds, PROFILE);
const card = (pattern: string, seconds: number) => (at: number) =>
  normalizeCommand({ kind: 'generated', pattern: pattern as GeneratedPattern, toneHz: 440 }, at, seconds - at, PROFILE);

describeWithPeers(['ffmpeg', 'ffprobe'], 'playout that keeps its timetable when items fail', () => {
  trackProcesses();
  const server = useKayak();

  /** Plays `first` (in trouble) for `slotS`, then a 3 s card planned right after it; returns what happened. */
  async function playPair(key: string, first: Omit<PlannedSegment, 'startsAtMs' | 'seconds' | 'standIn'>, slotS: number) {
    const startAt = Date.now() + 800;
    const segments: PlannedSegment[] = [
      { ...first, startsAtMs: startAt, seconds: slotS, standIn: slate },
      { title: 'next', startsAtMs: startAt + slotS * 1000, seconds: 3, command: card('testsrc2', 3) },
    ];
    const incidents: { incident: Incident; at: number }[] = [];
    const started = new Map<string, number>();
    const { playout, viewer } = await playoutOnChannel(server(), key, {
      frameMs: FRAME_MS,
      onSegment: (segment) => started.set(segment.title, Date.now()),
      onIncident: (_segment, incident) => incidents.push({ incident, at: Date.now() }),
    });
    await playout.play(segments, startAt, new AbortController().signal);
    await new Promise((resolve) => setTimeout(resolve, 300));
    viewer.close();
    const video = mediaFrames(viewer.tags, 'video');
    const largestGap = video.reduce((gap, frame, i) => (i === 0 ? 0 : Math.max(gap, frame.timestamp - video[i - 1]!.timestamp)), 0);
    const lateMs = (started.get('next') ?? NaN) - (startAt + slotS * 1000);
    console.info(`[failures] ${key}: ${incidents.map((i) => i.incident.kind).join(', ')}; next started ${lateMs} ms after its planned time; ${video.length} frames, largest gap ${largestGap} ms`);
    return { incidents, video, largestGap, lateMs, started };
  }

  it('an item whose ffmpeg fails every time: retries after 1, 2 and 4 s (a slate meanwhile), then a slate for the rest', async () => {
    const { incidents, video, largestGap, lateMs } = await playPair('failing', { title: 'broken', command: card('nosuchsource', 10) }, 10);
    expect(incidents.map((i) => i.incident.kind)).toEqual(['failed', 'failed', 'failed', 'gave-up']);
    expect(incidents.slice(0, 3).map((i) => (i.incident.kind === 'failed' ? i.incident.retryInS : 0))).toEqual([1, 2, 4]);
    expect(incidents[3]?.incident).toMatchObject({ attempts: MAX_RESTARTS_PER_SEGMENT + 1 });
    expect(incidents[0]?.incident).toMatchObject({ reason: expect.stringMatching(/ffmpeg/) });
    // Backed off: the four tries span at least the 7 s of waits between them (a slow machine only makes it longer).
    expect(incidents[3]!.at - incidents[0]!.at).toBeGreaterThanOrEqual(6_500);
    // The slot was filled (slates), the next item came on its planned place on the timeline.
    expect(largestGap).toBeLessThanOrEqual(2 * FRAME_MS);
    expect(video.length).toBeGreaterThanOrEqual(13 * PROFILE.fps - 5);
    const first = video[0]!.timestamp;
    const nextStart = video.find((frame) => frame.timestamp - first >= 10_000 - FRAME_MS / 2);
    expect(nextStart!.timestamp - first).toBeLessThanOrEqual(10_000 + FRAME_MS);
    expect(Math.abs(lateMs)).toBeLessThan(1_000); // loose here; bench/playout-faults.mjs measures it
  });

  it('a file cut short ends early: one event, a slate fills the rest, the next starts on time', async () => {
    const full = await makeClip({ seconds: 6, width: 320, height: 240, fps: 25, format: 'mp4' });
    const cut = join(scratchSubdir('truncated'), 'cut short.mp4');
    writeFileSync(cut, readFileSync(full).subarray(0, Math.floor(statSync(full).size / 2)));
    const probe = await probeMedia({ ffmpeg: 'ffmpeg', ffprobe: 'ffprobe', source: 'path' }, cut);
    expect(probe.durationS).toBeGreaterThan(5.5); // the header still promises the whole length
    const item = { title: 'cut short', command: (at: number) => normalizeCommand({ kind: 'file', path: cut, probe, title: 'cut short' }, at, 6 - at, PROFILE) };
    const { incidents, largestGap, video, lateMs } = await playPair('truncated', item, 6);
    expect(incidents.map((i) => i.incident.kind)).toEqual(['ended-early']);
    expect(incidents[0]?.incident.kind === 'ended-early' && incidents[0].incident.missingS).toBeGreaterThan(1.5);
    expect(largestGap).toBeLessThanOrEqual(2 * FRAME_MS);
    expect(video.length).toBeGreaterThanOrEqual(9 * PROFILE.fps - 5);
    expect(Math.abs(lateMs)).toBeLessThan(1_000);
  });

  it('a file gone at air time: one event, a slate for its whole slot, no retries', async () => {
    const gone = {
      title: 'gone',
      command: (): never => {
        throw new SegmentUnavailable('/movies/gone.mp4 is missing');
      },
    };
    const { incidents, largestGap, lateMs } = await playPair('gone', gone, 3);
    expect(incidents.map((i) => i.incident)).toEqual([{ kind: 'unavailable', reason: '/movies/gone.mp4 is missing', remainingS: 3 }]);
    expect(largestGap).toBeLessThanOrEqual(2 * FRAME_MS);
    expect(Math.abs(lateMs)).toBeLessThan(1_000);
  });
});
