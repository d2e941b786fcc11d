import { Command, InvalidArgumentError, Option } from 'commander';
import { UserError } from '../errors.js';
import { DEFAULT_GRACE_MS } from '../media/channel-hub.js';
import { DEFAULT_APP, DEFAULT_HTTP_PORT, DEFAULT_RTMP_PORT } from '../server/kayak-server.js';
import { DEFAULT_MAX_CONNECTIONS } from '../server/limits.js';
import { parseOverflowTemplate } from '../server/overflow.js';
import { VERSION } from '../version.js';
import { countValue, durationValue, limitValue, networksValue, portValue, rateValue, secondsValue, secretValue, textValue } from './option-values.js';
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
  ).action(async (options, command: Command) => {
    const flags = await (await import('./server-flags.js')).resolveServerFlags(options, command);
    setExitCode(await (await import('./commands/serve.js')).serve(flags, shutdown));
  });

  withServerFlags(
    program
      .command('schedule')
      .description('check a playlist (or a folder of movies), print its timetable, and play it in real time as one continuous channel')
      .argument('<playlist-or-movies...>', 'a playlist file (YAML, e.g. playlists/demo.yaml), or folders, movie files or a quoted glob (\'~/Movies/*.mkv\')')
      .option('--at <time>', 'start time: HH:MM, an ISO date-time, or now (default: the playlist\'s start, else now)')
      .option('--check', 'validate, probe and print the timetable, then exit', false)
      .option('--ffmpeg <path>', 'ffmpeg to use (default: FFMPEG_PATH, ffmpeg-static, then PATH)')
      .option('--ffprobe <path>', 'ffprobe to use (default: FFPROBE_PATH, next to ffmpeg, then PATH)')
      .option('--to <rtmp-url>', 'play out to another RTMP server instead of the embedded one'),
  ).action(async (sources: string[], options, command: Command) => {
    const flags = await (await import('./server-flags.js')).resolveServerFlags(options, command);
    setExitCode(await (await import('./commands/schedule.js')).schedule(sources, flags, shutdown));
  });

  program
    .command('playlist')
    .description('playlists: `playlist init <folder>` writes one for a folder of movies')
    .command('init')
    .description('write a playlist (YAML, on stdout) of a folder, movie files or a glob: every movie with its probed length, every field with a comment')
    .argument('<movies...>', 'folders, movie files or a quoted glob')
    .option('--ffmpeg <path>', 'ffmpeg to use (default: FFMPEG_PATH, ffmpeg-static, then PATH)')
    .option('--ffprobe <path>', 'ffprobe to use (default: FFPROBE_PATH, next to ffmpeg, then PATH)')
    .action(async (sources: string[], options) => setExitCode(await (await import('./commands/playlist-init.js')).playlistInit(sources, options, shutdown)));

  withRemoteFlags(program.command('status').description('show what a running kayak-cast server is doing'))
    .option('--json', 'print the raw JSON status', false)
    .action(async (options) => setExitCode(await (await import('./commands/status.js')).status(options)));

  withRemoteFlags(
    program
      .command('dashboard')
      .description('attach the live dashboard to a running server, on this machine or elsewhere (q leaves it running)'),
  ).action(async (options) => setExitCode(await (await import('./commands/dashboard.js')).dashboard(options, shutdown)));

  withRemoteFlags(program.command('kick').description('disconnect a viewer (ids are in kayak-cast status) and bar its address for 10 minutes'))
    .argument('<viewer-id>', 'the viewer, e.g. flv-12')
    .action(async (id: string, options) => setExitCode(await (await import('./commands/admin.js')).kick(id, options)));

  withRemoteFlags(program.command('skip').description('skip to the next item of the scheduled playout'))
    .action(async (options) => setExitCode(await (await import('./commands/admin.js')).skip(options)));

  withRemoteFlags(program.command('stop-stream').description('end a stream now and disconnect its publisher'))
    .argument('<stream>', 'app/key, e.g. live/movie')
    .action(async (path: string, options) => setExitCode(await (await import('./commands/admin.js')).stopStream(path, options)));

  program
    .command('token')
    .description('print a signed link that lets its holder publish or watch one stream until it expires')
    .argument('<action>', 'publish or play')
    .argument('<stream>', 'app/key, e.g. live/movie')
    .addOption(new Option('--expires <duration>', 'how long the link works: 6h, 30m, 2d, 1h30m').default(6 * 3600, '6h').argParser(flag(durationValue)))
    .option('--config <file>', 'the server\'s config file (its secrets, ports and public host)')
    .addOption(new Option('--secret <secret>', 'the publish or play secret (default: KAYAK_PUBLISH_SECRET / KAYAK_PLAY_SECRET, or --config)').argParser(flag(secretValue)))
    .option('--public-host <name>', 'host name or IP in the link')
    .addOption(new Option('--rtmp-port <port>', 'RTMP port in the link').argParser(parsePort))
    .addOption(new Option('--http-port <port>', 'HTTP port in the link').argParser(parsePort))
    .addOption(new Option('--rtmps-port <port>', 'RTMPS port in the link').argParser(parsePort))
    .action(async (action: string, stream: string, options) => {
      if (action !== 'publish' && action !== 'play') throw new UserError(`'${action}' is not publish or play`);
      setExitCode(await (await import('./commands/token.js')).token(action, stream, options));
    });

  program
    .command('doctor')
    .description('check which ffmpeg and ffprobe playout uses, their versions and encoders, and what to install')
    .option('--ffmpeg <path>', 'ffmpeg binary to use (default: FFMPEG_PATH, the ffmpeg-static package, then PATH)')
    .option('--ffprobe <path>', 'ffprobe binary to use (default: FFPROBE_PATH, next to ffmpeg, then PATH)')
    .action(async (options) => setExitCode(await (await import('./commands/doctor.js')).doctor(options)));

  return program;
}

