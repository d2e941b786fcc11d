/**
 * A playlist file: read, validate, and turn into the typed Playlist the timetable and playout use.
 * Every problem is reported with file, line and field; all problems at once, one per line.
 * Whether the files exist is the probe's business, not ours.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, extname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { fieldPath, keyOffset, nodeOffset, suggestion } from './playlist-lines.js';

export { fieldPath, suggestion };
import { UserError } from '../errors.js';
import { MAX_STREAM_KEY_LENGTH } from '../media/stream-key.js';
import { GENERATED_PATTERNS, describeValue, issueMessage, knownKeysAt, playlistSchema } from './playlist-schema.js';
import type { PlaylistYaml } from './playlist-schema.js';
import type { StartSpec } from './at-option.js';
import type { OVERLAY_POSITIONS } from './playlist-viewing-schema.js';
import type { SubtitleSpec } from './subtitles/subtitle-spec.js';
import type { SubtitleStyle } from './subtitles/subtitle-style.js';
import type { TrackSpec } from './tracks/track-choice.js';

export type { StartSpec };

export type TranscodeMode = 'auto' | 'copy' | 'normalize';

/** How long the end slate stays on after the last item when the playlist does not say (`end_slate`). */
export const DEFAULT_END_SLATE_S = 600;

export interface OutputProfile {
  width: number;
  height: number;
  fps: number;
  /** bit/s */
  videoBitrate: number;
  /** bit/s */
  audioBitrate: number;
  sampleRate: number;
}

export const DEFAULT_OUTPUT: OutputProfile = Object.freeze({
  width: 1280,
  height: 720,
  fps: 30,
  videoBitrate: 2_500_000,
  audioBitrate: 128_000,
  sampleRate: 48_000,
});

export type GeneratedPattern = (typeof GENERATED_PATTERNS)[number];

export type ItemSource =
  | { kind: 'file'; path: string /* absolute, resolved relative to the YAML file */ }
  /** `toneHz` absent: the item is silent. */
  | { kind: 'generated'; pattern: GeneratedPattern; seconds: number; toneHz?: number };

export interface PlaylistItem {
  /** 0-based position in `items`, as in the messages' `items[i]`. */
  index: number;
  title: string;
  source: ItemSource;
  inS?: number;
  outS?: number;
  at?: StartSpec;
  /** The item's own `subtitles` (else the playlist's default applies). */
  subtitles?: SubtitleSpec;
  /** The item's own `audio: { track }` (else the playlist's languages, else the file's default track). */
  audio?: TrackSpec;
  /** 1-based line of the item in the YAML. */
  line: number;
}

export interface Playlist {
  /** Absolute path of the YAML file. */
  file: string;
  /** The path as the user wrote it, for messages (falls back to `file`). */
  displayFile?: string;
  stream: string;
  start?: StartSpec;
  timezone?: string;
  loop: boolean;
  /** Seconds of end slate after the last item (no loop); then the stream ends and `schedule` exits. */
  endSlateS: number;
  transcode: TranscodeMode;
  output: OutputProfile;
  /** Absolute file or folder. */
  filler?: string;
  /** 1-based line of `filler` in the YAML, for messages about its files. */
  fillerLine?: number;
  /** What items without their own `subtitles` get (`auto`: a file beside the movie, else a preferred track). */
  subtitles: { default: 'auto' | 'none'; languages: string[] };
  subtitleStyle?: SubtitleStyle;
  /** Audio languages wanted, best first (empty: each file's default track). */
  audioLanguages: string[];
  /** `normalize_loudness`: the target in LUFS; undefined leaves the sound as it is. */
  loudnessLufs?: number;
  /** `break`: seconds of slate ("Up next at ...") between items. */
  breakS: number;
  overlay?: OverlaySpec;
  /** 1-based line of `overlay`, for messages about its image. */
  overlayLine?: number;
  /** `show_titles`: seconds the title shows at the start of each item (0: never). */
  showTitlesS: number;
  items: PlaylistItem[];
}

export type OverlayPosition = (typeof OVERLAY_POSITIONS)[number];

