import chalk from 'chalk';
import { Box, Text } from 'ink';
import { formatBitrate } from '../status/format.js';
import type { HistorySeries } from '../status/history.js';
import { sparkline } from './sparkline.js';

/** Outgoing bitrate and viewer count over the last minute, each as a sparkline with its current value. */
export function HistoryPanel({ history, columns }: { history: HistorySeries; columns: number }) {
  const width = Math.max(8, Math.min(60, columns - 28));
  const bitrate = history.bitrateOut.at(-1) ?? 0;
  const viewers = history.viewers.at(-1) ?? 0;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">{`${chalk.dim('out 60s ')}${chalk.cyan(sparkline(history.bitrateOut, width))} ${formatBitrate(bitrate)}`}</Text>
      <Text wrap="truncate">{`${chalk.dim('viewers ')}${chalk.magenta(sparkline(history.viewers, width))} ${viewers}`}</Text>
    </Box>
  );
}
