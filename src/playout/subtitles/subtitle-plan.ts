/**
 * Turning an item's `subtitles:` into something ffmpeg can burn in, before air time: the file found beside the movie
 * or named by the playlist, read in its encoding and rewritten as UTF-8 when it is not; an embedded text track taken
 * out of the movie into a file; an embedded picture track overlaid as it is.
 */
import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { fileInput } from '../ffmpeg-commands.js';
import { lastLine, runTool } from '../ffmpeg-locate.js';
import type { MediaProbe, SubtitleProbe } from '../media-probe.js';
import { chooseSubtitleTrack, describeTrack } from '../tracks/track-choice.js';
import type { BurnIn } from './burn-in.js';
import { SUBTITLE_EXTENSIONS, chooseSidecar, findSidecars } from './sidecar.js';
import type { SubtitleSpec } from './subtitle-spec.js';
import type { SubtitleWorkspace } from './subtitle-workspace.js';
import { decodeSubtitleText } from './text-encoding.js';

/** A subtitle file larger than this is not text people wrote (ASS files with embedded fonts reach a few MB). */
export const MAX_SUBTITLE_FILE_BYTES = 32 * 1024 * 1024;
/** Taking a text track out of a movie reads the whole file: a few GB from a slow disk gets this long. */
export const SUBTITLE_EXTRACT_TIMEOUT_MS = 10 * 60_000;

export interface PlannedSubtitles {
  burn: BurnIn;
  /** What the timetable shows: `Movie.zh.srt (gb18030)`, `track 3 chi`, `track 4 eng (pictures)`. */
  label: string;
  /** The subtitle text, when it was read (to see whether it needs a CJK font). */
  text?: string;
}

export type SubtitleOutcome = { subtitles: PlannedSubtitles | undefined } | { problem: string };

export interface SubtitleContext {
  ffmpeg: string;
  workspace: SubtitleWorkspace;
  /** The playlist's preferred subtitle languages, best first. */
  languages: readonly string[];
  /** `force_style` from `subtitle_style`, for everything but ASS/SSA (which keeps its own styling). */
  forceStyle?: string;
  signal?: AbortSignal;
}

/** Resolves `spec` for the movie at `movie`: what to burn in, nothing, or the problem that stops it. */
export async function planSubtitles(spec: SubtitleSpec, movie: string, probe: MediaProbe, context: SubtitleContext): Promise<SubtitleOutcome> {
  switch (spec.kind) {
    case 'none':
      return { subtitles: undefined };
    case 'file':
      return fromFile(spec.path, spec.encoding, context);
    case 'track':
      return fromTrack(chooseSubtitleTrack(probe.subtitleTracks ?? [], spec.track, context.languages), movie, probe, context);
    case 'auto': {
      const sidecar = chooseSidecar(findSidecars(basename(movie), listFolder(dirname(movie))), context.languages);
      if (sidecar !== undefined) return fromFile(join(dirname(movie), sidecar.name), undefined, context);
      return fromTrack(chooseSubtitleTrack(probe.subtitleTracks ?? [], undefined, context.languages), movie, probe, context);
    }
  }
}

async function fromFile(path: string, encoding: string | undefined, context: SubtitleContext): Promise<SubtitleOutcome> {
  const extension = extname(path).toLowerCase();
  if (!SUBTITLE_EXTENSIONS.has(extension)) return { problem: `${path} is not a subtitle file ffmpeg renders (${[...SUBTITLE_EXTENSIONS].join(', ')})` };
  let size: number;
  try {
    size = statSync(path).size;
  } catch (error) {
    return { problem: `cannot read the subtitles ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String((error as Error).message)}` };
  }
  if (size > MAX_SUBTITLE_FILE_BYTES) return { problem: `${path} is ${Math.round(size / 1048576)} MiB, more than a subtitle file's ${MAX_SUBTITLE_FILE_BYTES / 1048576} MiB` };
  let bytes: Buffer;
  try {
    bytes = await readFile(path, context.signal ? { signal: context.signal } : {});
  } catch (error) {
    if (context.signal?.aborted) throw error;
    return { problem: `cannot read the subtitles ${path}: ${(error as Error).message}` };
  }
  const decoded = decodeSubtitleText(bytes, encoding);
  // libass reads UTF-8; anything else (a byte order mark included) is written out again as plain UTF-8.
  const plain = decoded.encoding === 'utf-8' && !decoded.bom;
  const file = plain ? path : context.workspace.writeText(decoded.text, extension);
  const styled = extension === '.ass' || extension === '.ssa';
  return {
    subtitles: {
      burn: { form: 'text', file, ...(!styled && context.forceStyle !== undefined ? { forceStyle: context.forceStyle } : {}) },
      label: `${basename(path)}${plain ? '' : ` (${decoded.encoding}${decoded.bom ? ' with BOM' : ''})`}`,
      text: decoded.text,
    },
  };
}

async function fromTrack(
  choice: ReturnType<typeof chooseSubtitleTrack>,
  movie: string,
  probe: MediaProbe,
  context: SubtitleContext,
): Promise<SubtitleOutcome> {
  if (choice === undefined) return { subtitles: undefined };
  if (!choice.ok) return { problem: choice.problem };
  const track = choice.track;
  const number = (probe.subtitleTracks ?? []).indexOf(track) + 1;
  const label = `track ${describeTrack(track, number)}`;
  if (track.form === 'image') {
    if (probe.video === undefined) return { problem: `subtitle ${label} is pictures, and the file has no video to put them on` };
    return { subtitles: { burn: { form: 'image', streamIndex: track.index }, label: `${label} (${track.codec}, pictures)` } };
  }
  const extracted = await extractTextTrack(movie, track, context);
  if ('problem' in extracted) return extracted;
  const styled = track.codec === 'ass' || track.codec === 'ssa';
  return {
    subtitles: {
      burn: { form: 'text', file: extracted.file, ...(!styled && context.forceStyle !== undefined ? { forceStyle: context.forceStyle } : {}) },
      label,
      text: extracted.text,
    },
  };
}

/**
 * Takes a text track out of the movie as ASS (styling kept, SubRip and mov_text converted), once before air time:
 * the subtitles filter would otherwise read the whole movie each time the item starts.
 */
async function extractTextTrack(movie: string, track: SubtitleProbe, context: SubtitleContext): Promise<{ file: string; text: string } | { problem: string }> {
  const file = context.workspace.path('.ass');
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-i', fileInput(movie), '-map', `0:${track.index}`, '-c:s', 'ass', '-f', 'ass', file];
  const r = await runTool(context.ffmpeg, args, { timeoutMs: SUBTITLE_EXTRACT_TIMEOUT_MS, ...(context.signal ? { signal: context.signal } : {}) });
  if (r.code !== 0) return { problem: `cannot read subtitle track ${track.index} (${track.codec}) of ${movie}: ${lastLine(r.stderr) ?? `ffmpeg exited with ${r.code ?? r.signal}`}` };
  const text = await readFile(file, 'utf8');
  return { file, text };
}

function listFolder(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}