/** A logo (`image`, absolute) or a channel name (`text`) in a corner of every picture. */
export interface OverlaySpec {
  image?: string;
  text?: string;
  position: OverlayPosition;
}

export interface PlaylistProblem {
  /** 1-based; 0 when no line applies. */
  line: number;
  /** `items[2].in`; empty for the document as a whole. */
  field: string;
  message: string;
}

/** A playlist the user has to fix. The message lists every problem as `file:line: field: message`. */
export class PlaylistError extends UserError {
  constructor(
    readonly file: string,
    readonly problems: readonly PlaylistProblem[],
  ) {
    super(
      problems.map((problem) => formatProblem(file, problem)).join('\n'),
      'Fix the playlist at the lines above; playlists/movie-night.yaml explains every field.',
    );
  }
}

/** `movies.yaml:12: items[2].in: expected ...` */
export function formatProblem(file: string, problem: PlaylistProblem): string {
  const where = problem.line > 0 ? `${file}:${problem.line}` : file;
  return problem.field === '' ? `${where}: ${problem.message}` : `${where}: ${problem.field}: ${problem.message}`;
}

/** Reads and validates a playlist file (see parsePlaylist). */
export function loadPlaylist(path: string): Playlist {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : String(code ?? error);
    throw new UserError(`Cannot read the playlist ${path}: ${reason}.`, 'Check the path; playlists/demo.yaml is an example.');
  }
  return parsePlaylist(text, path);
}

/** Validates playlist text; `path` names it in messages and anchors relative file paths. */
export function parsePlaylist(text: string, path: string): Playlist {
  const file = resolve(path);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const lineAt = (offset: number | undefined): number => (offset === undefined ? 0 : lineCounter.linePos(offset).line);

  if (doc.errors.length > 0) {
    throw new PlaylistError(
      path,
      doc.errors.map((error) => ({ line: lineAt(error.pos[0]), field: '', message: `YAML syntax: ${firstLine(error.message)}` })),
    );
  }
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  if (value === null || value === undefined) {
    throw new PlaylistError(path, [{ line: 1, field: '', message: 'the file is empty; expected a mapping with at least `items`' }]);
  }
  const parsed = playlistSchema.safeParse(value, { reportInput: true });
  if (!parsed.success) {
    const problems: PlaylistProblem[] = [];
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          const known = knownKeysAt(issue.path);
          problems.push({
            line: lineAt(keyOffset(doc, issue.path, key)),
            field: fieldPath([...issue.path, key]),
            message: `unknown field${suggestion(key, known)}; expected one of ${known.join(', ')}`,
          });
        }
        continue;
      }
      problems.push({ line: lineAt(nodeOffset(doc, issue.path)), field: fieldPath(issue.path), message: issueMessage(issue) });
    }
    if (problems.length === 0) problems.push({ line: 1, field: '', message: `expected a playlist mapping, got ${describeValue(value)}` });
    throw new PlaylistError(path, sortProblems(problems));
  }
  const playlist = toPlaylist(parsed.data, file, path, (index) => lineAt(nodeOffset(doc, ['items', index])));
  if (playlist.filler !== undefined) playlist.fillerLine = lineAt(nodeOffset(doc, ['filler']));
  if (playlist.overlay !== undefined) playlist.overlayLine = lineAt(nodeOffset(doc, ['overlay']));
  const problems = crossChecks(playlist);
  if (problems.length > 0) throw new PlaylistError(path, problems);
  return playlist;
}

