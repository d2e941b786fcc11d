import { columns } from '../util/display-width.js';
import { formatClock, formatWallDate } from './clock-time.js';
import type { Show } from './show.js';
import { formatSpan } from './timetable.js';

/** The timetable as the user reads it: when, what, how long, copy or re-encode; times always HH:MM:SS. */
export function renderShow(show: Show): string {
  const { timetable, timeZone, playlist } = show;
  const rows = [['START', 'END', 'LENGTH', 'TITLE', 'MODE']];
  const firstRound = timetable.slots.filter((slot) => slot.loopRound === timetable.slots[0]?.loopRound);
  for (const slot of firstRound) {
    rows.push([
      formatClock(slot.startMs, timeZone),
      formatClock(slot.endMs, timeZone),
      formatSpan(slot.endMs - slot.startMs),
      slot.kind === 'gap' ? `(${slot.title})` : slot.title,
      slot.kind === 'gap' ? (show.filler.length > 0 ? 'filler' : 'slate') : show.mode === 'copy' ? 'copy' : 're-encode',
    ]);
  }
  if (!playlist.loop && playlist.endSlateS > 0) {
    const endMs = timetable.endMs + playlist.endSlateS * 1000;
    rows.push([formatClock(timetable.endMs, timeZone), formatClock(endMs, timeZone), formatSpan(endMs - timetable.endMs), '(End slate, then the stream ends)', 'slate']);
  }
  const when = `${formatWallDate(timetable.startMs, timeZone)} ${formatClock(timetable.startMs, timeZone)} (${timeZone})`;
  const length = timetable.endMs === Infinity ? `rounds of ${formatSpan(timetable.roundMs)}, looping` : formatSpan(timetable.endMs - timetable.startMs);
  const mode =
    show.mode === 'copy'
      ? 'copy (no re-encode: every item already matches, and slates repeat their codec headers)'
      : `re-encode to ${playlist.output.width}x${playlist.output.height} ${playlist.output.fps} fps${show.modeReasons.length > 0 ? ` (${show.modeReasons[0]})` : ''}`;
  const warnings = show.warnings.map((warning) => `warning: ${warning}`);
  return [`${playlist.displayFile ?? playlist.file}: stream '${playlist.stream}', ${when}, ${length}`, `mode: ${mode}`, timetable.explanation, ...warnings, '', columns(rows)].join('\n');
}
