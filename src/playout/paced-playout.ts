import { type FlvTag, FlvTagType } from '../protocol/flv/flv-tag.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { ContinuousTimeline } from './continuous-timeline.js';
import type { FfmpegCommand } from './ffmpeg-commands.js';
import { type RunningFfmpeg, runFfmpeg } from './ffmpeg-run.js';
import type { MediaSink } from './media-sink.js';
import { SegmentReader } from './segment-reader.js';

/** The next item's ffmpeg starts this long before the current one ends, so its first frame is ready on time. */
export const PREROLL_MS = 3000;

/** A segment whose ffmpeg fails is tried again this many times at most; then a slate fills the rest of its slot. */
export const MAX_RESTARTS_PER_SEGMENT = 3;
/** The first retry waits this long (a slate fills the wait), each further one twice as long: 1 s, 2 s, 4 s. */
export const RESTART_BACKOFF_S = 1;
/** A failed segment is not tried again when that would leave it less than this much of its slot to play. */
export const MIN_RETRY_S = 2;
/**
 * By default a segment that ends cleanly more than two frames short of its slot has ended early (a file cut short),
 * and a slate fills the rest. Copy mode accepts this much (`acceptedShortfallS`): a file whose video ends a little
 * before its container says; the next segment still starts at its planned place. Normalize pads such shortfalls
 * itself (normalize-command.ts).
 */
export const COPY_ACCEPTED_SHORTFALL_S = 0.5;

/** Thrown by PlannedSegment.command when the segment cannot even start (its file is gone or unreadable). */
export class SegmentUnavailable extends Error {}

export interface PlannedSegment {
  title: string;
  /** Planned wall-clock start: the segment's place on the channel's timeline. Default: right after the previous one. */
  startsAtMs?: number;
  /** Planned length: the segment fills exactly this much of the timeline, whatever happens to its ffmpeg. */
  seconds: number;
  /** The command that plays it from `offsetS` seconds into it to its end; throws SegmentUnavailable when it cannot. */
  command(offsetS: number): FfmpegCommand;
  /**
   * A slate that fills `seconds` of the slot when the segment cannot: `retry` while waiting to try again,
   * `unavailable` for the rest of the slot. Without it the channel pauses instead.
   */
  standIn?(seconds: number, why: 'retry' | 'unavailable'): FfmpegCommand;
}

/** Something went wrong with a segment on air; each is reported once. */
export type Incident =
  /** It could not start (file missing at air time): a slate fills the rest of its slot. */
  | { kind: 'unavailable'; reason: string; remainingS: number }
  /** Its ffmpeg failed; it is tried again after `retryInS` (attempt of MAX_RESTARTS_PER_SEGMENT). */
  | { kind: 'failed'; reason: string; attempt: number; retryInS: number; remainingS: number }
  /** Its ffmpeg failed once more than allowed: a slate fills the rest of its slot. */
  | { kind: 'gave-up'; reason: string; attempts: number; remainingS: number }
  /** Its ffmpeg finished cleanly but `missingS` short (a truncated file): a slate fills the rest. */
  | { kind: 'ended-early'; missingS: number; remainingS: number }
  /** It plays again after a failure, from `offsetS` into it. */
  | { kind: 'resumed'; offsetS: number };

/** Where a paced playout takes its segments from, one at a time. */
export interface SegmentQueue {
  /** The segment after the last one taken, or undefined when the show is over. */
  take(): PlannedSegment | undefined;
  /**
   * Asked after a skip: true when the queue re-planned what follows (the segment taken ahead is then dropped and the
   * next one taken again), false or absent when the next segment stays the one already taken.
   */
  replanned?(): boolean;
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
  /** Called once per incident, before the slate or the retry it leads to. */
  onIncident?: (segment: PlannedSegment, incident: Incident) => void;
  /** FLV tags read ahead of real time per segment (default MAX_READ_AHEAD_TAGS, about 10 s). */
  readAheadTags?: number;
  /** How short of its slot a segment may end cleanly without counting as ended early (default: two frames). */
  acceptedShortfallS?: number;
}

type Launch = { running: RunningFfmpeg } | { error: Error };

/** Where a run goes on the timeline: `anchor` (monotonic ms of timeline 0), its planned start, and its slot's end. */
interface Placement {
  anchor: number;
  planned: number | undefined;
  end: number;
}