/** How the commands that talk to a running server find it. */
function withRemoteFlags(command: Command): Command {
  return command
    .option('--url <url>', "the server's HTTP(S) address (default: the server running on this machine)")
    .option('--token <token>', 'the admin token (default: KAYAK_ADMIN_TOKEN, or the runtime file of this machine\'s server)');
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
    .option(
      '--push <url>',
      'also publish every live stream to this RTMP(S) server ({app} and {key} are replaced); live/key=<url> for one stream; repeatable',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .addOption(
      new Option('--max-connections <n>', 'most open connections, RTMP and HTTP together (lowered to fit ulimit -n)')
        .default(DEFAULT_MAX_CONNECTIONS)
        .argParser(parseCount),
    )
    .option('--config <file>', 'read these settings from a YAML file (flags given here win); see playlists/kayak-server.yaml')
    .addOption(new Option('--publish-secret <secret>', 'lets publishers outside --publish-allow in with ?secret=<secret>').env('KAYAK_PUBLISH_SECRET').argParser(flag(secretValue)))
    .addOption(new Option('--play-secret <secret>', 'a private show: watching needs ?secret=<secret> or a signed play link').env('KAYAK_PLAY_SECRET').argParser(flag(secretValue)))
    .addOption(new Option('--publish-allow <networks>', 'networks that may publish without the secret: loopback, CIDRs, or none').argParser(flag(networksValue)))
    .addOption(new Option('--trust-proxy <networks>', "reverse proxies whose X-Forwarded-For is believed (default: 127.0.0.1,::1)").argParser(flag(networksValue)))
    .addOption(new Option('--max-viewers <n>', 'viewers admitted at once, over all streams (default: unlimited)').argParser(flag(limitValue)))
    .addOption(new Option('--max-bandwidth <rate>', 'upload budget for viewers, e.g. 8mbit or 1.5MB/s (default: unlimited)').argParser(flag(rateValue)))
    .addOption(
      new Option('--overflow <url>', 'send viewers a full room cannot take to this edge instead ({app}, {key}, {format} replaced), e.g. http://edge:8080/hls/{key}.m3u8').argParser(
        flag((value) => parseOverflowTemplate(textValue(value))),
      ),
    )
    .addOption(new Option('--max-connections-per-ip <n>', 'open connections one address may hold (default: 20)').argParser(flag(limitValue)))
    .option('--tls-cert <file>', 'PEM certificate (chain): serve HTTPS on the HTTP port and RTMPS')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .addOption(new Option('--rtmps-port <port>', 'RTMPS port, with --tls-cert (default: 1936)').argParser(flag(portValue)))
    .option('--no-dashboard', 'print plain log lines instead of the live dashboard')
    .addOption(new Option('--log-format <format>', 'log lines without the dashboard: plain or json (one object a line)').choices(['plain', 'json']).default('plain'))
    .option('--verbose', 'also print debug lines', false);
}

/** A commander argument parser from an option reader: its UserError becomes commander's usage error. */
function flag<T>(read: (value: unknown) => T): (value: string) => T {
  return (value) => {
    try {
      return read(value);
    } catch (error) {
      if (error instanceof UserError) throw new InvalidArgumentError(error.message);
      throw error;
    }
  };
}

const parsePort = flag(portValue);
const parseSeconds = flag(secondsValue);

const parseCount = flag(countValue);
