import { describe, expect, it } from 'vitest';
import { ContinuousTimeline } from '../../../src/playout/continuous-timeline.js';
import type { MediaSink } from '../../../src/playout/media-sink.js';

const AVC_HEADER = Buffer.from([0x17, 0x00, 0, 0, 0, 0x01, 0x64]);
const OTHER_AVC_HEADER = Buffer.from([0x17, 0x00, 0, 0, 0, 0x01, 0x4d]);
const KEY = Buffer.from([0x17, 0x01, 0, 0, 0, 0xaa]);
const AAC = Buffer.from([0xaf, 0x01, 0xcc]);
const META = Buffer.from([0x02, 0x00, 0x0a, ...Buffer.from('onMetaData'), 0x05]);

function recorder() {
  const pushed: { kind: string; ts: number; payload: Buffer }[] = [];
  const sink: MediaSink = {
    pushVideo: (ts, payload) => pushed.push({ kind: 'video', ts, payload }),
    pushAudio: (ts, payload) => pushed.push({ kind: 'audio', ts, payload }),
    pushData: (ts, payload) => pushed.push({ kind: 'data', ts, payload }),
  };
  return { sink, pushed };
}

function segment(timeline: ContinuousTimeline, header: Buffer, frames: number, start = 0): void {
  timeline.beginSegment();
  timeline.push({ type: 18, timestamp: 0, payload: META });
  timeline.push({ type: 9, timestamp: start, payload: header });
  for (let i = 0; i < frames; i++) {
    timeline.push({ type: 9, timestamp: start + i * 40, payload: KEY });
    timeline.push({ type: 8, timestamp: start + i * 40 + 5, payload: AAC });
  }
}

describe('ContinuousTimeline', () => {
  it('starts each segment one frame after the last frame of the previous one (and after its last audio)', () => {
    const { sink, pushed } = recorder();
    const timeline = new ContinuousTimeline(sink, 40);
    segment(timeline, AVC_HEADER, 3); // video 0, 40, 80; audio up to 85
    segment(timeline, AVC_HEADER, 2, 1000); // a segment whose own timestamps start at 1000
    const video = pushed.filter((p) => p.kind === 'video' && p.payload === KEY).map((p) => p.ts);
    expect(video).toEqual([0, 40, 80, 120, 160]);
  });

  it('drops sequence headers identical to the last ones and all but the first onMetaData', () => {
    const { sink, pushed } = recorder();
    const timeline = new ContinuousTimeline(sink, 40);
    segment(timeline, AVC_HEADER, 1);
    segment(timeline, AVC_HEADER, 1);
    expect(pushed.filter((p) => p.payload === AVC_HEADER || p.payload.equals(AVC_HEADER))).toHaveLength(1);
    expect(pushed.filter((p) => p.kind === 'data')).toHaveLength(1);
    expect(pushed.find((p) => p.kind === 'data')?.ts).toBe(0);
  });

  it('forwards a changed sequence header', () => {
    const { sink, pushed } = recorder();
    const timeline = new ContinuousTimeline(sink, 40);
    segment(timeline, AVC_HEADER, 1);
    segment(timeline, OTHER_AVC_HEADER, 1);
    expect(pushed.filter((p) => p.kind === 'video' && p.payload[1] === 0)).toHaveLength(2);
  });

  it('keeps a segment at its planned place (never earlier), and cuts what would run into the next slot', () => {
    const { sink, pushed } = recorder();
    const timeline = new ContinuousTimeline(sink, 40);
    timeline.beginSegment(0, 100); // a 100 ms slot: frames at 0 and 40 fit, 80 would show until 120
    for (let i = 0; i < 4; i++) timeline.push({ type: 9, timestamp: i * 40, payload: KEY });
    timeline.push({ type: 8, timestamp: 100, payload: AAC });
    expect(timeline.end).toBe(80);
    timeline.beginSegment(1000, 1100); // planned well after the last frame (the previous item ended early): kept
    timeline.push({ type: 9, timestamp: 0, payload: KEY });
    timeline.beginSegment(1010); // planned before the last frame ended: one frame after it
    timeline.push({ type: 9, timestamp: 0, payload: KEY });
    const video = pushed.filter((p) => p.kind === 'video').map((p) => p.ts);
    expect(video).toEqual([0, 40, 1000, 1040]);
    expect(pushed.filter((p) => p.kind === 'audio')).toEqual([]);
  });

  it('starts a segment planned at the end of a slot its predecessor overran by a millisecond a whole frame later', () => {
    const { sink, pushed } = recorder();
    const timeline = new ContinuousTimeline(sink, 40);
    timeline.beginSegment(0, 1679); // a filler's odd slot: its last frame, at 1640, shows until 1680
    for (let i = 0; i < 42; i++) timeline.push({ type: 9, timestamp: i * 40, payload: KEY });
    timeline.beginSegment(1679); // the next item, planned at the slot's end
    timeline.push({ type: 9, timestamp: 0, payload: KEY });
    const video = pushed.filter((p) => p.kind === 'video').map((p) => p.ts);
    // 1640 then 1679 (39 ms) would decode at 25 fps as two frames on one frame time, one time in 40.
    expect(video.slice(-2)).toEqual([1640, 1680]);
  });
});