/**
 * Plays segments back to back as one stream, paced by our own clock rather than ffmpeg's -re: each ffmpeg runs just
 * ahead of real time (held back by its stdout pipe), and every frame goes out when the wall clock reaches its place
 * on the channel's timeline. Each segment fills its planned slot of the timeline exactly: an ffmpeg that fails is
 * tried again with backoff (a slate fills the wait) and resumes where the slot has got to, and one that cannot play
 * or ends early leaves the rest of its slot to a slate, so the next segment starts at its planned time.
 */
export class PacedPlayout {
  private readonly timeline: ContinuousTimeline;
  /** The ffmpeg on air, and whether the host asked to cut the segment short. */
  private onAir: RunningFfmpeg | undefined;
  private skipping = false;

  constructor(private readonly options: PacedPlayoutOptions) {
    this.timeline = new ContinuousTimeline(options.sink, options.frameMs);
  }

  /**
   * Plays the segments (a queue, or any iterable: a loop is endless) back to back, the timeline's present position
   * due at wall time `startAtMs`. Resolves when they are done or on abort.
   */
  async play(segments: SegmentQueue | Iterable<PlannedSegment>, startAtMs: number, signal: AbortSignal): Promise<void> {
    const queue = toQueue(segments);
    const { clock } = this.options;
    const origin = this.timeline.position;
    // Channel time t is due at monotonic time `anchor + t`; wall time w is channel time `w - startAtMs + origin`.
    const anchor = clock.monotonic() + (startAtMs - clock.now()) - origin;
    let plannedEnd = origin;
    let current = queue.take();
    let ready = current === undefined ? undefined : this.launch(current, 0, signal);
    for (let index = 0; current !== undefined && !signal.aborted; index++) {
      let upcoming = queue.take();
      let upcomingReady: Launch | undefined;
      const prepareNext = () => {
        if (upcomingReady === undefined && upcoming !== undefined && !signal.aborted) upcomingReady = this.launch(upcoming, 0, signal);
      };
      const slotStart = current.startsAtMs === undefined ? plannedEnd : current.startsAtMs - startAtMs + origin;
      await this.fillSlot(current, ready ?? this.launch(current, 0, signal), { index, start: slotStart, anchor }, signal, prepareNext);
      plannedEnd = slotStart + current.seconds * 1000;
      if (this.skipping) {
        this.skipping = false;
        plannedEnd = this.timeline.end;
        if (queue.replanned?.() === true) {
          // The host cut the segment short and the rest of the show was re-planned from now: take again.
          kill(upcomingReady);
          upcomingReady = undefined;
          upcoming = queue.take();
        }
      }
      prepareNext();
      current = upcoming;
      ready = upcomingReady;
    }
    kill(ready);
  }

  /** Ends the segment on air now (its ffmpeg is killed, which is not a failure); the next one follows at once. */
  skipCurrent(): void {
    if (this.onAir === undefined) return;
    this.skipping = true;
    this.onAir.kill();
  }

