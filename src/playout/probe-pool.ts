/**
 * Probing many files: a few at a time (each probe can take a second on a slow disk, and the machine may have two
 * cores), with progress for a terminal (`probing 12/40: Amélie.mkv`), and each file probed once per show.
 */
import { basename } from 'node:path';
import { mapLimit } from '../util/map-limit.js';
import type { FfmpegTools } from './ffmpeg-locate.js';
import { ProbeError, probeMedia } from './ffmpeg-probe.js';
import type { MediaProbe } from './media-probe.js';

/** Files probed at once. */
export const PROBE_CONCURRENCY = 4;

/** Called as each probe starts: the how-manieth of how many, and the file's name. */
export type ProbeProgress = (progress: { number: number; total: number; name: string }) => void;

/** Probes already done (by path), so a folder probed for its titles is not probed again for the show. */
export type ProbeCache = Map<string, MediaProbe>;

/** `probing 12/40: Amélie.mkv` */
export function progressLine(progress: { number: number; total: number; name: string }): string {
  return `probing ${progress.number}/${progress.total}: ${progress.name}`;
}

/** Probes `paths` (PROBE_CONCURRENCY at a time): each a probe, or the ProbeError that says why it cannot play. */
export async function probeEach(
  tools: FfmpegTools,
  paths: readonly string[],
  options: { signal?: AbortSignal; onProgress?: ProbeProgress; cache?: ProbeCache } = {},
): Promise<(MediaProbe | ProbeError)[]> {
  const { cache, onProgress, signal } = options;
  const pending = [...new Set(paths.filter((path) => !cache?.has(path)))];
  let started = 0;
  const found = new Map<string, MediaProbe | ProbeError>();
  await mapLimit(pending, PROBE_CONCURRENCY, async (path) => {
    onProgress?.({ number: ++started, total: pending.length, name: basename(path) });
    try {
      const probe = await probeMedia(tools, path, signal ? { signal } : {});
      found.set(path, probe);
      cache?.set(path, probe);
    } catch (error) {
      if (!(error instanceof ProbeError)) throw error;
      found.set(path, error);
    }
  });
  return paths.map((path) => cache?.get(path) ?? (found.get(path) as MediaProbe | ProbeError));
}
