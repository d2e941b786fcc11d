import chalk from 'chalk';
import { Box, Text } from 'ink';
import type { DashboardState, ShareInfo } from './dashboard-state.js';
import { EventsList } from './events-list.js';
import { Header } from './header.js';
import { HelpPanel } from './help-panel.js';
import { HistoryPanel } from './history-panel.js';
import { MAX_STREAM_ROWS, layoutFor, streamLines } from './layout.js';
import { ProcessPanel } from './process-panel.js';
import { SchedulePanel } from './schedule-panel.js';
import { StreamsTable } from './streams-table.js';
import { ViewersList } from './viewers-list.js';

/** `help`: the keys; `confirm-skip` / `confirm-stop`: asking before acting; `kick`: waiting for a viewer's number. */
export type DashboardMode = 'normal' | 'help' | 'confirm-skip' | 'confirm-stop' | 'kick';

export interface DashboardViewProps {
  state: DashboardState;
  share: ShareInfo;
  columns: number;
  rows: number;
  mode?: DashboardMode;
  canSkip?: boolean;
  /** The host may kick viewers (k) and, attached to a server elsewhere, stop it (x). */
  canKick?: boolean;
  canStop?: boolean;
}

/** One frame of the dashboard, from a state read off the status store: no timers, no I/O. */
export function DashboardView({ state, share, columns, rows, mode = 'normal', canSkip = false, canKick = false, canStop = false }: DashboardViewProps) {
  const { snapshot, history, events, now } = state;
  const layout = layoutFor(columns, rows, streamLines(snapshot.streams), snapshot.schedule !== undefined);
  const { compact } = layout;
  const viewers = <ViewersList viewers={snapshot.viewers} now={now} compact={compact || layout.wide} limit={layout.viewerRows} numbered={mode === 'kick'} />;
  const eventList = <EventsList events={events} limit={layout.eventRows} />;
  return (
    <Box flexDirection="column" width={columns}>
      <Header snapshot={snapshot} share={share} compact={compact} extraUrls={layout.extraUrls} />
      <Box marginTop={1} flexDirection="column">
        <StreamsTable streams={snapshot.streams} compact={compact} limit={MAX_STREAM_ROWS} />
      </Box>
      <Box marginTop={1} flexDirection={layout.wide ? 'row' : 'column'}>
        <Box flexDirection="column" flexGrow={1}>
          <HistoryPanel history={history} columns={layout.wide ? Math.floor(columns / 2) : columns} />
        </Box>
        <Box flexDirection="column" flexGrow={1}>
          <ProcessPanel server={snapshot.server} access={snapshot.access} compact={compact} wide={layout.wide} />
        </Box>
      </Box>
      {snapshot.schedule !== undefined ? (
        <Box marginTop={1}>
          <SchedulePanel schedule={snapshot.schedule} now={now} columns={columns} compact={compact} />
        </Box>
      ) : null}
      {mode === 'confirm-skip' ? <Text>{chalk.yellow.bold('Skip to the next item now? (y/n)')}</Text> : null}
      {mode === 'confirm-stop' ? <Text>{chalk.yellow.bold('Stop the server now? Every stream ends. (y/n)')}</Text> : null}
      {mode === 'kick' ? <Text>{chalk.yellow.bold('Kick which viewer? Press its number (Esc: none)')}</Text> : null}
      {state.notice !== undefined ? <Text wrap="truncate">{chalk.yellow(state.notice)}</Text> : null}
      {mode === 'help' ? (
        <HelpPanel canSkip={canSkip} canKick={canKick} canStop={canStop} />
      ) : layout.wide ? (
        <Box marginTop={1} flexDirection="row">
          <Box width={Math.floor(columns / 2)} flexDirection="column">
            {viewers}
          </Box>
          <Box flexGrow={1} flexDirection="column">
            {eventList}
          </Box>
        </Box>
      ) : (
        <Box marginTop={1} flexDirection="column">
          {viewers}
          {eventList}
        </Box>
      )}
    </Box>
  );
}
