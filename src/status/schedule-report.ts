import { isoWithOffset } from '../playout/clock-time.js';
import type { PlayoutReport } from '../playout/playout.js';
import type { ScheduleStatus } from './schedule-status.js';

/** The JSON shape of a playout's report. */
export function scheduleStatus(report: PlayoutReport): ScheduleStatus {
  const iso = (epochMs: number) => isoWithOffset(epochMs, report.timeZone);
  const now = report.nowPlaying;
  return {
    state: report.state,
    playlist: report.playlist,
    stream: report.stream,
    mode: report.mode,
    timeZone: report.timeZone,
    startsAt: iso(report.startsAtMs),
    endsAt: report.endsAtMs === null ? null : iso(report.endsAtMs),
    closesAt: report.closesAtMs === null ? null : iso(report.closesAtMs),
    nowPlaying:
      now === null
        ? null
        : {
            title: now.title,
            ...(now.file !== undefined ? { file: now.file } : {}),
            kind: now.kind,
            startedAt: iso(now.startedAtMs),
            positionS: now.positionS,
            durationS: now.durationS,
          },
    next: report.next.map((item) => ({ title: item.title, startsAt: iso(item.startsAtMs) })),
    ffmpegRestarts: report.ffmpegRestarts,
    incidents: report.incidents,
  };
}
