import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { formatClock } from './clock-time.js';
import type { FfmpegTools } from './ffmpeg-locate.js';
import type { MediaSink } from './media-sink.js';
import { COPY_ACCEPTED_SHORTFALL_S, type Incident, MAX_RESTARTS_PER_SEGMENT, PacedPlayout } from './paced-playout.js';
import type { Show } from './show.js';
import { ShowPlan } from './show-plan.js';
import { type SegmentKind, type ShowSegment, endPieces, preShowPieces, slotSegment } from './show-segments.js';

/** The first frame goes out this long after `run` is called: time to start the first ffmpeg. */
const START_DELAY_MS = 300;
/** Below this, a pre-show is not worth a slate: the show starts right away. */
const MIN_PRESHOW_S = 1;

export type ScheduleState = 'waiting' | 'pre-show' | 'playing' | 'between' | 'ended';

/** What the playout is doing, in epoch milliseconds; src/status/schedule-report.ts makes the API's JSON of it. */
export interface PlayoutReport {
  state: ScheduleState;
  playlist: string;
  stream: string;
  mode: 'copy' | 're-encode';
  timeZone: string;
  /** When the first item starts (as planned). */
  startsAtMs: number;
  /** When the last item ends, and when the stream ends after the end slate; null when looping. */
  endsAtMs: number | null;
  closesAtMs: number | null;
  nowPlaying: {
    title: string;
    file?: string;
    /** A slate stands in for an item that is `unavailable`, or that is `interrupted` until its retry. */
    kind: SegmentKind | 'unavailable' | 'interrupted';
    startedAtMs: number;
    positionS: number;
    durationS: number;
  } | null;
  next: { title: string; startsAtMs: number }[];
  ffmpegRestarts: number;
  /** Items that failed, could not start or ended early. */
  incidents: number;
}

/** Runs a prepared show into a sink (a channel of the embedded server, or an RTMP publish elsewhere). */
export class Playout {
  private state: ScheduleState = 'waiting';
  private current: ShowSegment | undefined;
  private currentSince = 0;
  private condition: 'unavailable' | 'interrupted' | undefined;
  private restarts = 0;
  private incidents = 0;
  private paced: PacedPlayout | undefined;
  private plan: ShowPlan | undefined;
  private preShow: ShowSegment[] = [];
  private ending: ShowSegment[] | undefined;
  /** When the end slate starts if the host skipped the last item. */
  private endFromMs: number | undefined;
  private firstEndPiece: ShowSegment | undefined;
  /** A skip re-planned the show: the segment the pacer took ahead is stale. */
  private replanPending = false;
  private fillerIndex = 0;

