import { describe, expect, it } from 'vitest';
import { HlsSegmenter, type HlsSegmenterOptions } from '../../../src/media/hls-segmenter.js';
import { MediaPacket } from '../../../src/media/media-packet.js';
import { renderMediaPlaylist } from '../../../src/protocol/hls/m3u8.js';
import { checkMediaPlaylist, LivePlaylistChecker } from '../../helpers/hls-checker.js';
import { AVC_RECORD, aacFrame, audioHeader, videoFrame, videoHeader } from '../../helpers/media-packets.js';
import { readTs } from '../../helpers/ts-reader.js';

const RECORD = AVC_RECORD;
const EPOCH = Date.UTC(2026, 10, 27, 20, 0, 0);
const frame = videoFrame;
const aac = aacFrame;

function setup(overrides: Partial<HlsSegmenterOptions> = {}) {
  let now = EPOCH;
  const clock = { now: () => now, monotonic: () => now };
  const segmenter = new HlsSegmenter({ targetSegmentMs: 2000, windowSegments: 6, maxSegmentMs: 12_000, maxSegmentBytes: 8 << 20, clock, session: 's1', ...overrides });
  /** Video at 25 fps with a keyframe every `gopFrames`, audio every 23 ms, from `from` ms for `ms`; the clock follows. */
  const play = (from: number, ms: number, gopFrames: number, withAudio = true): void => {
    let audioAt = from;
    for (let t = from; t < from + ms; t += 40) {
      now = EPOCH + t;
      segmenter.deliver(frame(t, Math.round(t / 40) % gopFrames === 0), true);
      while (withAudio && audioAt < t + 40) {
        segmenter.deliver(aac(audioAt), true);
        audioAt += 23;
      }
    }
  };
  const playlist = () =>
    renderMediaPlaylist({
      targetDurationS: segmenter.targetDurationS ?? 0,
      mediaSequence: segmenter.window.mediaSequence,
      discontinuitySequence: segmenter.window.discontinuitySequence,
      segments: segmenter.window.segments.map((s) => ({ uri: s.name, durationMs: s.durationMs, programDateTime: s.programDateTime, discontinuity: s.discontinuity })),
    });
  return { segmenter, play, playlist, setNow: (t: number) => (now = EPOCH + t) };
}

