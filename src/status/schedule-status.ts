/**
 * The schedule part of the status snapshot (`schedule` in /api/status): part of the versioned contract between the
 * server and whatever shows it (`kayak-cast status`, the dashboard, the watch page). Times are ISO 8601 with the
 * playlist's UTC offset and milliseconds (`2026-11-27T21:00:00.000+01:00`): the instant, and the wall time the
 * timetable printed, in one string.
 */

/** `waiting` for the first frame, the `pre-show` slate, an item `playing`, a break `between` items, the end slate once `ended`. */
export type ScheduleState = 'waiting' | 'pre-show' | 'playing' | 'between' | 'ended';

export interface ScheduleStatus {
  state: ScheduleState;
  playlist: string;
  stream: string;
  mode: 'copy' | 're-encode';
  /** The playlist's IANA time zone, in which the times below are written. */
  timeZone: string;
  /** When the first item starts. */
  startsAt: string;
  /** When the last item ends, and when the stream ends after the end slate; null when the playlist loops. */
  endsAt: string | null;
  closesAt: string | null;
  nowPlaying: {
    title: string;
    file?: string;
    /** `item`, `gap`, `pre-show`, `end`; `unavailable` or `interrupted` while a slate stands in for the item. */
    kind: string;
    startedAt: string;
    positionS: number;
    durationS: number;
  } | null;
  /** The next items with their real start times (re-planned after a skip). */
  next: { title: string; startsAt: string }[];
  ffmpegRestarts: number;
  /** Items that failed, could not start or ended early, so far. */
  incidents: number;
}

/** `21:00:05`: the wall time an ISO string with an offset carries (the time in the playlist's zone, as printed). */
export function wallClockOf(iso: string): string {
  const m = /T(\d{2}:\d{2}:\d{2})/.exec(iso);
  return m?.[1] ?? iso;
}