  constructor(
    private readonly show: Show,
    private readonly tools: FfmpegTools,
    private readonly sink: MediaSink,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /**
   * Plays the show: the pre-show slate, every slot at its time, the end slate for the playlist's `end_slate`.
   * Resolves `ended` when that is over (never with `loop`), `stopped` when `signal` aborts first.
   */
  async run(signal: AbortSignal): Promise<'ended' | 'stopped'> {
    const startAt = this.clock.now() + START_DELAY_MS;
    const plan = (this.plan = new ShowPlan(this.show, startAt));
    if (plan.startMs - startAt >= MIN_PRESHOW_S * 1000) {
      this.preShow = preShowPieces(this.show, startAt, plan.startMs, plan.nextItems(undefined, 1)[0]);
      this.state = 'pre-show';
    }
    const paced = (this.paced = new PacedPlayout({
      ffmpegPath: this.tools.ffmpeg,
      sink: this.sink,
      clock: this.clock,
      logger: this.logger,
      frameMs: 1000 / this.show.profile.fps,
      ...(this.show.mode === 'copy' ? { acceptedShortfallS: COPY_ACCEPTED_SHORTFALL_S } : {}),
      onSegment: (segment) => this.onSegment(segment as ShowSegment),
      onIncident: (segment, incident) => this.onIncident(segment as ShowSegment, incident),
    }));
    const replanned = () => {
      const changed = this.replanPending;
      this.replanPending = false;
      return changed;
    };
    await paced.play({ take: () => this.take(), replanned }, startAt, signal);
    return signal.aborted ? 'stopped' : 'ended';
  }

  /** Cuts the item or break on air short (the dashboard's `n`): the rest of the show moves up and starts now. */
  skip(): void {
    const { current, paced, plan } = this;
    if (paced === undefined || plan === undefined || current === undefined) return;
    if (current.slot === undefined) {
      this.logger.log('info', `nothing to skip during the ${current.kind === 'end' ? 'end slate' : 'pre-show'}`, { event: 'skip' });
      return;
    }
    const now = this.clock.now();
    this.logger.log('info', `skipped: ${current.title}`, { event: 'skip' });
    plan.replanAfter(current.slot, now);
    this.replanPending = true;
    this.ending = undefined;
    this.endFromMs = now;
    paced.skipCurrent();
  }

  report(): PlayoutReport {
    const { playlist, timeZone } = this.show;
    const now = this.clock.now();
    const current = this.current;
    const plan = this.plan;
    const startsAtMs = plan?.startMs ?? this.show.timetable.startMs;
    const endsAtMs = playlist.loop ? null : (plan?.endMs ?? this.show.timetable.endMs);
    const next = this.state === 'ended' || plan === undefined ? [] : plan.nextItems(current?.slot, 3);
    return {
      state: this.state,
      playlist: playlist.displayFile ?? playlist.file,
      stream: playlist.stream,
      mode: this.show.mode === 'copy' ? 'copy' : 're-encode',
      timeZone,
      startsAtMs,
      endsAtMs,
      closesAtMs: endsAtMs === null ? null : Math.max(endsAtMs, this.endFromMs ?? 0) + playlist.endSlateS * 1000,
      nowPlaying:
        current === undefined
          ? null
          : {
              title: current.title,
              ...(current.file !== undefined ? { file: current.file } : {}),
              kind: this.condition ?? current.kind,
              startedAtMs: this.currentSince,
              positionS: Math.max(0, Math.round(((now - this.currentSince) / 1000 + current.offsetS) * 10) / 10),
              durationS: Math.round((current.seconds + current.offsetS) * 10) / 10,
            },
      next: next.map((slot) => ({ title: slot.title, startsAtMs: slot.startMs })),
      ffmpegRestarts: this.restarts,
      incidents: this.incidents,
    };
  }

  /** The segment after the last one taken: pre-show pieces, the plan's slots, then the end slate. */
  private take(): ShowSegment | undefined {
    const piece = this.preShow.shift();
    if (piece !== undefined) return piece;
    const plan = this.plan as ShowPlan;
    const planned = plan.take();
    if (planned !== undefined) return slotSegment(this.show, planned, (slot) => plan.nextItem(slot), () => this.nextFiller());
    if (this.show.playlist.loop) return undefined;
    if (this.ending === undefined) {
      this.ending = endPieces(this.show, Math.max(plan.endMs, this.endFromMs ?? 0));
      this.firstEndPiece = this.ending[0];
    }
    return this.ending.shift();
  }

  private nextFiller(): Show['filler'][number] | undefined {
    const files = this.show.filler;
    return files.length === 0 ? undefined : files[this.fillerIndex++ % files.length];
  }

  private onSegment(segment: ShowSegment): void {
    this.current = segment;
    this.condition = undefined;
    this.currentSince = this.clock.now();
    this.state = segment.kind === 'pre-show' ? 'pre-show' : segment.kind === 'gap' ? 'between' : segment.kind === 'end' ? 'ended' : 'playing';
    if (segment.kind === 'item') this.logger.log('info', `now playing: ${segment.title}`, { event: 'now-playing' });
    if (segment === this.firstEndPiece) {
      const closes = formatClock(segment.startsAtMs + this.show.playlist.endSlateS * 1000, this.show.timeZone);
      this.logger.log('info', `the show is over; the end slate runs until ${closes}, then the stream ends`, { event: 'show-over' });
    }
  }

  /** One event per incident, with its reason; the status shows the slate that stands in. */
  private onIncident(segment: ShowSegment, incident: Incident): void {
    const slotEnd = formatClock(segment.startsAtMs + segment.seconds * 1000, this.show.timeZone);
    const fills = `a slate fills its slot until ${slotEnd}`;
    const title = `"${segment.title}"`;
    switch (incident.kind) {
      case 'resumed':
        this.condition = undefined;
        this.logger.log('info', `${title} plays again from ${incident.offsetS.toFixed(1)} s`, { event: 'item-resumed' });
        return;
      case 'failed':
        this.restarts++;
        this.incidents++;
        this.condition = 'interrupted';
        this.logger.log('warn', `${title}: ffmpeg failed (${incident.reason}); trying again in ${Math.round(incident.retryInS * 10) / 10} s (${incident.attempt} of ${MAX_RESTARTS_PER_SEGMENT}), a slate meanwhile`, {
          event: 'item-failed',
          attempt: incident.attempt,
        });
        return;
      case 'gave-up':
        this.incidents++;
        this.condition = 'unavailable';
        this.logger.log('error', `${title} is unavailable: ffmpeg failed ${incident.attempts} times (${incident.reason}); ${fills}`, { event: 'item-unavailable' });
        return;
      case 'unavailable':
        this.incidents++;
        this.condition = 'unavailable';
        this.logger.log('error', `${title} is unavailable: ${incident.reason}; ${fills}`, { event: 'item-unavailable' });
        return;
      case 'ended-early':
        this.incidents++;
        this.condition = 'unavailable';
        this.logger.log('warn', `${title} ended ${incident.missingS.toFixed(1)} s early (is the file cut short?); ${fills}`, { event: 'item-ended-early' });
    }
  }
}