describe('HlsSegmenter', () => {
  it('cuts on keyframes at the target, lists a bounded window, and every segment decodes alone', () => {
    const { segmenter, play, playlist } = setup();
    segmenter.deliverBurst([videoHeader(0), audioHeader(0)], true);
    const live = new LivePlaylistChecker();
    for (let second = 0; second < 30; second += 2) {
      play(second * 1000, 2000, 25);
      if (segmenter.window.segments.length > 0) live.add(playlist());
    }
    expect(live.problems).toEqual([]);
    expect(segmenter.targetDurationS).toBe(2);
    expect(segmenter.window.segments.map((s) => s.sequence)).toEqual([8, 9, 10, 11, 12, 13]);
    expect(segmenter.window.segments.map((s) => [s.durationMs, s.independent, s.discontinuity])).toEqual(Array(6).fill([2000, true, false]));
    expect(segmenter.window.segments[0]?.name).toBe('s1-8.ts');
    expect(segmenter.window.segments[0]?.programDateTime).toBe(EPOCH + 16_000);
    for (const segment of segmenter.window.segments) {
      const read = readTs(segment.data);
      expect(read.problems).toEqual([]);
      expect(read.pmt?.streams).toHaveLength(2);
      expect(read.pes.find((p) => p.pid === 0x100)?.randomAccess).toBe(true);
    }
    expect(segmenter.codecs()).toEqual(['avc1.42c01f', 'mp4a.40.2']);
    expect(segmenter.window.bytes).toBe(segmenter.window.segments.reduce((n, s) => n + s.data.length, 0));
  });

  it('follows a GOP longer than the target: 4 s keyframes give 4 s segments and a target duration of 4', () => {
    const { segmenter, play, playlist } = setup();
    segmenter.deliverBurst([videoHeader(0), audioHeader(0)], true);
    play(0, 21_000, 100);
    expect(segmenter.targetDurationS).toBe(4);
    expect(segmenter.window.segments.map((s) => s.durationMs)).toEqual([4000, 4000, 4000, 4000, 4000]);
    expect(checkMediaPlaylist(playlist()).problems).toEqual([]);
  });

  it('cuts an overlong GOP before its EXTINF would round above the fixed target duration', () => {
    const { segmenter, play, playlist } = setup();
    segmenter.deliverBurst([videoHeader(0), audioHeader(0)], true);
    play(0, 4_000, 25); // 1 s GOP: target duration fixed at 2
    play(4_000, 12_000, 250); // then a 10 s GOP (keyframe at 10 s only)
    expect(segmenter.targetDurationS).toBe(2);
    const forced = segmenter.window.segments.filter((s) => !s.independent);
    expect(forced.length).toBeGreaterThan(0);
    for (const s of segmenter.window.segments) expect(Math.round(s.durationMs / 1000)).toBeLessThanOrEqual(2);
    expect(checkMediaPlaylist(playlist()).problems).toEqual([]);
  });

  it('starts from the join burst: the cached GOP makes the first segment, dated in the past', () => {
    const { segmenter, setNow, play } = setup();
    setNow(61_500);
    const gop = [frame(60_000, true), aac(60_010), frame(60_040, false), frame(61_480, false)];
    segmenter.deliverBurst([videoHeader(60_000), audioHeader(60_000), ...gop], true);
    play(61_520, 600, 25);
    const first = segmenter.window.segments[0];
    expect(first?.startTimestamp).toBe(60_000);
    expect(first?.durationMs).toBe(2000);
    // Dated from the burst's newest packet (61 480 ms) arriving now (61 500 ms): within a frame of the truth.
    expect(Math.abs((first?.programDateTime ?? 0) - (EPOCH + 60_000))).toBeLessThanOrEqual(40);
  });

  it('an identical sequence header (a publisher that came back) makes no discontinuity; a new one does', () => {
    const { segmenter, play, playlist } = setup({ windowSegments: 3 });
    segmenter.deliverBurst([videoHeader(0), audioHeader(0)], true);
    play(0, 4_000, 25);
    segmenter.deliver(videoHeader(4_000), true);
    play(4_000, 4_000, 25);
    expect(segmenter.window.segments.some((s) => s.discontinuity)).toBe(false);
    const other = Buffer.from(RECORD);
    other[3] = 0x28; // level 4.0: new parameters
    segmenter.deliver(videoHeader(8_000, other), true);
    const live = new LivePlaylistChecker();
    for (let t = 8_000; t < 20_000; t += 2_000) {
      play(t, 2_000, 25);
      live.add(playlist());
    }
    expect(live.problems).toEqual([]);
    const flagged = segmenter.window.segments.find((s) => s.discontinuity);
    expect(flagged ?? segmenter.window.discontinuitySequence).toBeTruthy();
    expect(segmenter.window.discontinuitySequence).toBe(1);
    expect(readTs(segmenter.window.segments[2]?.data as Buffer).pmt?.version).toBe(1);
  });

  it('cuts an audio-only stream by duration', () => {
    const { segmenter } = setup();
    segmenter.deliverBurst([audioHeader(0)], false);
    for (let t = 0; t < 7_000; t += 23) segmenter.deliver(aac(t), false);
    expect(segmenter.targetDurationS).toBe(2);
    expect(segmenter.window.segments.map((s) => s.durationMs)).toEqual([2001, 2001, 2001]);
    expect(segmenter.codecs()).toEqual(['mp4a.40.2']);
    expect(readTs(segmenter.window.segments[0]?.data as Buffer).pmt?.pcrPid).toBe(0x101);
  });

  it('cuts a segment that reaches the byte limit, so a window never holds more than N such segments', () => {
    const { segmenter, play } = setup({ maxSegmentBytes: 50_000, windowSegments: 3 });
    segmenter.deliverBurst([videoHeader(0), audioHeader(0)], true);
    for (let t = 0; t < 4_000; t += 40) segmenter.deliver(frame(t, t === 0, 5_000), true);
    play(4_000, 200, 25);
    expect(segmenter.window.segments.length).toBe(3);
    for (const s of segmenter.window.segments) expect(s.data.length).toBeLessThan(50_000 + 6_000);
    expect(segmenter.window.bytes).toBeLessThan(3 * 56_000);
  });

  it('says why it cannot carry a stream whose video is not H.264', () => {
    const { segmenter } = setup();
    // Enhanced RTMP: IsExHeader, keyframe, PacketTypeSequenceStart, FourCC hvc1.
    const hevc = new MediaPacket('video', 0, Buffer.from([0x90, 0x68, 0x76, 0x63, 0x31, 1, 2, 3]), true, true);
    segmenter.deliverBurst([hevc], true);
    expect(segmenter.unsupported).toMatch(/H\.264.*hevc/);
  });

  it('lets go of everything when finished', () => {
    let ended = 0;
    const { segmenter, play } = setup({ onEnd: () => ended++ });
    segmenter.deliverBurst([videoHeader(0), audioHeader(0)], true);
    play(0, 3_000, 25);
    segmenter.finish();
    segmenter.finish();
    play(3_000, 3_000, 25);
    expect(segmenter.ended).toBe(true);
    expect(segmenter.window.segments).toHaveLength(1);
    expect(ended).toBe(1);
  });
});
