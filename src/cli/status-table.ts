import chalk from 'chalk';
import type { AccessStatus, ScheduleStatus, StatusSnapshot } from '../status/status-snapshot.js';
import { formatBitrate, formatBytes, formatDuration, formatRefusals, formatRelayState, table } from '../status/format.js';
import { wallClockOf } from '../status/schedule-status.js';

/** `kayak-cast status` without --json: what is live, who watches, what it costs. */
export function renderStatus(snapshot: StatusSnapshot, now = Date.now()): string {
  const { server, streams, viewers } = snapshot;
  const lines = [
    chalk.bold(`kayak-cast ${server.version}`) +
      `  pid ${server.pid}  up ${formatDuration(server.uptimeSeconds)}  ` +
      `memory ${formatBytes(server.memory.rss)} rss / ${formatBytes(server.memory.heapUsed)} heap  cpu ${server.cpuPercent}%`,
    `rtmp :${server.rtmpPort}  ${server.tls ? `rtmps :${server.rtmpsPort}  https` : 'http'} :${server.httpPort}  app ${server.app}  ${server.connections} connections`,
    ...(snapshot.access !== undefined ? [accessLine(snapshot.access)] : []),
    '',
  ];
  if (streams.length === 0) {
    lines.push('No live streams.');
  } else {
    const rows = [['STREAM', 'STATE', 'SOURCE', 'VIDEO', 'AUDIO', 'IN', 'VIEWERS', 'OUT']];
    for (const s of streams) {
      const video = s.video === null ? '-' : [s.video.codec, s.video.width && `${s.video.width}x${s.video.height}`, s.video.fps && `${s.video.fps}fps`].filter(Boolean).join(' ');
      const audio = s.audio === null ? '-' : [s.audio.codec, s.audio.sampleRate && `${s.audio.sampleRate}Hz`, s.audio.channels && `${s.audio.channels}ch`].filter(Boolean).join(' ');
      rows.push([
        s.path,
        s.state,
        s.publisher === null ? '(waiting)' : (s.publisher.address ?? 'hidden'),
        video,
        audio,
        formatBitrate(s.bitrateIn),
        `${s.viewers.total} (rtmp ${s.viewers.rtmp}, flv ${s.viewers['http-flv']}, ws ${s.viewers['ws-flv']}, hls ${s.viewers.hls})`,
        formatBitrate(s.bitrateOut),
      ]);
    }
    lines.push(table(rows));
    const relays = streams.flatMap((s) => s.relays.map((relay) => ({ path: s.path, relay })));
    if (relays.length > 0) {
      const pushRows = [['STREAM', 'PUSHED TO', 'STATE', 'SENT', 'RETRIES', 'DROPPED']];
      for (const { path, relay } of relays) {
        pushRows.push([path, relay.url, formatRelayState(relay, now), formatBytes(relay.bytesSent), String(relay.retries), String(relay.droppedFrames)]);
      }
      lines.push('', table(pushRows));
    }
  }
  if (snapshot.schedule !== undefined) lines.push('', ...renderSchedule(snapshot.schedule));
  if (viewers.length > 0) {
    lines.push('');
    const rows = [['VIEWER', 'STREAM', 'PROTOCOL', 'ADDRESS', 'WATCHING', 'SENT', 'DROPPED']];
    for (const v of viewers) {
      rows.push([v.id, v.path, v.protocol, v.remoteAddress, formatDuration((now - Date.parse(v.since)) / 1000), formatBytes(v.bytesSent), String(v.droppedFrames)]);
    }
    lines.push(table(rows));
  }
  return lines.join('\n');
}

/** Who may publish and watch, the admission limits, and the refusals so far. */
function accessLine(access: AccessStatus): string {
  const publish = access.publishAllow.length === 0 ? 'publish: secret only' : `publish: ${access.publishAllow.join(',')}${access.publishSecret ? ' or the secret' : ''}`;
  const limits = [
    access.limits.maxViewers !== null ? `max ${access.limits.maxViewers} viewers` : undefined,
    access.limits.maxBandwidth !== null ? `budget ${formatBitrate(access.limits.maxBandwidth)} (${formatBitrate(access.committedBandwidth)} in use)` : undefined,
  ].filter(Boolean);
  const refused = formatRefusals(access.refusals);
  return [access.privateShow ? 'private show' : 'public show', publish, ...limits, ...(refused !== '' ? [`refused: ${refused}`] : [])].join('  ');
}

/** The schedule, times as HH:MM:SS in the playlist's zone (the wall time the timetable printed). */
function renderSchedule(schedule: ScheduleStatus): string[] {
  const lines = [chalk.bold(`Schedule: ${schedule.playlist} (${schedule.stream}, ${schedule.mode})  state: ${schedule.state}`)];
  const now = schedule.nowPlaying;
  if (schedule.state === 'pre-show' || schedule.state === 'waiting') lines.push(`  starts at ${wallClockOf(schedule.startsAt)} (${schedule.timeZone})`);
  if (now !== null) {
    const standIn = now.kind === 'unavailable' ? '  [unavailable: a slate fills its slot]' : now.kind === 'interrupted' ? '  [interrupted]' : '';
    lines.push(`  now: ${now.title}  ${formatDuration(now.positionS)} / ${formatDuration(now.durationS)}${standIn}${now.file !== undefined ? `  (${now.file})` : ''}`);
  }
  for (const next of schedule.next) lines.push(`  next: ${wallClockOf(next.startsAt)}  ${next.title}`);
  if (schedule.closesAt !== null) lines.push(`  the stream ends at ${wallClockOf(schedule.closesAt)}, after the end slate`);
  if (schedule.ffmpegRestarts > 0 || schedule.incidents > 0) lines.push(`  ffmpeg restarts: ${schedule.ffmpegRestarts}, items in trouble: ${schedule.incidents}`);
  return lines;
}
