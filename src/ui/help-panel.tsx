import chalk from 'chalk';
import { Box, Text } from 'ink';

/** The keys, shown in place of the lists while `?` is on. */
export function HelpPanel({ canSkip, canKick = false, canStop = false }: { canSkip: boolean; canKick?: boolean; canStop?: boolean }) {
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Text>{chalk.bold('Keys')}</Text>
      <Text>{`${chalk.cyan('q')} / ${chalk.cyan('Ctrl-C')}  ${canStop ? 'leave the dashboard (the server keeps running)' : 'stop the server (children stopped, viewers closed)'}`}</Text>
      {canStop ? <Text>{`${chalk.cyan('x')}           stop the server (asks first)`}</Text> : null}
      <Text>{`${chalk.cyan('n')}           ${canSkip ? 'skip to the next item (asks first)' : chalk.dim('skip to the next item (when scheduling)')}`}</Text>
      {canKick ? <Text>{`${chalk.cyan('k')}           kick a viewer (then its number; its address waits 10 minutes)`}</Text> : null}
      <Text>{`${chalk.cyan('?')}           show or hide this help`}</Text>
    </Box>
  );
}
