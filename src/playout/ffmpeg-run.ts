import type { Readable } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';
import type { Logger } from '../util/logger.js';
import { FLV_OUTPUT, type FfmpegCommand, commandLine } from './ffmpeg-commands.js';

/** Scheduling priority of playout ffmpegs (0 normal, 19 lowest). */
const FFMPEG_NICENESS = 5;
/** Lines of ffmpeg's stderr kept for the error message when it fails. */
const STDERR_TAIL_LINES = 8;

export class FfmpegError extends Error {
  constructor(
    message: string,
    readonly command: string,
    readonly stderrTail: string,
  ) {
    super(`${message}\n  command: ${command}\n  ffmpeg said: ${stderrTail || '(nothing)'}`);
    this.name = 'FfmpegError';
  }
}

export interface RunningFfmpeg {
  /** ffmpeg's stdout: with backpressure, so a paused reader stops ffmpeg. */
  readonly stdout: Readable;
  /** Settles when ffmpeg exits: resolves on success or when killed by us, rejects with FfmpegError otherwise. */
  readonly done: Promise<void>;
  kill(): void;
}

/** Runs one playout ffmpeg through fluent-ffmpeg; an abort kills it (no orphan outlives the show). */
export function runFfmpeg(ffmpegPath: string, command: FfmpegCommand, logger: Logger, signal?: AbortSignal): RunningFfmpeg {
  const line = commandLine(ffmpegPath, command);
  // Niced: ffmpeg works ahead of real time, so it can yield the CPU to the pacer and the server, whose timing matters.
  const builder = ffmpeg({ stdoutLines: 0, niceness: FFMPEG_NICENESS }).setFfmpegPath(ffmpegPath);
  for (const input of command.inputs) builder.input(input.source).inputOptions(input.options);
  builder.outputOptions([...command.output, ...FLV_OUTPUT]);
  const stderr: string[] = [];
  let killed = false;
  const kill = () => {
    if (killed) return;
    killed = true;
    builder.kill('SIGKILL');
  };
  const done = new Promise<void>((resolve, reject) => {
    builder.on('start', () => {
      logger.log('debug', `ffmpeg: ${line}`);
      // fluent-ffmpeg spawns asynchronously: a kill asked for before the child existed happens now.
      if (killed) builder.kill('SIGKILL');
    });
    builder.on('stderr', (text: string) => {
      stderr.push(text);
      if (stderr.length > STDERR_TAIL_LINES) stderr.shift();
    });
    builder.on('end', () => resolve());
    builder.on('error', (error: Error) => {
      if (killed) resolve();
      else reject(new FfmpegError(`ffmpeg failed: ${error.message.split('\n')[0] ?? ''}`, line, stderr.join('\n')));
    });
  });
  // The caller looks at `done` when it is ready to; until then a failure must not count as unhandled.
  done.catch(() => {});
  if (signal?.aborted) kill();
  else signal?.addEventListener('abort', kill, { once: true });
  // The show's signal lives as long as the show: a listener left on it would keep every finished ffmpeg (its child
  // process, streams and buffered output) for good, one more per item (found by the soak: 60 KB of heap per item).
  const forget = () => signal?.removeEventListener('abort', kill);
  done.then(forget, forget);
  const stdout = builder.pipe() as Readable;
  return { stdout, done, kill };
}
