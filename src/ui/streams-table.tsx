import chalk from 'chalk';
import { Box, Text } from 'ink';
import { formatBitrate, formatRelayState } from '../status/format.js';
import type { StreamStatus } from '../status/status-snapshot.js';
import { fit } from './text.js';

/** One line per stream: key, source, video, bitrate in, viewers by protocol (RTMP/HTTP-FLV/WebSocket-FLV/HLS), bitrate out. */
export function StreamsTable({ streams, compact, limit }: { streams: StreamStatus[]; compact: boolean; limit: number }) {
  const head = compact
    ? `${fit('STREAM', 16)} ${fit('IN', 11)} ${fit('VIEW', 5)} OUT`
    : `${fit('STREAM', 12)} ${fit('SOURCE', 18)} ${fit('VIDEO', 17)} ${fit('IN', 10)} ${fit('R/F/WS/H', 8)} OUT`;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">{chalk.bold.dim(head)}</Text>
      {streams.length === 0 ? <Text wrap="truncate">{chalk.dim('no streams yet')}</Text> : null}
      {streams.slice(0, limit).flatMap((s) => [
        <Text key={s.path} wrap="truncate">
          {compact ? compactRow(s) : fullRow(s)}
        </Text>,
        ...s.relays.map((relay) => (
          <Text key={`${s.path} ${relay.url}`} wrap="truncate">
            {`  ↳ push ${relay.url}  `}
            {relay.state === 'live' ? chalk.green(formatRelayState(relay)) : chalk.yellow(formatRelayState(relay))}
          </Text>
        )),
      ])}
    </Box>
  );
}

function fullRow(s: StreamStatus): string {
  const source = s.publisher === null ? chalk.yellow(fit('(waiting)', 18)) : fit(s.publisher.protocol === 'playout' ? 'playlist' : (s.publisher.address ?? 'hidden'), 18);
  const v = s.video;
  const video = v === null ? '-' : `${v.codec} ${v.width ?? '?'}x${v.height ?? '?'}${v.fps !== undefined ? ` ${Math.round(v.fps)}` : ''}`;
  const viewers = `${s.viewers.rtmp}/${s.viewers['http-flv']}/${s.viewers['ws-flv']}/${s.viewers.hls}`;
  return `${chalk.green(fit(s.key, 12))} ${source} ${fit(video, 17)} ${fit(formatBitrate(s.bitrateIn), 10)} ${fit(viewers, 8)} ${formatBitrate(s.bitrateOut)}`;
}

function compactRow(s: StreamStatus): string {
  return `${chalk.green(fit(s.key, 16))} ${fit(formatBitrate(s.bitrateIn), 11)} ${fit(String(s.viewers.total), 5)} ${formatBitrate(s.bitrateOut)}`;
}
