import chalk from 'chalk';
import { Box, Text } from 'ink';

/** The keys, shown in place of the lists while `?` is on. */
export function HelpPanel({ canSkip }: { canSkip: boolean }) {
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Text>{chalk.bold('Keys')}</Text>
      <Text>{`${chalk.cyan('q')} / ${chalk.cyan('Ctrl-C')}  stop the server (children stopped, viewers closed)`}</Text>
      <Text>{`${chalk.cyan('n')}           ${canSkip ? 'skip to the next item (asks first)' : chalk.dim('skip to the next item (when scheduling)')}`}</Text>
      <Text>{`${chalk.cyan('?')}           show or hide this help`}</Text>
    </Box>
  );
}
