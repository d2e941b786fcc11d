import { CLI_BIN, REPO_ROOT, cliEnv } from './server.js';
import { readMemory } from './proc.js';
import { startProcess, stopProcess, waitForOutput } from './processes.js';
import type { ManagedProcess } from './processes.js';

/**
 * The built CLI (`serve` or `schedule`) as a child process on ports 0, so that it can be measured from /proc and
 * killed by its pid, and so that a crash shows as the process exiting. It logs JSON lines (`--log-format json`),
 * which the helper reads as they come: the first one names the bound ports, the rest are kept for the checks.
 */

export interface CliLogLine {
  level: string;
  message: string;
  /** The raw line (its first RAW_KEEP_CHARS characters) and its full length. */
  raw: string;
  length: number;
  /** Printed before the server was up (up to and including the 'serving' line). */
  startup: boolean;
  [field: string]: unknown;
}

export interface CliServer {
  readonly process: ManagedProcess;
  readonly pid: number;
  readonly rtmpPort: number;
  readonly httpPort: number;
  /** Every JSON log line so far (lines are parsed as they arrive; the raw text of long ones is kept whole). */
  readonly log: CliLogLine[];
  /** Bytes the server wrote to stdout and stderr so far. */
  outputBytes(): number;
  /**
   * Lines since start-up that say something went wrong on our side: error level, or text outside the logger (a stack
   * trace). Before the server is up, `schedule` prints its timetable as plain text; that does not count.
   */
  errorLines(): string[];
  rtmpUrl(key: string): string;
  flvUrl(key: string): string;
  httpUrl(path: string): string;
  /** VmRSS in bytes (NaN once the process is gone). */
  rss(): number;
  alive(): boolean;
  stop(): Promise<void>;
}

export interface CliServerOptions {
  /** `serve` (default) or `schedule <playlist>`. */
  command?: 'serve' | 'schedule';
  playlist?: string;
  /** Flags after the ports and log format, e.g. ['--grace', '2']. */
  args?: readonly string[];
  /** Starts the CLI through `bash -c 'ulimit -n N; exec node ...'`, so the server runs with a lowered fd limit. */
  fileDescriptorLimit?: number;
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the ports (default 30 s). */
  startTimeoutMs?: number;
  /** Keep at most this many log lines (the oldest are dropped; default 200,000). */
  maxLogLines?: number;
  /**
   * --max-connections-per-ip: unlimited by default here, because every client of these suites (the bystanders and
   * the hundreds of hostile or faulty connections alike) comes from 127.0.0.1.
   */
  maxConnectionsPerIp?: number | 'unlimited';
}

const DEFAULT_MAX_LOG_LINES = 200_000;
/** A hostile client may get megabytes into one line (issue 8, item 6): keep its length, not all of it. */
const RAW_KEEP_CHARS = 4096;

export async function startCliServer(options: CliServerOptions = {}): Promise<CliServer> {
  const command = options.command ?? 'serve';
  const cliArgs = [
    command,
    ...(command === 'schedule' ? [options.playlist ?? 'playlists/demo.yaml'] : []),
    '--host', '127.0.0.1', '--rtmp-port', '0', '--http-port', '0', '--no-dashboard', '--log-format', 'json',
    '--max-connections-per-ip', String(options.maxConnectionsPerIp ?? 'unlimited'),
    ...(options.args ?? []),
  ];
  const env = options.env ?? cliEnv();
  const name = `kayak-cast ${command}`;
  // The bin itself, as a user runs it: its shebang sets the runtime flags that keep memory flat (MALLOC_ARENA_MAX,
  // the young-generation size), and memory is what these suites measure.
  const child =
    options.fileDescriptorLimit === undefined
      ? startProcess(CLI_BIN, cliArgs, { cwd: REPO_ROOT, env, name })
      : startProcess('bash', ['-c', `ulimit -n ${options.fileDescriptorLimit} && exec "$0" "$@"`, CLI_BIN, ...cliArgs], { cwd: REPO_ROOT, env, name });
  const log: CliLogLine[] = [];
  const maxLines = options.maxLogLines ?? DEFAULT_MAX_LOG_LINES;
  let bytes = 0;
  let partial = '';
  let up = false;
  child.child.stdout?.on('data', (text: string) => {
    bytes += Buffer.byteLength(text);
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const raw of lines) {
      if (raw.trim() === '') continue;
      const line = parseLine(raw, !up);
      up ||= line.event === 'serving';
      log.push(line);
      if (log.length > maxLines) log.splice(0, log.length - maxLines);
    }
  });
  child.child.stderr?.on('data', (text: string) => {
    bytes += Buffer.byteLength(text);
  });
  const serving = await waitForOutput(child, /"event":"serving"[^\n]*"rtmpPort":(\d+),"httpPort":(\d+)/, options.startTimeoutMs ?? 30_000);
  const rtmpPort = Number(serving[1]);
  const httpPort = Number(serving[2]);
  return {
    process: child,
    pid: child.pid,
    rtmpPort,
    httpPort,
    log,
    outputBytes: () => bytes,
    errorLines: () => log.filter((l) => !l.startup && (l.level === 'error' || l.level === 'raw')).map((l) => l.raw.slice(0, 400)),
    rtmpUrl: (key) => `rtmp://127.0.0.1:${rtmpPort}/live/${key}`,
    flvUrl: (key) => `http://127.0.0.1:${httpPort}/live/${key}.flv`,
    httpUrl: (path) => `http://127.0.0.1:${httpPort}${path}`,
    rss: () => readMemory(child.pid)?.rss ?? NaN,
    alive: () => child.exit === null,
    stop: async () => {
      await stopProcess(child, 'SIGTERM', 10_000);
    },
  };
}

function parseLine(line: string, startup: boolean): CliLogLine {
  const raw = line.slice(0, RAW_KEEP_CHARS);
  try {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    const message = String(parsed['message'] ?? '').slice(0, RAW_KEEP_CHARS);
    return { event: parsed['event'], level: String(parsed['level'] ?? '?'), message, raw, length: line.length, startup };
  } catch {
    // Not JSON: a stack trace or anything else printed outside the logger.
    return { level: 'raw', message: raw, raw, length: line.length, startup };
  }
}
