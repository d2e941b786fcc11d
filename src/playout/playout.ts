import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { ScheduleState, ScheduleStatus } from '../status/status-snapshot.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { formatWallClock } from './clock-time.js';
import { type EncodeProfile, type FfmpegCommand, copyCommand, normalizeCommand } from './ffmpeg-commands.js';
import type { FfmpegTools } from './ffmpeg-locate.js';
import type { MediaSink } from './media-sink.js';
import { PacedPlayout, type PlannedSegment } from './paced-playout.js';
import type { Show } from './show.js';
import type { Slot } from './timetable.js';

/** Pre-show and end slates are cut into pieces this long, each with its own countdown text. */
export const SLATE_PIECE_S = 10;
/** Below this, a pre-show is not worth a slate: the show starts right away. */
const MIN_PRESHOW_S = 1;
const MEDIA_EXTENSIONS = new Set(['.mp4', '.mkv', '.mov', '.flv', '.ts', '.webm', '.avi', '.m4v', '.mpg', '.mpeg']);

/** What status() reports has the status contract's shape: src/status owns it (a type-only import, no runtime link). */
export type { ScheduleState, ScheduleStatus };

interface ShowSegment extends PlannedSegment {
  kind: 'pre-show' | 'item' | 'gap' | 'end';
  /** Planned wall-clock start and the offset the segment starts at into its item. */
  startsAtMs: number;
  offsetS: number;
  file?: string;
}

/** Runs a prepared show into a sink (a channel of the embedded server, or an RTMP publish elsewhere). */
export class Playout {
  private state: ScheduleState = 'waiting';
  private current: ShowSegment | undefined;
  private currentSince = 0;
  private restarts = 0;
  private paced: PacedPlayout | undefined;

  constructor(
    private readonly show: Show,
    private readonly tools: FfmpegTools,
    private readonly sink: MediaSink,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Plays until the show is over (then the end slate, until aborted) or until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const profile = this.profile();
    const playout = (this.paced = new PacedPlayout({
      ffmpegPath: this.tools.ffmpeg,
      sink: this.sink,
      clock: this.clock,
      logger: this.logger,
      frameMs: 1000 / profile.fps,
      onSegment: (segment) => this.onSegment(segment as ShowSegment),
      onRestart: (segment, offsetS) => {
        this.restarts++;
        this.logger.log('warn', `ffmpeg restarted for "${segment.title}" at ${offsetS.toFixed(1)} s`, { event: 'ffmpeg-restart' });
      },
    }));
    const startAt = this.clock.now() + 300;
    if (this.show.timetable.joinAt === undefined && this.show.timetable.startMs - startAt >= MIN_PRESHOW_S * 1000) this.state = 'pre-show';
    await playout.play(this.segments(startAt, profile), startAt, signal);
  }

  /** Cuts the segment on air short (the dashboard's `n`); the next one starts right away. */
  skip(): void {
    if (this.paced === undefined || this.current === undefined) return;
    this.logger.log('info', `skipped: ${this.current.title}`, { event: 'skip' });
    this.paced.skipCurrent();
  }

  status(): ScheduleStatus {
    const { timetable, timeZone, playlist } = this.show;
    const now = this.clock.now();
    const current = this.current;
    return {
      state: this.state,
      playlist: playlist.displayFile ?? playlist.file,
      stream: playlist.stream,
      mode: this.show.mode === 'copy' ? 'copy' : 're-encode',
      startsAt: new Date(timetable.startMs).toISOString(),
      nowPlaying:
        current === undefined
          ? null
          : {
              title: current.title,
              ...(current.file !== undefined ? { file: current.file } : {}),
              startedAt: new Date(this.currentSince).toISOString(),
              positionS: Math.max(0, Math.round(((now - this.currentSince) / 1000 + current.offsetS) * 10) / 10),
              durationS: Math.round((current.seconds + current.offsetS) * 10) / 10,
              kind: current.kind,
            },
      next: this.nextItems(now, 3).map((slot) => ({ title: slot.title, startsAt: formatWallClock(slot.startMs, timeZone) })),
      ffmpegRestarts: this.restarts,
    };
  }

  /** The next `count` items to start after `now`, from the timetable (round after round when looping). */
  private nextItems(now: number, count: number): Slot[] {
    const { timetable, playlist } = this.show;
    const round = timetable.slots.filter((slot) => slot.loopRound === timetable.slots[0]?.loopRound && slot.kind === 'item');
    const found: Slot[] = [];
    const rounds = playlist.loop && timetable.roundMs > 0 ? Math.ceil((now - timetable.startMs) / timetable.roundMs) + 2 : 1;
    for (let r = 0; r < rounds && found.length < count; r++) {
      for (const slot of round) {
        const startMs = slot.startMs + r * timetable.roundMs;
        if (startMs > now && found.length < count) found.push({ ...slot, startMs, endMs: slot.endMs + r * timetable.roundMs });
      }
    }
    return found;
  }

  private onSegment(segment: ShowSegment): void {
    this.current = segment;
    this.currentSince = this.clock.now();
    this.state = segment.kind === 'pre-show' ? 'pre-show' : segment.kind === 'gap' ? 'between' : segment.kind === 'end' ? 'ended' : 'playing';
    if (segment.kind === 'item') this.logger.log('info', `now playing: ${segment.title}`, { event: 'now-playing' });
  }