function toPlaylist(yaml: PlaylistYaml, file: string, displayFile: string, itemLine: (index: number) => number): Playlist {
  const folder = dirname(file);
  const output = yaml.output ?? {};
  const playlist: Playlist = {
    file,
    displayFile,
    stream: yaml.stream ?? streamFromFileName(file),
    loop: yaml.loop,
    endSlateS: yaml.end_slate ?? DEFAULT_END_SLATE_S,
    transcode: yaml.transcode,
    subtitles: { default: yaml.subtitles?.auto === true ? 'auto' : 'none', languages: yaml.subtitles?.languages ?? [] },
    audioLanguages: yaml.audio?.languages ?? [],
    breakS: yaml.break ?? 0,
    showTitlesS: yaml.show_titles ?? 0,
    output: {
      width: output.width ?? DEFAULT_OUTPUT.width,
      height: output.height ?? DEFAULT_OUTPUT.height,
      fps: output.fps ?? DEFAULT_OUTPUT.fps,
      videoBitrate: output.video_bitrate ?? DEFAULT_OUTPUT.videoBitrate,
      audioBitrate: output.audio_bitrate ?? DEFAULT_OUTPUT.audioBitrate,
      sampleRate: output.sample_rate ?? DEFAULT_OUTPUT.sampleRate,
    },
    items: yaml.items.map((item, index): PlaylistItem => {
      const source: ItemSource =
        item.generate !== undefined
          ? {
              kind: 'generated',
              pattern: item.generate.pattern,
              seconds: item.generate.seconds,
              ...(item.generate.tone !== undefined ? { toneHz: item.generate.tone } : {}),
            }
          : { kind: 'file', path: resolvePath(folder, item.file ?? '') };
      const result: PlaylistItem = { index, title: item.title ?? defaultTitle(source), source, line: itemLine(index) };
      if (item.in !== undefined) result.inS = item.in;
      if (item.out !== undefined) result.outS = item.out;
      if (item.at !== undefined) result.at = item.at;
      if (item.subtitles !== undefined) {
        const spec = item.subtitles;
        result.subtitles =
          spec.kind === 'file' ? { kind: 'file', path: resolvePath(folder, spec.file), ...(spec.encoding !== undefined ? { encoding: spec.encoding } : {}) } : spec;
      }
      if (item.audio !== undefined) result.audio = item.audio.track;
      return result;
    }),
  };
  if (yaml.start !== undefined) playlist.start = yaml.start;
  if (yaml.timezone !== undefined) playlist.timezone = yaml.timezone;
  if (yaml.filler !== undefined) playlist.filler = resolvePath(folder, yaml.filler);
  if (yaml.subtitle_style !== undefined) playlist.subtitleStyle = yaml.subtitle_style;
  if (yaml.normalize_loudness !== undefined) playlist.loudnessLufs = yaml.normalize_loudness;
  if (yaml.overlay !== undefined) {
    const { image, text, position } = yaml.overlay;
    playlist.overlay = { ...(image !== undefined ? { image: resolvePath(folder, image) } : {}), ...(text !== undefined ? { text } : {}), position: position ?? 'top-right' };
  }
  return playlist;
}

/** Checks that need more than one field. */
function crossChecks(playlist: Playlist): PlaylistProblem[] {
  const problems: PlaylistProblem[] = [];
  if (playlist.loop) {
    for (const item of playlist.items) {
      if (item.at?.kind === 'instant') {
        problems.push({
          line: item.line,
          field: `items[${item.index}].at`,
          message: `expected HH:MM in a looping playlist (a date-time happens only once), got '${item.at.text}'`,
        });
      }
    }
  }
  return problems;
}

/** The default stream key: the file name without extension, reduced to URL-safe characters. */
export function streamFromFileName(file: string): string {
  return streamKeyFrom(basename(file, extname(file)));
}

/** Any name reduced to a stream key's URL-safe characters (`Friday night` → `Friday-night`). */
export function streamKeyFrom(name: string): string {
  const key = name
    .replace(/[^A-Za-z0-9._~-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, MAX_STREAM_KEY_LENGTH);
  return key === '' ? 'channel' : key;
}

function defaultTitle(source: ItemSource): string {
  if (source.kind === 'file') return basename(source.path, extname(source.path)) || basename(source.path);
  return `Test card (${source.pattern})`;
}

function resolvePath(folder: string, path: string): string {
  const expanded = path === '~' ? homedir() : path.startsWith('~/') ? resolve(homedir(), path.slice(2)) : path;
  return isAbsolute(expanded) ? expanded : resolve(folder, expanded);
}

function sortProblems(problems: PlaylistProblem[]): PlaylistProblem[] {
  return problems.map((problem, order) => ({ problem, order })).sort((a, b) => a.problem.line - b.problem.line || a.order - b.order).map(({ problem }) => problem);
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}
