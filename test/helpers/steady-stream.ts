import { join } from 'node:path';
import { expect } from 'vitest';
import { type CliServer, type CliServerOptions, startCliServer } from './cli-server.js';
import { makeClip, mediaFrames } from './media.js';
import { type HttpFlvViewer, publishFfmpeg, waitForVideoFrames } from './players.js';
import { type ManagedProcess, startProcess, stopProcess, waitFor } from './processes.js';
import { REPO_ROOT } from './server.js';

/**
 * The bystanders of the reliability suites: `kayak-cast serve` (or `schedule`) as a child process, a real ffmpeg
 * publishing a looping clip in real time, and an HTTP-FLV viewer. The viewer runs in a process of its own
 * (arrival-viewer.mjs), so that what the test does in its own event loop cannot make the server look slow: whatever a
 * test does to the server, these must carry on, and `largestGap` is the longest the viewer waited for a tag.
 */

export interface ArrivalReport {
  /** Epoch ms. */
  at: number;
  frames: number;
  tags: number;
  gapMs: number;
  gapFrom: number;
  lastVideoTs: number;
  regressions: number;
  maxVideoStep: number;
  status: number;
  ended: string | null;
}

export interface ArrivalGap {
  ms: number;
  /** When the wait began (epoch ms). */
  from: number;
}

/** An HTTP-FLV viewer in a child process, reporting its waits four times a second. */
export class ArrivalViewer {
  readonly reports: ArrivalReport[] = [];

  private constructor(readonly process: ManagedProcess) {
    let partial = '';
    process.child.stdout?.on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') this.reports.push(JSON.parse(line) as ArrivalReport);
    });
  }

  static start(url: string): ArrivalViewer {
    return new ArrivalViewer(startProcess(process.execPath, [join(REPO_ROOT, 'test', 'helpers', 'arrival-viewer.mjs'), url], { name: 'arrival-viewer' }));
  }

  get last(): ArrivalReport | undefined {
    return this.reports.at(-1);
  }

  /** The longest wait between tags from `since` (epoch ms) until the last report. */
  largestGap(since: number): ArrivalGap {
    let largest: ArrivalGap = { ms: 0, from: since };
    for (const r of this.reports) {
      if (r.at <= since) continue;
      const ms = r.gapFrom < since ? r.gapFrom + r.gapMs - since : r.gapMs;
      if (ms > largest.ms) largest = { ms, from: Math.max(since, r.gapFrom) };
    }
    return largest;
  }

  /** Resolves once `more` video frames beyond the current count have arrived. */
  async moreFrames(more: number, timeoutMs = 15_000): Promise<void> {
    const target = (this.last?.frames ?? 0) + more;
    await waitFor(() => (this.last?.frames ?? 0) >= target, { timeoutMs, intervalMs: 100, what: `${more} more video frames at the steady viewer` });
  }

  /** Why the viewer is not watching any more, or undefined while it is. */
  problem(): string | undefined {
    if (this.process.exit !== null) return `the steady viewer's process exited: ${JSON.stringify(this.process.exit)} ${this.process.stderr()}`;
    const ended = this.last?.ended;
    return ended === null || ended === undefined ? undefined : `the steady viewer's connection ended (${ended})`;
  }

  stop(): Promise<unknown> {
    return stopProcess(this.process);
  }
}

export interface SteadyStream {
  readonly server: CliServer;
  readonly publisher: ManagedProcess;
  readonly viewer: ArrivalViewer;
  readonly key: string;
  /** Now, on the clock of the viewer's reports (epoch ms). */
  mark(): number;
  /** The longest wall-clock wait between two tags the viewer received from `since` until now, in ms. */
  largestGapSince(since: number): number;
  /** The same gap and when it began. */
  largestGap(since: number): ArrivalGap;
  /** Resolves once the viewer has `more` video frames beyond what it had. */
  moreFrames(more: number, timeoutMs?: number): Promise<void>;
  /** Problems with the bystanders (server or publisher gone, viewer cut off), empty when all is well. */
  problems(): string[];
  stop(): Promise<void>;
}

export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

export async function startSteadyStream(opts: { key?: string; server?: CliServerOptions } = {}): Promise<SteadyStream> {
  const key = opts.key ?? 'steady';
  const clip = await makeClip({ seconds: 5, width: 640, height: 360, fps: 25 });
  const server = await startCliServer(opts.server);
  const publisher = publishFfmpeg(server.rtmpUrl(key), clip, { loop: true });
  const viewer = await waitFor(
    async () => {
      const v = ArrivalViewer.start(server.flvUrl(key));
      await waitFor(() => v.last !== undefined && (v.last.status !== 0 || v.last.ended !== null), { timeoutMs: 10_000, intervalMs: 50 });
      if (v.last?.status === 200) return v;
      await v.stop();
      if (publisher.exit !== null) throw new Error(`the publisher exited: ${publisher.output()}`);
      return undefined;
    },
    { timeoutMs: 20_000, intervalMs: 250, what: `${key} to be playable` },
  );
  await viewer.moreFrames(10);
  return {
    server,
    publisher,
    viewer,
    key,
    mark: epochNow,
    largestGapSince: (since) => viewer.largestGap(since).ms,
    largestGap: (since) => viewer.largestGap(since),
    moreFrames: (more, timeoutMs) => viewer.moreFrames(more, timeoutMs),
    problems: () => [
      ...(server.alive() ? [] : [`the server exited: ${JSON.stringify(server.process.exit)}\n${server.process.stderr().slice(-2000)}`]),
      ...(publisher.exit === null ? [] : [`the steady publisher stopped: ${JSON.stringify(publisher.exit)}`]),
      ...(viewer.problem() === undefined ? [] : [viewer.problem() as string]),
      ...((viewer.last?.regressions ?? 0) > 0 ? [`the steady viewer saw video timestamps go back ${viewer.last?.regressions} times`] : []),
    ],
    stop: async () => {
      await viewer.stop();
      await stopProcess(publisher);
      await server.stop();
    },
  };
}

/**
 * The check hostile-input tests make after each attack on an in-process server: the steady publisher and viewer are
 * still going (more frames arrive, nobody was disconnected).
 */
export async function expectSteadyStreamUnharmed(publisher: ManagedProcess, watcher: HttpFlvViewer): Promise<void> {
  const before = mediaFrames(watcher.tags, 'video').length;
  await waitForVideoFrames(watcher, before + 10, 10_000);
  expect(publisher.exit, publisher.output()).toBeNull();
  expect(watcher.finish).toBeUndefined();
}
