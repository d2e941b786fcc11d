/** Below this many columns the dashboard drops table columns and shortens labels. */
export const COMPACT_COLUMNS = 70;
/** From this many columns up, viewers and events sit side by side. */
export const WIDE_COLUMNS = 140;
/** Streams listed at most; a home server rarely has more. */
export const MAX_STREAM_ROWS = 3;

/** Lines the streams table takes below its title: one per stream shown, one more per push target of those. */
export function streamLines(streams: readonly { relays: readonly unknown[] }[]): number {
  return streams.slice(0, MAX_STREAM_ROWS).reduce((lines, s) => lines + 1 + s.relays.length, 0);
}

export interface Layout {
  columns: number;
  compact: boolean;
  wide: boolean;
  /** Rows left for the viewer list and the event list. */
  viewerRows: number;
  eventRows: number;
}

/**
 * How the terminal's rows are shared. The fixed sections are counted line by line (header 3 or 4, streams 1 + n (push targets count as rows), history
 * and process 3, schedule 7 or 5, four section gaps and the two list titles) plus one spare for the skip question;
 * the frame stays shorter than the terminal, because Ink clears the whole screen for a frame as tall as it.
 */
export function layoutFor(columns: number, rows: number, streamRows: number, scheduling: boolean): Layout {
  const compact = columns < COMPACT_COLUMNS;
  const wide = columns >= WIDE_COLUMNS;
  const shownStreams = Math.max(1, streamRows);
  const schedule = scheduling ? (compact ? 5 : 7) : 0;
  // The header has a fourth line (the watch page) when not compact.
  const fixed = (compact ? 3 : 4) + (1 + shownStreams) + (wide ? 2 : 3) + schedule + 3 + (wide ? 1 : 2) + 1;
  const left = Math.max(2, rows - fixed);
  if (wide) return { columns, compact, wide, viewerRows: left, eventRows: left };
  const viewerRows = Math.max(1, Math.min(8, Math.ceil(left / 2)));
  return { columns, compact, wide, viewerRows, eventRows: Math.max(1, left - viewerRows) };
}
