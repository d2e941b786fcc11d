import { UserError } from '../errors.js';
import type { Clock } from '../util/clock.js';
import { formatWallClock, formatWallDate } from './clock-time.js';
import type { FfmpegTools } from './ffmpeg-locate.js';
import { type MediaProbe, copyCompatible, probeMedia } from './ffmpeg-probe.js';
import type { Playlist, StartSpec } from './playlist.js';
import { type Timetable, buildTimetable, formatSpan } from './timetable.js';

export type PlayoutMode = 'copy' | 'normalize';

/** A playlist checked against its files and placed on the clock: everything `--check` prints. */
export interface Show {
  playlist: Playlist;
  timeZone: string;
  /** One per item; undefined for generated items. */
  probes: (MediaProbe | undefined)[];
  durationsS: number[];
  mode: PlayoutMode;
  /** Why normalize was chosen (auto), empty otherwise. */
  modeReasons: string[];
  timetable: Timetable;
}

/** Items probed at once. */
const PROBE_CONCURRENCY = 4;

/** Probes every file now (not at air time), decides copy or normalize, and builds the timetable. */
export async function prepareShow(input: {
  playlist: Playlist;
  tools: FfmpegTools;
  start: StartSpec | { kind: 'now' };
  clock: Clock;
  timeZone: string;
  signal?: AbortSignal;
}): Promise<Show> {
  const { playlist, tools } = input;
  const probes: (MediaProbe | undefined)[] = new Array(playlist.items.length).fill(undefined);
  let nextIndex = 0;
  const worker = async () => {
    for (let i = nextIndex++; i < playlist.items.length; i = nextIndex++) {
      const source = playlist.items[i]?.source;
      if (source?.kind === 'file') probes[i] = await probeMedia(tools, source.path, { signal: input.signal });
    }
  };
  await Promise.all(Array.from({ length: PROBE_CONCURRENCY }, worker));

  const durationsS = playlist.items.map((item, i) => {
    const full = item.source.kind === 'generated' ? item.source.seconds : (probes[i]?.durationS ?? 0);
    const out = Math.min(item.outS ?? full, full);
    return Math.max(0, out - (item.inS ?? 0));
  });
  const { mode, reasons } = chooseMode(playlist, probes);
  const timetable = buildTimetable({ playlist, durationsS, start: input.start, nowMs: input.clock.now(), timeZone: input.timeZone });
  return { playlist, timeZone: input.timeZone, probes, durationsS, mode, modeReasons: reasons, timetable };
}

function chooseMode(playlist: Playlist, probes: (MediaProbe | undefined)[]): { mode: PlayoutMode; reasons: string[] } {
  if (playlist.transcode === 'normalize') return { mode: 'normalize', reasons: [] };
  const generated = playlist.items.filter((item) => item.source.kind === 'generated').map((item) => `item ${item.index + 1} is generated`);
  const files = probes.filter((p): p is MediaProbe => p !== undefined);
  const check = copyCompatible(files);
  const reasons = [...generated, ...(check.ok ? [] : check.reasons)];
  if (reasons.length === 0) return { mode: 'copy', reasons: [] };
  if (playlist.transcode === 'copy') {
    throw new UserError(
      `${playlist.displayFile ?? playlist.file}: transcode: copy needs every item to be H.264 + AAC with the same parameters, but ${reasons.join('; ')}`,
      'use transcode: auto or normalize to re-encode',
    );
  }
  return { mode: 'normalize', reasons };
}

/** The timetable as the user reads it: when, what, how long, copy or re-encode. */
export function renderShow(show: Show): string {
  const { timetable, timeZone, playlist } = show;
  const rows = [['START', 'END', 'LENGTH', 'TITLE', 'MODE']];
  const firstRound = timetable.slots.filter((slot) => slot.loopRound === timetable.slots[0]?.loopRound);
  for (const slot of firstRound) {
    rows.push([
      formatWallClock(slot.startMs, timeZone),
      formatWallClock(slot.endMs, timeZone),
      formatSpan(slot.endMs - slot.startMs),
      slot.kind === 'gap' ? `(${slot.title})` : slot.title,
      slot.kind === 'gap' ? (playlist.filler !== undefined ? 'filler' : 'slate') : show.mode === 'copy' ? 'copy' : 're-encode',
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const table = rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
  const when = `${formatWallDate(timetable.startMs, timeZone)} ${formatWallClock(timetable.startMs, timeZone)} (${timeZone})`;
  const length = timetable.endMs === Infinity ? `rounds of ${formatSpan(timetable.roundMs)}, looping` : formatSpan(timetable.endMs - timetable.startMs);
  const mode =
    show.mode === 'copy'
      ? 'copy (no re-encode: every item already matches)'
      : `re-encode to ${playlist.output.width}x${playlist.output.height} ${playlist.output.fps} fps${show.modeReasons.length > 0 ? ` (${show.modeReasons[0]})` : ''}`;
  return [`${playlist.displayFile ?? playlist.file}: stream '${playlist.stream}', ${when}, ${length}`, `mode: ${mode}`, timetable.explanation, '', table].join('\n');
}
