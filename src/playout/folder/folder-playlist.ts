/**
 * A folder (or files, or a glob) as a playlist: its movies in natural order, each titled by its container's title tag
 * or its cleaned file name, with the subtitle file beside it, copied or re-encoded as `auto` decides.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { findSidecars } from '../subtitles/sidecar.js';
import { UserError } from '../../errors.js';
import type { FfmpegTools } from '../ffmpeg-locate.js';
import { ProbeError } from '../ffmpeg-probe.js';
import type { MediaProbe } from '../media-probe.js';
import { DEFAULT_END_SLATE_S, DEFAULT_OUTPUT, type Playlist, streamKeyFrom } from '../playlist.js';
import { type ProbeCache, type ProbeProgress, probeEach } from '../probe-pool.js';
import { commonFolder, scanSources, sourcesName } from './source-scan.js';
import { cleanTitle, titleFromFileName } from './title-clean.js';

export interface FolderPlaylist {
  playlist: Playlist;
  /** The probes of the movies (also in the cache handed in), one per item. */
  probes: MediaProbe[];
  /** Files left out because they do not play, each with the reason. */
  skipped: { file: string; reason: string }[];
  /** Per item, the subtitle files beside it (what `subtitles: auto` chooses from). */
  sidecars?: string[][];
}

/** A title tag that is an address or an advert rather than the film's name. */
const JUNK_TITLE = /https?:|www\.|\.(?:com|net|org|cc|tv)\b|@/i;

/** The title of a movie: its container's title tag when that is a name, else its cleaned file name. */
export function movieTitle(file: string, probe: MediaProbe | undefined): string {
  const tag = probe?.title;
  if (tag !== undefined && !JUNK_TITLE.test(tag)) return cleanTitle(tag);
  return titleFromFileName(basename(file));
}

/**
 * Scans `sources` and probes what it finds (a few at a time, with progress); a file that does not play is left out
 * and listed. Throws UserError when nothing is left to play.
 */
export async function folderPlaylist(
  sources: readonly string[],
  tools: FfmpegTools,
  options: { cwd?: string; signal?: AbortSignal; onProgress?: ProbeProgress; cache?: ProbeCache } = {},
): Promise<FolderPlaylist> {
  const files = scanSources(sources, options.cwd !== undefined ? { cwd: options.cwd } : {});
  const results = await probeEach(tools, files, options);
  const skipped: FolderPlaylist['skipped'] = [];
  const playable: { file: string; probe: MediaProbe }[] = [];
  results.forEach((result, i) => {
    const file = files[i] as string;
    if (result instanceof ProbeError) skipped.push({ file, reason: result.detail });
    else playable.push({ file, probe: result });
  });
  if (playable.length === 0) {
    throw new UserError(`${sources.join(' ')}: none of its movies plays (${skipped.map((s) => `${basename(s.file)}: ${s.reason}`).join('; ')})`);
  }
  const playlist: Playlist = {
    file: commonFolder(files),
    displayFile: sources.join(' '),
    stream: streamKeyFrom(sourcesName(files)),
    loop: false,
    endSlateS: DEFAULT_END_SLATE_S,
    transcode: 'auto',
    output: { ...DEFAULT_OUTPUT },
    subtitles: { default: 'auto', languages: [] },
    audioLanguages: [],
    breakS: 0,
    showTitlesS: 0,
    items: playable.map(({ file, probe }, index) => ({ index, title: movieTitle(file, probe), source: { kind: 'file', path: file }, line: 0 })),
  };
  const listings = new Map<string, string[]>();
  const sidecars = playable.map(({ file }) => {
    const folder = dirname(file);
    if (!listings.has(folder)) listings.set(folder, listFolder(folder));
    return findSidecars(basename(file), listings.get(folder) ?? []).map((sidecar) => sidecar.name);
  });
  return { playlist, probes: playable.map((entry) => entry.probe), skipped, sidecars };
}

function listFolder(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}
