/**
 * The checks a show passes before air time, each adding problems with the playlist's line and field rather than
 * stopping at the first: files probed, generated patterns looked up in this ffmpeg, every command tried for a moment.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { videoSources } from './ffmpeg-capabilities.js';
import type { FfmpegTools } from './ffmpeg-locate.js';
import { ProbeError } from './ffmpeg-probe.js';
import { type ProbeCache, type ProbeProgress, probeEach } from './probe-pool.js';
import { TRIAL_SECONDS, TRIAL_TIMEOUT_MS, trialRun } from './ffmpeg-trial.js';
import { fileInput } from './ffmpeg-commands.js';
import { runTool } from './ffmpeg-locate.js';
import type { MediaProbe } from './media-probe.js';
import { MEDIA_EXTENSIONS } from './folder/media-files.js';
import { mapLimit } from '../util/map-limit.js';
import type { Playlist, PlaylistProblem } from './playlist.js';
import { type CommandContext, fillerCommand, itemCommand, slateCommand } from './segment-commands.js';

/** Trial runs at once: each encodes for a moment, and the machine may have two cores. */
const TRIAL_CONCURRENCY = 2;
/** Files of a `filler` folder used at most (in name order); the rest are left out. */
export const MAX_FILLER_FILES = 100;

/**
 * Probes every item's file and the filler (a few at a time, with progress; files in `cache` are not probed again);
 * a file that cannot be probed is a problem at its line.
 */
export async function probeFiles(
  playlist: Playlist,
  tools: FfmpegTools,
  problems: PlaylistProblem[],
  options: { signal?: AbortSignal; onProgress?: ProbeProgress; cache?: ProbeCache } = {},
): Promise<{ probes: (MediaProbe | undefined)[]; filler: { path: string; probe: MediaProbe }[] }> {
  const fillerPaths = fillerFiles(playlist, problems);
  const itemPaths = playlist.items.flatMap((item) => (item.source.kind === 'file' ? [item.source.path] : []));
  const results = new Map<string, MediaProbe | ProbeError>();
  const paths = [...itemPaths, ...fillerPaths];
  (await probeEach(tools, paths, options)).forEach((result, i) => results.set(paths[i] as string, result));
  const verdict = (path: string, where: Omit<PlaylistProblem, 'message'>): MediaProbe | undefined => {
    const result = results.get(path);
    if (!(result instanceof ProbeError)) return result;
    problems.push({ ...where, message: `cannot play ${path}: ${result.detail}` });
    return undefined;
  };
  const probes = playlist.items.map((item) =>
    item.source.kind === 'file' ? verdict(item.source.path, { line: item.line, field: `items[${item.index}].file` }) : undefined,
  );
  const filler = fillerPaths.flatMap((path) => {
    const found = verdict(path, { line: playlist.fillerLine ?? 0, field: 'filler' });
    return found === undefined ? [] : [{ path, probe: found }];
  });
  return { probes, filler };
}

/** The `filler` file, or the media files of the `filler` folder in name order (at most MAX_FILLER_FILES). */
function fillerFiles(playlist: Playlist, problems: PlaylistProblem[]): string[] {
  const filler = playlist.filler;
  if (filler === undefined) return [];
  const where = { line: playlist.fillerLine ?? 0, field: 'filler' };
  if (!existsSync(filler)) {
    problems.push({ ...where, message: `${filler} does not exist` });
    return [];
  }
  if (!statSync(filler).isDirectory()) return [filler];
  const files = readdirSync(filler)
    .filter((name) => MEDIA_EXTENSIONS.has(extname(name).toLowerCase()))
    .sort()
    .slice(0, MAX_FILLER_FILES);
  if (files.length === 0) problems.push({ ...where, message: `the folder ${filler} has no media files (${[...MEDIA_EXTENSIONS].join(', ')})` });
  return files.map((name) => join(filler, name));
}

/** Every `generate` pattern must be a video source of this ffmpeg (5.1 has no zoneplate, for one). */
export async function checkPatterns(playlist: Playlist, tools: FfmpegTools, problems: PlaylistProblem[], signal?: AbortSignal): Promise<void> {
  const generated = playlist.items.filter((item) => item.source.kind === 'generated');
  if (generated.length === 0) return;
  const { version, sources } = await videoSources(tools.ffmpeg, signal ? { signal } : {});
  for (const item of generated) {
    if (item.source.kind !== 'generated' || sources.has(item.source.pattern)) continue;
    const usable = ['testsrc2', 'smptebars', 'smptehdbars', 'testsrc', 'pal75bars', 'rgbtestsrc'].filter((name) => sources.has(name));
    problems.push({
      line: item.line,
      field: `items[${item.index}].generate.pattern`,
      message: `this ffmpeg (${version}, ${tools.ffmpeg}) has no '${item.source.pattern}' source; it has ${usable.join(', ') || 'none of the test cards'}`,
    });
  }
}

