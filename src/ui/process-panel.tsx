import chalk from 'chalk';
import { Box, Text } from 'ink';
import { formatBytes, formatRefusals } from '../status/format.js';
import type { AccessStatus, ServerStatus } from '../status/status-snapshot.js';

/** Memory, CPU (percent of one core) and open connections of the server process, and what it refused, by reason. */
export function ProcessPanel({ server, access, compact, wide = false }: { server: ServerStatus; access?: AccessStatus | undefined; compact: boolean; wide?: boolean }) {
  const cpu = `${server.cpuPercent.toFixed(1)}%`;
  const parts = compact
    ? [`RSS ${formatBytes(server.memory.rss)}`, `CPU ${cpu}`, `conn ${server.connections}`]
    : [`RSS ${formatBytes(server.memory.rss)}`, `heap ${formatBytes(server.memory.heapUsed)}`, `CPU ${cpu}`, `connections ${server.connections}`];
  const refused = formatRefusals(access?.refusals);
  const total = Object.values(access?.refusals ?? {}).reduce((sum, n) => sum + n, 0);
  // Wide, the panel sits beside the two sparkline lines and has a second line to spare for the reasons; otherwise the
  // total takes the heap's place on the one line.
  if (total > 0 && !wide) parts.splice(compact ? parts.length : 1, compact ? 0 : 1, chalk.yellow(`refused ${total}`));
  const line = `${chalk.bold('Process')}  ${parts.join(chalk.dim('  ·  '))}`;
  if (!wide || total === 0) return <Text wrap="truncate">{line}</Text>;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">{line}</Text>
      <Text wrap="truncate">{`${chalk.bold('Refused')}  ${chalk.yellow(refused)}`}</Text>
    </Box>
  );
}
