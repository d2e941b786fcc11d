import chalk from 'chalk';
import { Box, Text } from 'ink';
import { wallClockOf } from '../status/schedule-status.js';
import type { ScheduleStatus } from '../status/status-snapshot.js';
import { progressBar } from './progress-bar.js';
import { clockDuration, fit } from './text.js';

/**
 * The show: state, countdown before the start, now playing with progress, the next three with their real times
 * (HH:MM:SS in the playlist's zone, as the timetable printed them), ffmpeg restarts.
 */
export function SchedulePanel({ schedule, now, columns, compact }: { schedule: ScheduleStatus; now: number; columns: number; compact: boolean }) {
  const restarts = schedule.ffmpegRestarts > 0 ? chalk.yellow(`ffmpeg restarts ${schedule.ffmpegRestarts}`) : chalk.dim('ffmpeg restarts 0');
  const title = `${chalk.bold('Schedule')} ${stateLabel(schedule.state)}  ${chalk.dim(schedule.mode)}  ${restarts}`;
  const startsIn = (Date.parse(schedule.startsAt) - now) / 1000;
  const playing = schedule.nowPlaying;
  const lines: string[] = [];
  if ((schedule.state === 'waiting' || schedule.state === 'pre-show') && startsIn > 0) {
    lines.push(`Starts in ${chalk.bold(clockDuration(startsIn))} ${chalk.dim(`(at ${wallClockOf(schedule.startsAt)})`)}`);
  }
  if (playing !== null && playing.kind !== 'pre-show') {
    const remaining = Math.max(0, playing.durationS - playing.positionS);
    const times = `${clockDuration(playing.positionS)} / -${clockDuration(remaining)}`;
    const barWidth = Math.max(10, Math.min(50, columns - times.length - 4));
    const standIn = playing.kind === 'unavailable' ? ' (unavailable: a slate fills its slot)' : playing.kind === 'interrupted' ? ' (interrupted: back in a moment)' : '';
    lines.push(`Now ${chalk.green(fit(playing.title, Math.max(10, columns - 5 - standIn.length)).trimEnd())}${chalk.yellow(standIn)}`);
    lines.push(`${chalk.green(progressBar(playing.durationS > 0 ? playing.positionS / playing.durationS : 0, barWidth))} ${times}`);
  }
  const next = schedule.next.slice(0, compact ? 1 : 3);
  for (const item of next) lines.push(`${chalk.dim('Next')} ${wallClockOf(item.startsAt)}  ${fit(item.title, Math.max(10, columns - 16)).trimEnd()}`);
  if (next.length === 0 && schedule.state !== 'ended') lines.push(chalk.dim('Next: nothing more'));
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">{title}</Text>
      {lines.map((line, i) => (
        <Text key={i} wrap="truncate">
          {line}
        </Text>
      ))}
    </Box>
  );
}

function stateLabel(state: ScheduleStatus['state']): string {
  switch (state) {
    case 'playing':
      return chalk.green('playing');
    case 'ended':
      return chalk.dim('ended');
    case 'between':
      return chalk.yellow('between items');
    default:
      return chalk.cyan(state);
  }
}
