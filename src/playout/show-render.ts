import { columns } from '../util/display-width.js';
import { formatClock, formatWallDate } from './clock-time.js';
import type { Show } from './show.js';
import { formatSpan } from './timetable.js';
import { describeTrack } from './tracks/track-choice.js';

/**
 * The timetable as the user reads it: when, what, how long, copy or re-encode; times always HH:MM:SS. When any item
 * has a choice of audio tracks or subtitles, which ones each plays.
 */
export function renderShow(show: Show): string {
  const { timetable, timeZone, playlist } = show;
  const withTracks = showsTracks(show);
  const rows = [['START', 'END', 'LENGTH', 'TITLE', 'MODE', ...(withTracks ? ['AUDIO', 'SUBTITLES'] : [])]];
  const firstRound = timetable.slots.filter((slot) => slot.loopRound === timetable.slots[0]?.loopRound);
  for (const slot of firstRound) {
    const tracks = slot.kind === 'item' ? show.tracks[slot.itemIndex ?? -1] : undefined;
    rows.push([
      formatClock(slot.startMs, timeZone),
      formatClock(slot.endMs, timeZone),
      formatSpan(slot.endMs - slot.startMs),
      slot.kind === 'gap' ? `(${slot.title})` : slot.title,
      slot.kind === 'gap' ? (show.filler.length > 0 ? 'filler' : 'slate') : show.mode === 'copy' ? 'copy' : tracks?.subtitles !== undefined ? 're-encode (subtitles)' : 're-encode',
      ...(withTracks ? (slot.kind === 'gap' ? ['', ''] : [audioLabel(show, slot.itemIndex ?? -1), tracks?.subtitles?.label ?? '-']) : []),
    ]);
  }
  if (!playlist.loop && playlist.endSlateS > 0) {
    const endMs = timetable.endMs + playlist.endSlateS * 1000;
    rows.push([formatClock(timetable.endMs, timeZone), formatClock(endMs, timeZone), formatSpan(endMs - timetable.endMs), '(End slate, then the stream ends)', 'slate', ...(withTracks ? ['', ''] : [])]);
  }
  const when = `${formatWallDate(timetable.startMs, timeZone)} ${formatClock(timetable.startMs, timeZone)} (${timeZone})`;
  const length = timetable.endMs === Infinity ? `rounds of ${formatSpan(timetable.roundMs)}, looping` : formatSpan(timetable.endMs - timetable.startMs);
  const mode =
    show.mode === 'copy'
      ? 'copy (no re-encode: every item already matches, and slates repeat their codec headers)'
      : `re-encode to ${playlist.output.width}x${playlist.output.height} ${playlist.output.fps} fps${show.modeReasons.length > 0 ? ` (${show.modeReasons[0]})` : ''}`;
  const warnings = show.warnings.map((warning) => `warning: ${warning}`);
  return [`${playlist.displayFile ?? playlist.file}: stream '${playlist.stream}', ${when}, ${length}`, `mode: ${mode}`, timetable.explanation, ...warnings, '', columns(rows).replace(/ +$/gm, '')].join('\n');
}

/** Whether the timetable needs the track columns: some file has several audio tracks, or some item has subtitles. */
function showsTracks(show: Show): boolean {
  return show.tracks.some((tracks) => tracks.subtitles !== undefined) || show.probes.some((probe) => (probe?.audioTracks?.length ?? 0) > 1) || show.playlist.audioLanguages.length > 0;
}

/** `2 jpn "Japanese"`, `silence`, or `-` for a generated card. */
function audioLabel(show: Show, index: number): string {
  const chosen = show.tracks[index]?.audio;
  if (chosen !== undefined) return describeTrack(chosen.track, chosen.number);
  return show.playlist.items[index]?.source.kind === 'file' ? 'silence' : '-';
}
