import chalk from 'chalk';
import { UserError } from '../../errors.js';
import { parseAt } from '../../playout/at-option.js';
import { localTimeZone } from '../../playout/clock-time.js';
import { locateFfmpeg } from '../../playout/ffmpeg-locate.js';
import type { MediaSink } from '../../playout/media-sink.js';
import { loadPlaylist } from '../../playout/playlist.js';
import { Playout } from '../../playout/playout.js';
import { prepareShow, renderShow } from '../../playout/show.js';
import { RtmpPublishClient, parseRtmpUrl } from '../../server/rtmp-publish-client.js';
import { systemClock } from '../../util/clock.js';
import { type LaunchedServer, type ServerFlags, launchServer } from '../embedded-server.js';
import { ConsoleOutput } from '../console-output.js';
import { waitForShutdownSignal } from '../shutdown.js';

export interface ScheduleOptions extends ServerFlags {
  at?: string;
  check: boolean;
  ffmpeg?: string;
  ffprobe?: string;
  to?: string;
}

/**
 * `kayak-cast schedule movies.yaml --at 21:00`: checks the whole playlist now, prints the timetable, then plays it
 * in real time as one continuous channel on the embedded server (or on another server with --to).
 */
export async function schedule(file: string, options: ScheduleOptions): Promise<number> {
  const output = new ConsoleOutput(options);
  const logger = output.logger;
  const playlist = loadPlaylist(file);
  const timeZone = playlist.timezone ?? localTimeZone();
  const start = options.at !== undefined ? parseAt(options.at) : (playlist.start ?? { kind: 'now' as const });
  const target = options.to === undefined ? undefined : parseRtmpUrl(options.to);
  if (target !== undefined && (options.push ?? []).length > 0) {
    throw new UserError('--push and --to do not go together: --to plays out only there, with no server of our own to push from', 'use --push (the embedded server plus other targets) or --to (only that server)');
  }
  const tools = await locateFfmpeg({
    ...(options.ffmpeg !== undefined ? { ffmpeg: options.ffmpeg } : {}),
    ...(options.ffprobe !== undefined ? { ffprobe: options.ffprobe } : {}),
  });
  const show = await prepareShow({ playlist, tools, start, clock: systemClock, timeZone });
  console.log(renderShow(show));
  console.log('');
  if (options.check) return 0;

  const abort = new AbortController();
  const stopShow = (reason: string) => {
    if (abort.signal.aborted) return;
    output.detach();
    logger.log('info', `${reason}: stopping the show, closing viewers`);
    abort.abort();
  };
  void waitForShutdownSignal().then(stopShow);

  let launched: LaunchedServer | undefined;
  let sink: MediaSink;
  let client: RtmpPublishClient | undefined;
  if (target !== undefined) {
    // No embedded server, so no status store to show: plain lines.
    output.detach();
    client = new RtmpPublishClient(target, logger);
    await client.start();
    sink = client;
    console.log(chalk.bold(`Playing out to ${options.to}`));
  } else {
    launched = await launchServer(options, logger, { announcePublish: false, quiet: output.dashboard || output.json, events: output.events });
    const channel = launched.server.hub.publish(options.app, playlist.stream, 'playout', 'playout');
    if (channel === undefined) throw new UserError(`stream ${options.app}/${playlist.stream} is already in use`);
    sink = channel;
    launched.printShareUrls(channel.path);
  }
  const playout = new Playout(show, tools, sink, systemClock, logger);
  if (launched !== undefined) {
    const { admin, status } = launched.server;
    status.setScheduleSource(() => playout.status());
    // The admin API's skip and shutdown (kayak-cast skip, an attached dashboard's keys) reach the playout through these.
    admin.onSkip(() => playout.skip());
    admin.onShutdown(() => stopShow('stop requested through the admin API'));
    void output.attach(status, launched.share, { skip: () => playout.skip(), kick: (id) => void admin.kick(id) }).then(() => stopShow('quit'));
  }
  try {
    await playout.run(abort.signal);
  } finally {
    output.detach();
    client?.close();
    await launched?.stop();
  }
  logger.log('info', 'stopped');
  return 0;
}
