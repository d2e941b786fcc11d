/**
 * How long viewers' writes are held together. A 720p stream is ~80 media messages a second; writing each to every
 * viewer at once costs one system call per message per viewer. Held for a few milliseconds, the messages of a viewer
 * leave in one writev: a fraction of the system calls, for a delay no player notices (they buffer seconds).
 */
export const WRITE_BATCH_MS = 20;

export interface Flushable {
  flush(): void;
}

/** One per server: the viewers holding corked writes, all flushed by one timer. */
export class WriteBatcher {
  private held: Flushable[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly delayMs = WRITE_BATCH_MS) {}

  add(viewer: Flushable): void {
    this.held.push(viewer);
    if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flushAll(), this.delayMs);
      this.timer.unref();
    }
  }

  flushAll(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const held = this.held;
    this.held = [];
    for (const viewer of held) viewer.flush();
  }
}
