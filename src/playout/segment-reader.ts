import type { Readable } from 'node:stream';
import type { FlvTag } from '../protocol/flv/flv-tag.js';
import { FlvReader } from '../protocol/flv/flv-reader.js';

/**
 * Tags read ahead of the pacer; past this ffmpeg's stdout is paused and the pipe stops it. About 10 s of 30 fps video
 * with its audio: an encoder that falls behind for a few seconds (a busy machine) does not show on the channel.
 */
export const MAX_READ_AHEAD_TAGS = 800;

/**
 * The FLV tags an ffmpeg run writes to stdout, one at a time, with backpressure: ffmpeg runs ahead of real time only
 * by the read-ahead, so the next item can be started early (gapless) without buffering a whole movie.
 */
export class SegmentReader {
  private readonly reader = new FlvReader();
  private readonly queue: FlvTag[] = [];
  private head = 0;
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly stream: Readable,
    private readonly maxReadAhead = MAX_READ_AHEAD_TAGS,
  ) {
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.once('end', () => this.finish());
    stream.once('close', () => this.finish());
    stream.once('error', (error: Error) => this.finish(error));
  }

  /** Tags buffered and not yet taken. */
  get buffered(): number {
    return this.queue.length - this.head;
  }

  /** The next tag, or undefined once the stream has ended. Rejects if the bytes were not FLV. */
  async next(): Promise<FlvTag | undefined> {
    for (;;) {
      if (this.head < this.queue.length) {
        const tag = this.queue[this.head++] as FlvTag;
        if (this.head > 256 && this.head * 2 > this.queue.length) {
          this.queue.splice(0, this.head);
          this.head = 0;
        }
        if (this.buffered < this.maxReadAhead / 2 && this.stream.isPaused()) this.stream.resume();
        return tag;
      }
      if (this.failure !== undefined) throw this.failure;
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private onData(chunk: Buffer): void {
    try {
      for (const tag of this.reader.push(chunk)) this.queue.push(tag);
    } catch (error) {
      this.finish(error as Error);
      this.stream.destroy();
      return;
    }
    if (this.buffered >= this.maxReadAhead) this.stream.pause();
    this.notify();
  }

  private finish(error?: Error): void {
    if (error !== undefined && this.failure === undefined) this.failure = error;
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
