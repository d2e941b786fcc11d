import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_GRACE_MS } from '../media/channel-hub.js';
import { DEFAULT_APP, DEFAULT_HTTP_PORT, DEFAULT_RTMP_PORT } from '../server/kayak-server.js';
import { VERSION } from '../version.js';
import type { ShutdownSignals } from './shutdown.js';

/**
 * The command-line program. Each command's module is loaded when it runs, so `serve` carries none of what
 * `schedule` needs (the YAML parser, the schema library, fluent-ffmpeg): a server's memory is its working set.
 */
/** The command-line program. Each action parses flags, calls one service and reports its exit code. */
export function buildProgram(setExitCode: (code: number) => void, shutdown: ShutdownSignals): Command {
  const program = new Command('kayak-cast')
    .description('Broadcast movies to friends from one machine: RTMP + HTTP-FLV server and real-time playout.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)');

  withServerFlags(
    program.command('serve').description('run the embedded RTMP + HTTP-FLV server and print the URLs to publish to and share'),
  ).action(async (options) => setExitCode(await (await import('./commands/serve.js')).serve(options, shutdown)));

  withServerFlags(
    program
      .command('schedule')
      .description('check a playlist, print its timetable, and play it in real time as one continuous channel')
      .argument('<playlist>', 'playlist file (YAML), e.g. playlists/demo.yaml')
      .option('--at <time>', 'start time: HH:MM, an ISO date-time, or now (default: the playlist\'s start, else now)')
      .option('--check', 'validate, probe and print the timetable, then exit', false)
      .option('--ffmpeg <path>', 'ffmpeg to use (default: FFMPEG_PATH, ffmpeg-static, then PATH)')
      .option('--ffprobe <path>', 'ffprobe to use (default: FFPROBE_PATH, next to ffmpeg, then PATH)')
      .option('--to <rtmp-url>', 'play out to another RTMP server instead of the embedded one'),
  ).action(async (file: string, options) => setExitCode(await (await import('./commands/schedule.js')).schedule(file, options, shutdown)));

  program
    .command('status')
    .description('show what a running kayak-cast server is doing')
    .option('--url <url>', 'the server\'s HTTP address (default: the server running on this machine)')
    .option('--json', 'print the raw JSON status', false)
    .action(async (options) => setExitCode(await (await import('./commands/status.js')).status(options)));

  program
    .command('doctor')
    .description('check which ffmpeg and ffprobe playout uses, their versions and encoders, and what to install')
    .option('--ffmpeg <path>', 'ffmpeg binary to use (default: FFMPEG_PATH, the ffmpeg-static package, then PATH)')
    .option('--ffprobe <path>', 'ffprobe binary to use (default: FFPROBE_PATH, next to ffmpeg, then PATH)')
    .action(async (options) => setExitCode(await (await import('./commands/doctor.js')).doctor(options)));

  return program;
}

/** The flags of the embedded server, shared by `serve` and `schedule`. */
function withServerFlags(command: Command): Command {
  return command
    .addOption(new Option('--rtmp-port <port>', 'RTMP port').default(DEFAULT_RTMP_PORT).argParser(parsePort))
    .addOption(new Option('--http-port <port>', 'HTTP-FLV and API port').default(DEFAULT_HTTP_PORT).argParser(parsePort))
    .option('--host <address>', 'address to listen on', '0.0.0.0')
    .option('--public-host <name>', "host name or IP to print in share URLs (default: this machine's LAN addresses)")
    .option('--app <name>', 'RTMP application name (rtmp://host/<app>/<key>)', DEFAULT_APP)
    .addOption(
      new Option('--grace <seconds>', 'how long viewers wait for a publisher that left to come back')
        .default(DEFAULT_GRACE_MS / 1000)
        .argParser(parseSeconds),
    )
    .option('--no-dashboard', 'print plain log lines instead of the live dashboard')
    .addOption(new Option('--log-format <format>', 'log lines without the dashboard: plain or json (one object a line)').choices(['plain', 'json']).default('plain'))
    .option('--verbose', 'also print debug lines', false);
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535');
  return port;
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0) throw new InvalidArgumentError('expected a number of seconds (0 or more)');
  return seconds;
}
