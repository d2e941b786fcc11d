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
  /** The header's HLS and browser lines fit too (not compact, and room enough below). */
  extraUrls: boolean;
}

/** The header: the title, the RTMP and HTTP-FLV URLs; then up to EXTRA_URL_LINES more (HLS, the watch page). */
const HEADER_LINES = 3;
const EXTRA_URL_LINES = 2;
/** The lists get at least this many rows (a title and one row each) before the header's extra lines do. */
const MIN_LIST_ROWS = 2;

/** Rows kept free below the frame: Ink treats a frame as tall as the terminal as full-screen and clears the screen. */
const FREE_ROWS = 1;

/**
 * How the terminal's rows are shared. The fixed sections are counted line by line (header 3, or 5 with the HLS and
 * browser URLs; streams 1 + n (push targets count as rows); history and process 3; schedule 7 or 5 with its gap;
 * three more section gaps and the two list titles), plus one spare for the skip question and FREE_ROWS: the frame
 * always stays shorter than the terminal. A frame as tall as the terminal switches Ink between its full-screen redraw
 * and its line-by-line erase, and the switch can leave the top lines of an old frame (the header) standing above the
 * new one. Where the extra URL lines would leave the lists less than MIN_LIST_ROWS, they are left out.
 */
export function layoutFor(columns: number, rows: number, streamRows: number, scheduling: boolean): Layout {
  const compact = columns < COMPACT_COLUMNS;
  const wide = columns >= WIDE_COLUMNS;
  const shownStreams = Math.max(1, streamRows);
  const schedule = scheduling ? (compact ? 5 : 7) : 0;
  const base = HEADER_LINES + (1 + shownStreams) + (wide ? 2 : 3) + schedule + 3 + (wide ? 1 : 2) + 1 + FREE_ROWS;
  const extraUrls = !compact && rows - base - EXTRA_URL_LINES >= MIN_LIST_ROWS;
  const left = Math.max(MIN_LIST_ROWS, rows - base - (extraUrls ? EXTRA_URL_LINES : 0));
  if (wide) return { columns, compact, wide, viewerRows: left, eventRows: left, extraUrls };
  const viewerRows = Math.max(1, Math.min(8, Math.ceil(left / 2)));
  return { columns, compact, wide, viewerRows, eventRows: Math.max(1, left - viewerRows), extraUrls };
}
