import { describe, expect, it } from 'vitest';
import { MediaPacket } from '../../../src/media/media-packet.js';
import { ViewerQueue } from '../../../src/media/viewer-queue.js';
import type { Clock } from '../../../src/util/clock.js';

const limits = { maxBytes: 1000, resumeBytes: 100, maxBehindMs: 5000 };
const video = (keyframe: boolean) => new MediaPacket('video', 0, Buffer.alloc(10), keyframe);
const audio = () => new MediaPacket('audio', 0, Buffer.alloc(10));
const header = () => new MediaPacket('video', 0, Buffer.alloc(10), true, true);

function fakeClock(start = 0): Clock & { advance(ms: number): void } {
  let t = start;
  return { now: () => t, monotonic: () => t, advance: (ms) => (t += ms) };
}

describe('ViewerQueue', () => {
  it('sends while the backlog is at or under the limit', () => {
    const queue = new ViewerQueue(limits);
    expect(queue.judge(video(false), 1000, fakeClock(), true)).toBe('send');
    expect(queue.skipping).toBe(false);
  });

  it('crossing the limit starts skipping and counts the dropped video frames', () => {
    const queue = new ViewerQueue(limits);
    const clock = fakeClock();
    expect(queue.judge(video(false), 1001, clock, true)).toBe('drop');
    expect(queue.judge(audio(), 900, clock, true)).toBe('drop');
    expect(queue.judge(video(false), 50, clock, true)).toBe('drop');
    expect(queue.dropped).toBe(2);
    expect(queue.skipping).toBe(true);
  });

  it('a crowded server makes a viewer skip under its own limit, and it resumes the usual way', () => {
    const queue = new ViewerQueue(limits);
    const clock = fakeClock();
    expect(queue.judge(video(false), 500, clock, true, true)).toBe('drop');
    expect(queue.skipping).toBe(true);
    expect(queue.judge(video(true), 100, clock, true)).toBe('send');
    expect(queue.judge(header(), 500, clock, true, true)).toBe('send');
  });

  it('resumes only at a keyframe once the backlog has drained below the resume mark', () => {
    const queue = new ViewerQueue(limits);
    const clock = fakeClock();
    queue.judge(video(false), 2000, clock, true);
    expect(queue.judge(video(true), 101, clock, true)).toBe('drop');
    expect(queue.judge(video(true), 100, clock, true)).toBe('send');
    expect(queue.skipping).toBe(false);
    expect(queue.judge(audio(), 100, clock, true)).toBe('send');
  });

  it('an audio-only stream resumes at any audio packet', () => {
    const queue = new ViewerQueue(limits);
    const clock = fakeClock();
    queue.judge(audio(), 2000, clock, false);
    expect(queue.judge(audio(), 10, clock, false)).toBe('send');
  });

  it('never drops sequence headers or metadata, even while skipping', () => {
    const queue = new ViewerQueue(limits);
    const clock = fakeClock();
    queue.judge(video(false), 2000, clock, true);
    expect(queue.judge(header(), 5000, clock, true)).toBe('send');
    expect(queue.judge(new MediaPacket('data', 0, Buffer.alloc(3)), 5000, clock, true)).toBe('send');
  });

  it('disconnects a viewer that stays behind longer than maxBehindMs', () => {
    const queue = new ViewerQueue(limits);
    const clock = fakeClock();
    queue.judge(video(false), 2000, clock, true);
    clock.advance(5000);
    expect(queue.judge(video(false), 2000, clock, true)).toBe('drop');
    clock.advance(1);
    expect(queue.judge(video(false), 2000, clock, true)).toBe('disconnect');
  });
});
