import { describe, expect, it } from 'vitest';
import { BACKWARD_JUMP_MS, FORWARD_JUMP_MS, Timeline, type TimelineJump } from '../../../src/media/timeline.js';

describe('Timeline', () => {
  it('passes a well-behaved publisher through unchanged, interleaving included', () => {
    const t = new Timeline();
    const out = [
      t.place('video', 0, 0, 33),
      t.place('audio', 0, 0, 33),
      t.place('audio', 23, 20, 33),
      t.place('video', 33, 30, 33),
      t.place('audio', 21, 31, 33), // a little behind the video: ordinary interleaving
    ];
    expect(out).toEqual([0, 0, 23, 33, 23]);
  });

  it('never lets one kind go back, even within the interleaving tolerance', () => {
    const t = new Timeline();
    t.place('audio', 500, 0, 33);
    expect(t.place('audio', 400, 1, 33)).toBe(500);
    expect(t.place('audio', 520, 2, 33)).toBe(520);
  });

  it('smooths a jump back by hours onto the timeline and reports it once', () => {
    const t = new Timeline();
    const jumps: TimelineJump[] = [];
    for (let i = 0; i <= 10; i++) t.place('video', 3_600_000 + i * 40, i * 40, 40, (j) => jumps.push(j));
    const after = [0, 40, 80].map((s, i) => t.place('video', s, 500 + i * 40, 40, (j) => jumps.push(j)));
    expect(after).toEqual([3_600_440, 3_600_480, 3_600_520]);
    expect(jumps).toHaveLength(1);
    expect(jumps[0]?.byMs).toBe(-3_600_400);
  });

  it('smooths a leap forward that wall-clock time does not explain', () => {
    const t = new Timeline();
    const jumps: TimelineJump[] = [];
    t.place('video', 1000, 0, 40);
    t.place('video', 1040, 40, 40);
    expect(t.place('video', 1040 + 7_200_000, 80, 40, (j) => jumps.push(j))).toBe(1080);
    expect(t.place('video', 1080 + 7_200_000, 120, 40, (j) => jumps.push(j))).toBe(1120);
    expect(jumps.map((j) => j.byMs)).toEqual([7_200_000]);
  });

  it('keeps a pause in sending: timestamps that moved on as far as the wall clock did are not a leap', () => {
    const t = new Timeline();
    t.place('video', 0, 0, 40);
    const jumps: TimelineJump[] = [];
    expect(t.place('video', 30_000, 30_000, 40, (j) => jumps.push(j))).toBe(30_000);
    expect(jumps).toEqual([]);
  });

  it('accepts a publisher faster than real time (no -re): each step is a frame', () => {
    const t = new Timeline();
    const jumps: TimelineJump[] = [];
    let last = 0;
    for (let i = 0; i < 5000; i++) last = t.place('video', i * 40, 0, 40, (j) => jumps.push(j));
    expect(last).toBe(4999 * 40);
    expect(jumps).toEqual([]);
  });

  it('has the limits of its constants exactly', () => {
    const t = new Timeline();
    const jumps: TimelineJump[] = [];
    t.place('video', 10_000, 0, 40);
    t.place('audio', 10_000 - BACKWARD_JUMP_MS, 0, 40, (j) => jumps.push(j));
    expect(jumps).toEqual([]);
    t.place('audio', 10_000 - BACKWARD_JUMP_MS - 1, 0, 40, (j) => jumps.push(j));
    expect(jumps).toHaveLength(1);
    const u = new Timeline();
    u.place('video', 0, 0, 40);
    u.place('video', FORWARD_JUMP_MS, 0, 40, (j) => jumps.push(j));
    expect(jumps).toHaveLength(1);
    u.place('video', 2 * FORWARD_JUMP_MS + 1, 0, 40, (j) => jumps.push(j));
    expect(jumps).toHaveLength(2);
  });

  it('continues one frame after the last packet when a new publisher attaches', () => {
    const t = new Timeline();
    t.place('video', 5000, 0, 40);
    t.rebase();
    expect(t.place('video', 0, 10, 40)).toBe(5040);
    expect(t.place('video', 40, 50, 40)).toBe(5080);
  });
});
