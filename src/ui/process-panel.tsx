import chalk from 'chalk';
import { Text } from 'ink';
import { formatBytes } from '../status/format.js';
import type { ServerStatus } from '../status/status-snapshot.js';

/** Memory, CPU (percent of one core) and open connections of the server process. */
export function ProcessPanel({ server, compact }: { server: ServerStatus; compact: boolean }) {
  const cpu = `${server.cpuPercent.toFixed(1)}%`;
  const parts = compact
    ? [`RSS ${formatBytes(server.memory.rss)}`, `CPU ${cpu}`, `conn ${server.connections}`]
    : [`RSS ${formatBytes(server.memory.rss)}`, `heap ${formatBytes(server.memory.heapUsed)}`, `CPU ${cpu}`, `connections ${server.connections}`];
  return <Text wrap="truncate">{`${chalk.bold('Process')}  ${parts.join(chalk.dim('  ·  '))}`}</Text>;
}
