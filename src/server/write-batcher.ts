/**
 * How long the writes of viewers of an audio-only stream are held together. A stream is ~80 media messages a second;
 * writing each to every viewer at once costs one system call per message per viewer. Held for a few milliseconds,
 * the messages of a viewer leave in one writev: a fraction of the system calls, for a delay no player notices.
 */
export const WRITE_BATCH_MS = 20;
/**
 * Viewers of a stream with video are flushed by its channel when each video frame arrives (see Channel.forward): the
 * frame leaves at once, the audio before it with it, one writev per viewer per frame. This timer only catches a
 * video stream whose frames stop coming while audio goes on.
 */
export const VIDEO_FLUSH_FALLBACK_MS = 100;

export interface Flushable {
  flush(): void;
}

/** One per server: viewers holding writes, flushed together by one timer per delay. */
export class WriteBatcher {
  private readonly groups = new Map<number, { held: Flushable[]; timer: NodeJS.Timeout | undefined }>();

  constructor(private readonly delayMs = WRITE_BATCH_MS) {}

  /** Holds `viewer`'s writes until flushAll, at most `delayMs` (the batcher's own delay when not given). */
  add(viewer: Flushable, delayMs = this.delayMs): void {
    let group = this.groups.get(delayMs);
    if (group === undefined) this.groups.set(delayMs, (group = { held: [], timer: undefined }));
    group.held.push(viewer);
    if (group.timer === undefined) {
      const flushing = group;
      group.timer = setTimeout(() => this.flushGroup(flushing), delayMs);
      group.timer.unref();
    }
  }

  flushAll(): void {
    for (const group of this.groups.values()) this.flushGroup(group);
  }

  private flushGroup(group: { held: Flushable[]; timer: NodeJS.Timeout | undefined }): void {
    clearTimeout(group.timer);
    group.timer = undefined;
    const held = group.held;
    group.held = [];
    for (const viewer of held) viewer.flush();
  }
}
