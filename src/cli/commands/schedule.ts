import chalk from 'chalk';
import { UserError } from '../../errors.js';
import { parseAt } from '../../playout/at-option.js';
import { localTimeZone } from '../../playout/clock-time.js';
import { locateFfmpeg } from '../../playout/ffmpeg-locate.js';
import type { MediaSink } from '../../playout/media-sink.js';
import { type Playlist, loadPlaylist } from '../../playout/playlist.js';
import { folderPlaylist } from '../../playout/folder/folder-playlist.js';
import type { FfmpegTools } from '../../playout/ffmpeg-locate.js';
import type { ProbeCache } from '../../playout/probe-pool.js';
import { terminalProgress } from '../probe-progress.js';
import { Playout } from '../../playout/playout.js';
import { type Show, prepareShow } from '../../playout/show.js';
import { renderShow } from '../../playout/show-render.js';
import { RtmpPublishClient, parseRtmpUrl } from '../../server/rtmp-publish-client.js';
import { scheduleStatus } from '../../status/schedule-report.js';
import { systemClock } from '../../util/clock.js';
import { type LaunchedServer, type ServerFlags, launchServer } from '../embedded-server.js';
import { ConsoleOutput } from '../console-output.js';
import { printLine } from '../line-logger.js';
import { INTERRUPTED_EXIT_CODE, ShutdownRequested, type ShutdownSignals, whenStopped } from '../shutdown.js';

export interface ScheduleOptions extends ServerFlags {
  at?: string;
  check: boolean;
  ffmpeg?: string;
  ffprobe?: string;
  to?: string;
}

/**
 * `kayak-cast schedule movies.yaml --at 21:00` (or a folder, files or a glob of movies instead of a playlist): checks
 * the whole show now, prints the timetable, then plays it in real time as one continuous channel on the embedded
 * server (or on another server with --to). After the end slate the stream ends and the command exits 0; a looping
 * show runs until stopped.
 */
export async function schedule(sources: readonly string[], options: ScheduleOptions, shutdown: ShutdownSignals): Promise<number> {
  const stop = shutdown.claim();
  const output = new ConsoleOutput(options);
  const playlistFile = playlistFileOf(sources);
  let playlist = playlistFile === undefined ? undefined : loadPlaylist(playlistFile);
  const target = options.to === undefined ? undefined : parseRtmpUrl(options.to);
  if (target !== undefined && (options.push ?? []).length > 0) {
    throw new UserError('--push and --to do not go together: --to plays out only there, with no server of our own to push from', 'use --push (the embedded server plus other targets) or --to (only that server)');
  }
  let show;
  const progress = terminalProgress();
  try {
    const tools = await locateFfmpeg({
      ...(options.ffmpeg !== undefined ? { ffmpeg: options.ffmpeg } : {}),
      ...(options.ffprobe !== undefined ? { ffprobe: options.ffprobe } : {}),
    });
    const probeCache: ProbeCache = new Map();
    const probing = { signal: stop, probeCache, ...(progress.onProgress ? { onProgress: progress.onProgress } : {}) };
    if (playlist === undefined) {
      const folder = await folderPlaylist(sources, tools, { signal: stop, cache: probeCache, ...(progress.onProgress ? { onProgress: progress.onProgress } : {}) });
      progress.done();
      for (const skipped of folder.skipped) console.error(`left out ${skipped.file}: ${skipped.reason}`);
      playlist = folder.playlist;
    }
    const timeZone = playlist.timezone ?? localTimeZone();
    const start = options.at !== undefined ? parseAt(options.at) : (playlist.start ?? { kind: 'now' as const });
    show = { tools, prepared: await prepareShow({ playlist, tools, start, clock: systemClock, timeZone, ...probing }) };
  } catch (error) {
    progress.done();
    if (!(error instanceof ShutdownRequested) && !stop.aborted) throw error;
    console.error(`${stop.reason instanceof ShutdownRequested ? stop.reason.signal : 'stopped'}: stopped while checking the playlist; nothing was started`);
    return INTERRUPTED_EXIT_CODE;
  }
  progress.done();
  try {
    return await playShow(show, playlist, options, { stop, output, target });
  } finally {
    show.prepared.workspace.dispose();
  }
}

/** The one argument that is a playlist (`.yaml`, `.yml`), or undefined when the arguments are movies. */
export function playlistFileOf(sources: readonly string[]): string | undefined {
  const [first] = sources;
  return sources.length === 1 && first !== undefined && /\.ya?ml$/i.test(first) ? first : undefined;
}

async function playShow(
  show: { tools: FfmpegTools; prepared: Show },
  playlist: Playlist,
  options: ScheduleOptions,
  context: { stop: AbortSignal; output: ConsoleOutput; target: ReturnType<typeof parseRtmpUrl> | undefined },
): Promise<number> {
  const { stop, output, target } = context;
  const logger = output.logger;
  printLine(renderShow(show.prepared));
  printLine('');
  if (options.check) return 0;

  let launched: LaunchedServer | undefined;
  let sink: MediaSink;
  let client: RtmpPublishClient | undefined;
  if (target !== undefined) {
    // No embedded server, so no status store to show: plain lines.
    output.detach();
    client = new RtmpPublishClient(target, logger);
    await client.start();
    sink = client;
    printLine(chalk.bold(`Playing out to ${options.to}`));
  } else {
    launched = await launchServer(options, logger, { announcePublish: false, quiet: output.dashboard || output.json, events: output.events });
    const channel = launched.server.hub.publish(options.app, playlist.stream, 'playout', 'playout');
    if (channel === undefined) throw new UserError(`stream ${options.app}/${playlist.stream} is already in use`);
    sink = channel;
    launched.printShareUrls(channel.path);
  }
  const playout = new Playout(show.prepared, show.tools, sink, systemClock, logger);
  const abort = new AbortController();
  const stopShow = (reason: string) => {
    if (abort.signal.aborted) return;
    output.detach();
    logger.log('info', `${reason}: stopping the show, closing viewers`);
    abort.abort();
  };
  void whenStopped(stop).then(stopShow);
  if (launched !== undefined) {
    const { admin, status } = launched.server;
    status.setScheduleSource(() => scheduleStatus(playout.report()));
    // The admin API's skip and shutdown (kayak-cast skip, an attached dashboard's keys) reach the playout through these.
    admin.onSkip(() => playout.skip());
    admin.onShutdown(() => stopShow('stop requested through the admin API'));
    if (!stop.aborted) void output.attach(status, launched.share, { skip: () => playout.skip(), kick: (id) => void admin.kick(id) }).then(() => stopShow('quit'));
  }
  let outcome: 'ended' | 'stopped' = 'stopped';
  try {
    if (!stop.aborted) outcome = await playout.run(abort.signal);
  } finally {
    output.detach();
    client?.close();
    await launched?.stop();
  }
  logger.log('info', outcome === 'ended' ? 'the stream has ended; viewers were told' : 'stopped', { event: outcome === 'ended' ? 'stream-ended' : 'stopped' });
  return 0;
}
