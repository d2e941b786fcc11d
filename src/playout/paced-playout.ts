import { FlvTagType } from '../protocol/flv/flv-tag.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { ContinuousTimeline } from './continuous-timeline.js';
import type { FfmpegCommand } from './ffmpeg-commands.js';
import { type RunningFfmpeg, runFfmpeg } from './ffmpeg-run.js';
import type { MediaSink } from './media-sink.js';
import { SegmentReader } from './segment-reader.js';

/** The next item's ffmpeg starts this long before the current one ends, so its first frame is ready on time. */
export const PREROLL_MS = 3000;

/** An ffmpeg that dies mid-item is restarted where it stopped, this many times per item at most. */
export const MAX_RESTARTS_PER_SEGMENT = 5;

export interface PlannedSegment {
  title: string;
  /** The command that plays this segment from `offsetS` seconds into it (0 at first, later after a crash). */
  command(offsetS: number): FfmpegCommand;
  /** Planned length; the next segment is prepared PREROLL_MS before it ends. */
  seconds: number;
}

export interface PacedPlayoutOptions {
  ffmpegPath: string;
  sink: MediaSink;
  clock: Clock;
  logger: Logger;
  /** One frame at the output frame rate, in ms. */
  frameMs: number;
  /** Called as each segment's first frame goes out (status, dashboard). */
  onSegment?: (segment: PlannedSegment, index: number) => void;
  /** FLV tags read ahead of real time per segment (default MAX_READ_AHEAD_TAGS, about 10 s). */
  readAheadTags?: number;
  /** Called when a segment's ffmpeg died and was restarted at `offsetS`. */
  onRestart?: (segment: PlannedSegment, offsetS: number, error: Error) => void;
}

/**
 * Plays segments back to back as one stream, paced by our own clock rather than ffmpeg's -re: each ffmpeg runs just
 * ahead of real time (held back by its stdout pipe), and every frame goes out when the wall clock reaches its place
 * on the channel's timeline. Media time therefore tracks the wall clock over a whole show, and the next item is
 * already decoded when the current one ends.
 */
export class PacedPlayout {
  private readonly timeline: ContinuousTimeline;
  /** The ffmpeg of the segment on air, and whether the host asked to cut it short. */
  private onAir: RunningFfmpeg | undefined;
  private skipping = false;

  constructor(private readonly options: PacedPlayoutOptions) {
    this.timeline = new ContinuousTimeline(options.sink, options.frameMs);
  }

  /**
   * Plays `segments` (any iterable: a loop is endless) back to back, the first frame due at wall time
   * `startAtMs`. Each segment is placed at its planned position (the sum of the planned lengths before it), so
   * the show stays on the clock however long it runs. Resolves when they are done or on abort.
   */
  async play(segments: Iterable<PlannedSegment>, startAtMs: number, signal: AbortSignal): Promise<void> {
    const { clock } = this.options;
    const origin = this.timeline.position;
    // Channel time t is due at monotonic time `anchor + t`.
    const anchor = clock.monotonic() + (startAtMs - clock.now()) - origin;
    const queue = segments[Symbol.iterator]();
    let current = queue.next();
    let next: RunningFfmpeg | undefined = current.done ? undefined : this.start(current.value, 0, signal);
    let plannedMs = origin;
    for (let index = 0; !current.done && !signal.aborted; index++) {
      const segment = current.value;
      const upcoming = queue.next();
      const prepareNext = () => {
        if (next === undefined && !upcoming.done && !signal.aborted) next = this.start(upcoming.value, 0, signal);
      };
      let running = next ?? this.start(segment, 0, signal);
      next = undefined;
      let announced = false;
      const prerollAt = anchor + plannedMs + segment.seconds * 1000 - PREROLL_MS;
      let playedS = 0;
      let planned: number | undefined = plannedMs;
      for (let restarts = 0; ; restarts++) {
        this.onAir = running;
        playedS += await this.pace(running, anchor, planned, signal, () => {
          if (!announced) {
            announced = true;
            this.options.onSegment?.(segment, index);
          }
          if (clock.monotonic() >= prerollAt) prepareNext();
        });
        planned = undefined;
        const failure = await running.done.then(() => undefined, (error: Error) => error);
        if (failure === undefined || signal.aborted || this.skipping) break;
        if (restarts >= MAX_RESTARTS_PER_SEGMENT || playedS >= segment.seconds - 0.5) {
          this.options.logger.log('error', `"${segment.title}": ${failure.message.split('\n')[0]}; moving on`);
          break;
        }
        this.options.onRestart?.(segment, playedS, failure);
        this.options.logger.log('warn', `"${segment.title}": ffmpeg stopped at ${playedS.toFixed(1)} s; restarting there`);
        running = this.start(segment, playedS, signal);
      }
      this.onAir = undefined;
      // After a skip the rest of the show moves up: the next segment is planned for now, not for the cut one's end.
      plannedMs = this.skipping ? clock.monotonic() - anchor : plannedMs + segment.seconds * 1000;
      this.skipping = false;
      prepareNext();
      current = upcoming;
    }
    (next as RunningFfmpeg | undefined)?.kill();
  }

  /** Ends the segment on air now (its ffmpeg is killed, which is not a crash: no restart); the next one follows. */
  skipCurrent(): void {
    if (this.onAir === undefined) return;
    this.skipping = true;
    this.onAir.kill();
  }

  /** Sends one ffmpeg run's tags on the timeline, each when it is due. Returns the seconds of media it played. */
  private async pace(running: RunningFfmpeg, anchor: number, plannedStart: number | undefined, signal: AbortSignal, onTag: () => void): Promise<number> {
    const { clock } = this.options;
    const reader = new SegmentReader(running.stdout, this.options.readAheadTags);
    this.timeline.beginSegment(plannedStart);
    const segmentStart = anchor + this.timeline.position;
    let first: number | undefined;
    let last = 0;
    for (;;) {
      const tag = await reader.next().catch(() => undefined);
      if (tag === undefined || signal.aborted || this.skipping) break;
      if (tag.type !== FlvTagType.Script) {
        first ??= tag.timestamp;
        last = Math.max(last, tag.timestamp - first);
        const wait = segmentStart + (tag.timestamp - first) - clock.monotonic();
        if (wait > 1) await sleep(wait, signal);
      }
      if (signal.aborted) break;
      this.timeline.push(tag);
      onTag();
    }
    this.timeline.endSegment();
    return first === undefined ? 0 : last / 1000;
  }

  private start(segment: PlannedSegment, offsetS: number, signal: AbortSignal): RunningFfmpeg {
    this.options.logger.log('debug', `preparing "${segment.title}"${offsetS > 0 ? ` from ${offsetS.toFixed(1)} s` : ''}`);
    return runFfmpeg(this.options.ffmpegPath, segment.command(offsetS), this.options.logger, signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
