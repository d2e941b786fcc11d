import type { LogFields, LogLevel, Logger } from '../util/logger.js';

/** How many recent events are kept: more than any terminal shows, few enough to cost nothing. */
export const EVENT_LOG_CAPACITY = 100;

export interface LoggedEvent {
  /** Epoch ms. */
  at: number;
  level: Exclude<LogLevel, 'debug'>;
  message: string;
  /** The `event` field of the log line when it had one (publish, unpublish, ffmpeg-restart, ...). */
  kind?: string;
}

/** The recent events the dashboard lists: a bounded ring that a logger tees its info/warn/error lines into. */
export class EventLog {
  private readonly ring: (LoggedEvent | undefined)[];
  private next = 0;
  private count = 0;

  constructor(
    readonly capacity = EVENT_LOG_CAPACITY,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`event log capacity must be a positive integer, got ${capacity}`);
    this.ring = new Array<LoggedEvent | undefined>(capacity);
  }

  add(level: LoggedEvent['level'], message: string, kind?: string): void {
    this.ring[this.next] = { at: this.now(), level, message, ...(kind !== undefined ? { kind } : {}) };
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** Up to `limit` events, newest first. */
  recent(limit = this.capacity): LoggedEvent[] {
    const out: LoggedEvent[] = [];
    for (let i = 1; i <= Math.min(limit, this.count); i++) {
      const event = this.ring[(this.next - i + this.capacity) % this.capacity];
      if (event !== undefined) out.push(event);
    }
    return out;
  }

  get size(): number {
    return this.count;
  }

  /** A logger that records info/warn/error lines here, then passes every line on to `inner`. */
  tee(inner: Logger): Logger {
    return {
      log: (level: LogLevel, message: string, fields?: LogFields) => {
        if (level !== 'debug') this.add(level, message, typeof fields?.event === 'string' ? fields.event : undefined);
        inner.log(level, message, fields);
      },
    };
  }
}
