import chalk from 'chalk';
import { Box, Text } from 'ink';
import type { LoggedEvent } from '../status/event-log.js';

/** The newest events first, one line each: time, then the message coloured by level. */
export function EventsList({ events, limit }: { events: LoggedEvent[]; limit: number }) {
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">{chalk.bold('Events')}</Text>
      {events.length === 0 ? <Text wrap="truncate">{chalk.dim('nothing yet')}</Text> : null}
      {events.slice(0, limit).map((event, i) => {
        const style = event.level === 'error' ? chalk.red : event.level === 'warn' ? chalk.yellow : (text: string) => text;
        return (
          <Text key={`${event.at}-${i}`} wrap="truncate">
            {`${chalk.dim(new Date(event.at).toTimeString().slice(0, 8))} ${style(event.message)}`}
          </Text>
        );
      })}
    </Box>
  );
}
