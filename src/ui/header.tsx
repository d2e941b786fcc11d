import chalk from 'chalk';
import { Box, Text } from 'ink';
import { formatDuration } from '../status/format.js';
import type { StatusSnapshot } from '../status/status-snapshot.js';
import type { ShareInfo } from './dashboard-state.js';

/**
 * Version, uptime and the URLs to share, each on its own line so a terminal selection copies it whole; the HLS and
 * browser URLs only when the layout has room for them (`extraUrls`).
 */
export function Header({ snapshot, share, compact, extraUrls = !compact }: { snapshot: StatusSnapshot; share: ShareInfo; compact: boolean; extraUrls?: boolean }) {
  const { server } = snapshot;
  const stream = snapshot.streams[0];
  const urls = stream === undefined ? undefined : share.streamUrls(stream.path);
  const title = `${chalk.bold('kayak-cast')} ${server.version}  ${chalk.dim('up')} ${formatDuration(server.uptimeSeconds)}`;
  const keys = chalk.dim(compact ? '? keys' : '? keys  q quit');
  return (
    <Box flexDirection="column">
      <Box justifyContent="space-between">
        <Text wrap="truncate">{title}</Text>
        <Text>{keys}</Text>
      </Box>
      {urls === undefined ? (
        <>
          <Text wrap="truncate">{`${chalk.dim(compact ? 'Pub ' : 'Publish  ')}${chalk.cyan(share.publishUrl)}`}</Text>
          <Text wrap="truncate">{chalk.dim('waiting for a stream')}</Text>
        </>
      ) : (
        <>
          <Text wrap="truncate">{`${chalk.dim(compact ? 'RTMP ' : 'RTMP     ')}${chalk.cyan(urls.rtmp)}`}</Text>
          <Text wrap="truncate">{`${chalk.dim(compact ? 'FLV  ' : 'HTTP-FLV ')}${chalk.cyan(urls.flv)}`}</Text>
          {extraUrls && urls.hls !== undefined ? <Text wrap="truncate">{`${chalk.dim('HLS      ')}${chalk.cyan(urls.hls)}`}</Text> : null}
          {extraUrls && urls.watch !== undefined ? <Text wrap="truncate">{`${chalk.dim('Browser  ')}${chalk.cyan(urls.watch)}`}</Text> : null}
        </>
      )}
    </Box>
  );
}