/**
 * Plays every item (from its `in`), every filler file and one slate for TRIAL_SECONDS through this ffmpeg, as they
 * will play at air time: what a probe cannot tell (a stream map, a decoder, a filter, a font) fails now, not then.
 */
export async function tryEverything(
  playlist: Playlist,
  show: { probes: (MediaProbe | undefined)[]; filler: { path: string; probe: MediaProbe }[]; context: CommandContext },
  tools: FfmpegTools,
  problems: PlaylistProblem[],
  signal?: AbortSignal,
): Promise<void> {
  const trials = [
    ...playlist.items.map((item) => ({
      where: { line: item.line, field: `items[${item.index}].${item.source.kind === 'file' ? 'file' : 'generate'}` },
      what: item.source.kind === 'file' ? item.source.path : `the generated '${item.source.pattern}' card`,
      command: () => itemCommand(show.context, item, show.probes[item.index], item.inS ?? 0, TRIAL_SECONDS),
    })),
    ...show.filler.map((file) => ({
      where: { line: playlist.fillerLine ?? 0, field: 'filler' },
      what: file.path,
      command: () => fillerCommand(show.context, file, 0, TRIAL_SECONDS),
    })),
    {
      // The overlay goes on every picture: a picture ffmpeg cannot read shows on the slate first.
      where: playlist.overlay?.image !== undefined ? { line: playlist.overlayLine ?? 0, field: 'overlay.image' } : { line: 0, field: '' },
      what: `a slate (text on a plain picture: ffmpeg needs drawtext, libfreetype and a font${playlist.overlay?.image !== undefined ? `; and the overlay ${playlist.overlay.image}` : ''})`,
      command: () => slateCommand(show.context, ['kayak-cast', 'Starts at 21:00'], TRIAL_SECONDS),
    },
  ];
  // An item played twice (a file in several places of the playlist) is tried once; each place gets the verdict.
  const verdicts = new Map<string, Promise<string | undefined>>();
  await mapLimit(trials, TRIAL_CONCURRENCY, async (trial) => {
    const command = trial.command();
    const key = JSON.stringify(command);
    let verdict = verdicts.get(key);
    if (verdict === undefined) {
      verdict = trialRun(tools.ffmpeg, command, { audio: true, ...(signal ? { signal } : {}) }).then((result) => result.problem);
      verdicts.set(key, verdict);
    }
    const problem = await verdict;
    if (problem !== undefined) problems.push({ ...trial.where, message: `ffmpeg cannot play ${trial.what}: ${problem}` });
  });
}

/** How near its end a file is sampled to see whether it really runs that long. */
const END_SAMPLE_S = 1;

/**
 * Warns about files that end before their header says (a download cut short, a faststart MP4 cut in half): the
 * header promises the length, so the file passes every other check, and at air time the rest of its slot gets the
 * "unavailable" slate. Each file is read for a moment near its planned end (`out`, else its length).
 */
export async function checkEnds(
  playlist: Playlist,
  show: { probes: (MediaProbe | undefined)[]; durationsS: number[] },
  tools: FfmpegTools,
  warnings: PlaylistProblem[],
  signal?: AbortSignal,
): Promise<void> {
  const sampled = new Map<string, Promise<number>>();
  await mapLimit(playlist.items, TRIAL_CONCURRENCY, async (item) => {
    const probe = show.probes[item.index];
    if (item.source.kind !== 'file' || probe === undefined) return;
    const stream = probe.video ?? probe.audio;
    if (stream === undefined) return;
    const endS = (item.inS ?? 0) + (show.durationsS[item.index] ?? 0);
    const fromS = Math.max(item.inS ?? 0, endS - END_SAMPLE_S);
    const args = ['-hide_banner', '-nostdin', '-v', 'error', '-ss', String(fromS), '-i', fileInput(item.source.path), '-map', `0:${stream.index}`, '-t', String(END_SAMPLE_S / 2), '-f', 'framecrc', '-'];
    const key = args.join('\0');
    let frames = sampled.get(key);
    if (frames === undefined) {
      frames = runTool(tools.ffmpeg, args, { timeoutMs: TRIAL_TIMEOUT_MS, ...(signal ? { signal } : {}) }).then(
        (r) => r.stdout.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length,
      );
      sampled.set(key, frames);
    }
    if ((await frames) === 0) {
      warnings.push({
        line: item.line,
        field: `items[${item.index}].file`,
        message: `${item.source.path} has nothing to play near ${endS.toFixed(1)} s though its header says so (cut short?); if it ends early at air time, a slate fills the rest of its slot`,
      });
    }
  });
}
