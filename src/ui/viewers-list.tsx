import chalk from 'chalk';
import { Box, Text } from 'ink';
import { formatBytes, formatDuration } from '../status/format.js';
import type { ViewerStatus } from '../status/status-snapshot.js';
import { fit } from './text.js';

/** Viewers newest first (the snapshot's order), trimmed to `limit` rows with a "+N more" line. */
export function ViewersList({ viewers, now, compact, limit, numbered = false }: { viewers: ViewerStatus[]; now: number; compact: boolean; limit: number; numbered?: boolean }) {
  const overflow = viewers.length > limit;
  const shown = viewers.slice(0, overflow ? Math.max(0, limit - 1) : limit);
  const head = compact ? 'protocol, address, watching for' : 'protocol, address, stream, watching for, sent, dropped frames';
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">{`${chalk.bold(`Viewers ${viewers.length}`)}  ${chalk.dim(head)}`}</Text>
      {shown.map((v, i) => {
        const since = formatDuration((now - Date.parse(v.since)) / 1000);
        const line = compact
          ? `${fit(v.protocol, 8)} ${fit(v.remoteAddress, 22)} ${since}`
          : `${fit(v.protocol, 9)} ${fit(v.remoteAddress, 22)} ${fit(v.path, 18)} ${fit(since, 7)} ${fit(formatBytes(v.bytesSent), 10)} ${v.droppedFrames > 0 ? chalk.yellow(`${v.droppedFrames} dropped`) : chalk.dim('0 dropped')}`;
        // While the host picks a viewer to kick, the first nine are numbered.
        const mark = numbered ? (i < 9 ? chalk.yellow.bold(`${i + 1} `) : '  ') : '';
        return (
          <Text key={v.id} wrap="truncate">
            {`${mark}${line}`}
          </Text>
        );
      })}
      {overflow ? <Text wrap="truncate">{chalk.dim(`+${viewers.length - shown.length} more`)}</Text> : null}
    </Box>
  );
}