  /** The whole show as segments, lazily: pre-show slate, items and gaps (round after round when looping), end slate. */
  private *segments(playStart: number, profile: EncodeProfile): Generator<ShowSegment> {
    const { timetable, playlist, timeZone } = this.show;
    const starts = formatWallClock(timetable.startMs, timeZone);
    let at = playStart;
    const preShowS = (timetable.startMs - playStart) / 1000;
    if (timetable.joinAt === undefined && preShowS >= MIN_PRESHOW_S) {
      for (let left = preShowS; left > 0.04; left -= SLATE_PIECE_S) {
        const seconds = Math.min(SLATE_PIECE_S, left);
        const lines = [playlist.stream, `Starts at ${starts}`, `in ${countdown(left)}`];
        yield this.slate('pre-show', 'Pre-show', lines, seconds, at, profile);
        at += seconds * 1000;
      }
    }
    const round = timetable.slots.filter((slot) => slot.loopRound === timetable.slots[0]?.loopRound);
    const join = timetable.joinAt;
    for (let r = 0; ; r++) {
      const shift = r * timetable.roundMs;
      for (let i = 0; i < round.length; i++) {
        if (r === 0 && join !== undefined && i < join.slotIndex) continue;
        const slot = round[i] as Slot;
        const offsetS = r === 0 && join !== undefined && i === join.slotIndex ? join.offsetS : 0;
        const seconds = (slot.endMs - slot.startMs) / 1000 - offsetS;
        if (seconds <= 0.04) continue;
        const segment = this.slotSegment(slot, offsetS, seconds, slot.startMs + shift + offsetS * 1000, profile);
        yield segment;
      }
      if (!playlist.loop) break;
    }
    for (;;) yield this.slate('end', 'End', [playlist.stream, 'That was the show.', 'Thanks for watching!'], 30, 0, profile);
  }

  private slotSegment(slot: Slot, offsetS: number, seconds: number, startsAtMs: number, profile: EncodeProfile): ShowSegment {
    const { playlist } = this.show;
    if (slot.kind === 'gap') {
      const filler = this.fillerFile();
      const next = slot.beforeItemIndex === undefined ? undefined : playlist.items[slot.beforeItemIndex]?.title;
      const lines = [playlist.stream, next === undefined ? 'Back soon' : `Next: ${next}`, `at ${formatWallClock(slot.endMs, this.show.timeZone)}`];
      if (filler === undefined) return this.slate('gap', slot.title, lines, seconds, startsAtMs, profile);
      return {
        kind: 'gap', title: slot.title, seconds, startsAtMs, offsetS: 0, file: filler,
        command: (at) => normalizeCommand({ kind: 'file', path: filler, hasAudio: true, loop: true }, at, seconds - at, profile),
      };
    }
    const item = playlist.items[slot.itemIndex as number];
    const probe = this.show.probes[slot.itemIndex as number];
    if (item === undefined) return this.slate('gap', slot.title, [playlist.stream], seconds, startsAtMs, profile);
    const inS = slot.inS + offsetS;
    const source = item.source;
    const title = item.title;
    const file = source.kind === 'file' ? source.path : undefined;
    const command = (at: number): FfmpegCommand => {
      if (source.kind === 'generated') {
        return normalizeCommand({ kind: 'generated', pattern: source.pattern, ...(source.toneHz !== undefined ? { toneHz: source.toneHz } : {}) }, 0, seconds - at, profile);
      }
      if (!existsSync(source.path)) {
        this.logger.log('warn', `"${title}": ${source.path} is missing; showing a slate in its place`, { event: 'missing-file' });
        return normalizeCommand({ kind: 'slate', lines: [title, 'is not available', 'the show goes on'] }, 0, seconds - at, profile);
      }
      return this.show.mode === 'copy'
        ? copyCommand(source.path, inS + at, seconds - at)
        : normalizeCommand({ kind: 'file', path: source.path, hasAudio: probe?.audio !== undefined }, inS + at, seconds - at, profile);
    };
    return { kind: 'item', title, seconds, startsAtMs, offsetS, ...(file !== undefined ? { file } : {}), command };
  }

  private slate(kind: ShowSegment['kind'], title: string, lines: string[], seconds: number, startsAtMs: number, profile: EncodeProfile): ShowSegment {
    return { kind, title, seconds, startsAtMs, offsetS: 0, command: (at) => normalizeCommand({ kind: 'slate', lines }, 0, seconds - at, profile) };
  }

  /** One filler file: the `filler` file, or the next media file of the `filler` folder in name order. */
  private fillerIndex = 0;
  private fillerFile(): string | undefined {
    const filler = this.show.playlist.filler;
    if (filler === undefined || !existsSync(filler)) return undefined;
    if (!statSync(filler).isDirectory()) return filler;
    const files = readdirSync(filler).filter((name) => MEDIA_EXTENSIONS.has(extname(name).toLowerCase())).sort();
    if (files.length === 0) return undefined;
    return join(filler, files[this.fillerIndex++ % files.length] as string);
  }

  /**
   * Copy mode sends the items' own streams, so generated slates must match them (size, rate, sound); normalize
   * mode uses the playlist's output profile for everything.
   */
  private profile(): EncodeProfile {
    const output = this.show.playlist.output;
    const base = { width: output.width, height: output.height, fps: output.fps, videoBitrate: output.videoBitrate, audioBitrate: output.audioBitrate, sampleRate: output.sampleRate };
    if (this.show.mode !== 'copy') return base;
    const first = this.show.probes.find((p) => p?.video !== undefined);
    return first?.video === undefined
      ? base
      : { ...base, width: first.video.width, height: first.video.height, fps: first.video.fps, sampleRate: first.audio?.sampleRate ?? base.sampleRate };
  }
}

function countdown(seconds: number): string {
  const s = Math.ceil(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${rest} s` : `${rest} s`;
}