  /** Plays one segment into its slot [start, start + seconds) of the timeline, however its ffmpeg behaves. */
  private async fillSlot(
    segment: PlannedSegment,
    first: Launch,
    slot: { index: number; start: number; anchor: number },
    signal: AbortSignal,
    prepareNext: () => void,
  ): Promise<void> {
    const { clock, frameMs } = this.options;
    const slotEnd = slot.start + segment.seconds * 1000;
    const prerollAt = slot.anchor + slotEnd - PREROLL_MS;
    let announced = false;
    /** A retry is about to play: it counts as resumed once its first frame goes out. */
    let resuming: number | undefined;
    const report = (incident: Incident) => this.options.onIncident?.(segment, incident);
    const onTag = (tag: FlvTag) => {
      // A segment starts with its first media tag (the onMetaData before it goes out at once).
      if (tag.type === FlvTagType.Script) return;
      if (!announced) {
        announced = true;
        this.options.onSegment?.(segment, slot.index);
      }
      if (resuming !== undefined) {
        report({ kind: 'resumed', offsetS: resuming });
        resuming = undefined;
      }
      if (clock.monotonic() >= prerollAt) prepareNext();
    };
    const remainingS = () => (slotEnd - this.timeline.end) / 1000;
    const launched: Launch[] = [first];
    let next: Launch | undefined = first;
    let planned: number | undefined = slot.start;
    let failures = 0;
    /** The slate for the rest of the slot is on: whatever happens now, nothing more is tried. */
    let standingIn = false;
    const standIn = (seconds: number): Launch | undefined => {
      standingIn = true;
      if (segment.standIn === undefined || seconds <= 0) return undefined;
      const launch = this.launchCommand(segment.standIn(seconds, 'unavailable'), signal);
      launched.push(launch);
      return launch;
    };
    while (next !== undefined && !signal.aborted && !this.skipping) {
      if ('error' in next) {
        if (standingIn) break;
        report({ kind: 'unavailable', reason: next.error.message, remainingS: remainingS() });
        next = standIn(remainingS());
        continue;
      }
      const failure = await this.run(next.running, { anchor: slot.anchor, planned, end: slotEnd }, signal, onTag);
      planned = undefined;
      resuming = undefined;
      const left = remainingS();
      if (signal.aborted || this.skipping || standingIn || left * 1000 <= 2 * frameMs) break;
      if (failure === undefined) {
        if (left <= (this.options.acceptedShortfallS ?? 0)) break;
        report({ kind: 'ended-early', missingS: left, remainingS: left });
        next = standIn(left);
        continue;
      }
      failures++;
      const reason = failure.message.split('\n')[0] ?? 'ffmpeg failed';
      const waitS = RESTART_BACKOFF_S * 2 ** (failures - 1);
      if (failures > MAX_RESTARTS_PER_SEGMENT || left - waitS < MIN_RETRY_S) {
        report({ kind: 'gave-up', reason, attempts: failures, remainingS: left });
        next = standIn(left);
        continue;
      }
      report({ kind: 'failed', reason, attempt: failures, retryInS: waitS, remainingS: left });
      // The retry starts now and waits in its pipe behind the slate, from where the slot will have got to.
      const resumeAtS = (this.timeline.end - slot.start) / 1000 + waitS;
      const retry = this.launch(segment, resumeAtS, signal);
      launched.push(retry);
      if (segment.standIn !== undefined) {
        const bridge = this.launchCommand(segment.standIn(waitS, 'retry'), signal);
        launched.push(bridge);
        if ('running' in bridge) await this.run(bridge.running, { anchor: slot.anchor, planned: undefined, end: slotEnd }, signal, onTag);
      } else {
        await sleep(waitS * 1000, signal);
      }
      resuming = resumeAtS;
      next = retry;
    }
    for (const launch of launched) kill(launch);
  }

  /** Paces one ffmpeg run onto the timeline; resolves with its failure, or undefined when it ended well or was cut. */
  private async run(running: RunningFfmpeg, place: Placement, signal: AbortSignal, onTag: (tag: FlvTag) => void): Promise<Error | undefined> {
    this.onAir = running;
    await this.pace(running, place, signal, onTag);
    this.onAir = undefined;
    return running.done.then(
      () => undefined,
      (error: Error) => error,
    );
  }

  /** Sends one ffmpeg run's tags on the timeline, each when it is due. */
  private async pace(running: RunningFfmpeg, place: Placement, signal: AbortSignal, onTag: (tag: FlvTag) => void): Promise<void> {
    const { clock } = this.options;
    const reader = new SegmentReader(running.stdout, this.options.readAheadTags);
    this.timeline.beginSegment(place.planned, place.end);
    const segmentStart = place.anchor + this.timeline.position;
    let first: number | undefined;
    for (;;) {
      const tag = await reader.next().catch(() => undefined);
      if (tag === undefined || signal.aborted || this.skipping) break;
      if (tag.type !== FlvTagType.Script) {
        first ??= tag.timestamp;
        const wait = segmentStart + (tag.timestamp - first) - clock.monotonic();
        if (wait > 1) await sleep(wait, signal);
      }
      if (signal.aborted) break;
      this.timeline.push(tag);
      onTag(tag);
    }
    this.timeline.endSegment();
  }

  private launch(segment: PlannedSegment, offsetS: number, signal: AbortSignal): Launch {
    this.options.logger.log('debug', `preparing "${segment.title}"${offsetS > 0 ? ` from ${offsetS.toFixed(1)} s` : ''}`);
    let command: FfmpegCommand;
    try {
      command = segment.command(offsetS);
    } catch (error) {
      if (error instanceof SegmentUnavailable) return { error };
      throw error;
    }
    return this.launchCommand(command, signal);
  }

  private launchCommand(command: FfmpegCommand, signal: AbortSignal): Launch {
    return { running: runFfmpeg(this.options.ffmpegPath, command, this.options.logger, signal) };
  }
}

function kill(launch: Launch | undefined): void {
  if (launch !== undefined && 'running' in launch) launch.running.kill();
}

function toQueue(segments: SegmentQueue | Iterable<PlannedSegment>): SegmentQueue {
  if ('take' in segments) return segments;
  const iterator = segments[Symbol.iterator]();
  return { take: () => iterator.next().value ?? undefined };
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
