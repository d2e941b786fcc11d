import { UserError } from '../errors.js';
import type { Clock } from '../util/clock.js';
import { fileHeaders, matchSlates } from './copy-headers.js';
import type { CodecHeaders } from './ffmpeg-trial.js';
import { copyCompatible } from './copy-compatible.js';
import type { EncodeProfile } from './ffmpeg-commands.js';
import type { FfmpegTools } from './ffmpeg-locate.js';
import type { MediaProbe } from './media-probe.js';
import { PlaylistError, type Playlist, type PlaylistProblem, type StartSpec, formatProblem } from './playlist.js';
import type { CommandContext } from './segment-commands.js';
import { checkEnds, checkPatterns, probeFiles, tryEverything } from './show-checks.js';
import { type ItemTracks, checkCjkFonts, checkOverlay, chooseTracks } from './show-tracks.js';
import { type CjkFontCheck, findCjkFonts, needsCjkFont, pickCjkFamily } from './fonts/cjk-font.js';
import { hasCjk } from './subtitles/text-encoding.js';
import type { ProbeCache, ProbeProgress } from './probe-pool.js';
import { SubtitleWorkspace } from './subtitles/subtitle-workspace.js';
import { type Timetable, buildTimetable } from './timetable.js';

export type PlayoutMode = 'copy' | 'normalize';

/** A playlist checked against its files and the ffmpeg in use, and placed on the clock: everything `--check` prints. */
export interface Show extends CommandContext {
  playlist: Playlist;
  timeZone: string;
  /** One per item; undefined for generated items. */
  probes: (MediaProbe | undefined)[];
  /** The filler files (the `filler` file, or the media files of the `filler` folder in name order), probed. */
  filler: { path: string; probe: MediaProbe }[];
  durationsS: number[];
  mode: PlayoutMode;
  /** Why normalize was chosen (auto), empty otherwise. */
  modeReasons: string[];
  /** Things that will not stop the show but will show in it (a file that ends before its header says). */
  warnings: string[];
  timetable: Timetable;
  /** Per item: the audio track it plays and the subtitles it burns in. */
  tracks: ItemTracks[];
  /** The subtitle files made for the show; `workspace.dispose()` when the show is over (or after `--check`). */
  workspace: SubtitleWorkspace;
}

/**
 * Checks everything that can be checked before air time, now: every file is probed, every generated pattern is
 * looked for in this ffmpeg, copy or normalize is decided (copy only when slates can repeat the items' codec
 * headers), and every item, filler file and a slate is played for a moment through this ffmpeg. Every problem is
 * reported at once, with the playlist's file, line and item. Then the timetable is built.
 */
export async function prepareShow(input: {
  playlist: Playlist;
  tools: FfmpegTools;
  start: StartSpec | { kind: 'now' };
  clock: Clock;
  timeZone: string;
  signal?: AbortSignal;
  /** Told as each file's probe starts (`probing 12/40: Amélie.mkv`). */
  onProgress?: ProbeProgress;
  /** Probes already made (a folder show's), not made again. */
  probeCache?: ProbeCache;
  /** How fontconfig is asked for CJK fonts (tests pass their own answer). */
  fontCheck?: () => Promise<CjkFontCheck>;
}): Promise<Show> {
  const workspace = new SubtitleWorkspace();
  try {
    return await prepare(input, workspace);
  } catch (error) {
    workspace.dispose();
    throw error;
  }
}

async function prepare(input: Parameters<typeof prepareShow>[0], workspace: SubtitleWorkspace): Promise<Show> {
  const { playlist, tools, signal } = input;
  const problems: PlaylistProblem[] = [];
  const found: PlaylistProblem[] = [];
  const probing = { ...(signal ? { signal } : {}), ...(input.onProgress ? { onProgress: input.onProgress } : {}), ...(input.probeCache ? { cache: input.probeCache } : {}) };
  const probed = await probeFiles(playlist, tools, problems, probing);
  await checkPatterns(playlist, tools, problems, signal);
  checkOverlay(playlist, problems);
  failOn(playlist, problems);
  const { filler } = probed;
  const { tracks, probes } = await chooseTracks(playlist, probed.probes, { tools, workspace, ...(signal ? { signal } : {}) }, problems);
  // Fonts are asked for only when something drawn or burned in has CJK text: slates and titles then name a CJK family.
  const drawn = [playlist.stream, ...playlist.items.map((item) => item.title), ...(playlist.overlay?.text !== undefined ? [playlist.overlay.text] : [])];
  const needFonts = drawn.some(needsCjkFont) || tracks.some((track) => hasCjk(track.subtitles?.text ?? ''));
  const fonts = needFonts ? await (input.fontCheck ?? (() => findCjkFonts(signal ? { signal } : {})))() : undefined;
  if (fonts !== undefined) checkCjkFonts(playlist, tracks, fonts, problems, found);
  failOn(playlist, problems);
  const cjkFont = fonts?.checked === true ? pickCjkFamily(fonts.families) : undefined;

  const durationsS = playlist.items.map((item, i) => {
    const full = item.source.kind === 'generated' ? item.source.seconds : (probes[i]?.durationS ?? 0);
    const out = Math.min(item.outS ?? full, full);
    return Math.max(0, out - (item.inS ?? 0));
  });
  const dressing = { burnIns: tracks.map((track) => track.subtitles?.burn), showTitlesS: playlist.showTitlesS, ...(playlist.loudnessLufs !== undefined ? { loudnessLufs: playlist.loudnessLufs } : {}) };
  const chosen = await chooseMode(playlist, probes, dressingReasons(playlist, tracks), tools, signal);
  const { mode, reasons } = chosen;
  const profile: EncodeProfile = cjkFont === undefined ? chosen.profile : { ...chosen.profile, cjkFont };
  const context: CommandContext = { mode, profile, ...(mode === 'normalize' ? { dressing } : {}) };
  await tryEverything(playlist, { probes, filler, context }, tools, problems, signal);
  failOn(playlist, problems);
  await checkEnds(playlist, { probes, durationsS }, tools, found, signal);
  const warnings = found.sort((a, b) => a.line - b.line).map((w) => formatProblem(playlist.displayFile ?? playlist.file, w));

  const timetable = buildTimetable({ playlist, durationsS, start: input.start, nowMs: input.clock.now(), timeZone: input.timeZone });
  return { playlist, timeZone: input.timeZone, probes, filler, durationsS, ...context, modeReasons: reasons, warnings, timetable, tracks, workspace };
}

/** What only a re-encode can do: burn in subtitles, even out loudness, draw on the pictures. */
function dressingReasons(playlist: Playlist, tracks: readonly ItemTracks[]): string[] {
  return [
    ...playlist.items.filter((item) => tracks[item.index]?.subtitles !== undefined).map((item) => `item ${item.index + 1} has subtitles to burn in`),
    ...(playlist.loudnessLufs !== undefined ? ['normalize_loudness re-encodes the sound'] : []),
    ...(playlist.overlay !== undefined ? ['the overlay is drawn on every picture'] : []),
    ...(playlist.showTitlesS > 0 ? ['show_titles draws each title on its picture'] : []),
  ];
}

function failOn(playlist: Playlist, problems: PlaylistProblem[]): void {
  if (problems.length === 0) return;
  throw new PlaylistError(playlist.displayFile ?? playlist.file, [...problems].sort((a, b) => a.line - b.line));
}

/** The playlist's output profile, as normalize encodes it (with the overlay on every picture). */
function outputProfile(playlist: Playlist): EncodeProfile {
  return { ...playlist.output, ...(playlist.overlay !== undefined ? { overlay: playlist.overlay } : {}) };
}

/**
 * Copy when every item is H.264 + AAC alike with identical codec headers and slates can repeat them; otherwise
 * normalize (auto), or an error naming why (transcode: copy).
 */
async function chooseMode(
  playlist: Playlist,
  probes: (MediaProbe | undefined)[],
  dressed: string[],
  tools: FfmpegTools,
  signal: AbortSignal | undefined,
): Promise<{ mode: PlayoutMode; reasons: string[]; profile: EncodeProfile }> {
  const normalize = (reasons: string[]) => {
    if (playlist.transcode === 'copy') {
      throw new UserError(
        `${playlist.displayFile ?? playlist.file}: transcode: copy needs every item to be H.264 + AAC with the same parameters and codec headers, but ${reasons.join('; ')}`,
        'use transcode: auto or normalize to re-encode',
      );
    }
    return { mode: 'normalize' as const, reasons, profile: outputProfile(playlist) };
  };
  if (playlist.transcode === 'normalize') return { mode: 'normalize', reasons: [], profile: outputProfile(playlist) };
  const generated = playlist.items.filter((item) => item.source.kind === 'generated').map((item) => `item ${item.index + 1} is generated`);
  const files = playlist.items.flatMap((item) => {
    const probe = probes[item.index];
    return item.source.kind === 'file' && probe !== undefined ? [{ number: item.index + 1, path: item.source.path, probe }] : [];
  });
  const check = copyCompatible(files);
  const reasons = [...dressed, ...generated, ...(check.ok ? [] : check.reasons)];
  if (reasons.length > 0 || files[0] === undefined) return normalize(reasons);

  const headers: CodecHeaders[] = [];
  for (const file of files) headers.push(await fileHeaders(tools, file.path, file.probe, signal));
  const first = files[0].probe;
  const base: EncodeProfile = {
    ...playlist.output,
    width: first.video?.width ?? playlist.output.width,
    height: first.video?.height ?? playlist.output.height,
    fps: first.video?.fps ?? playlist.output.fps,
    sampleRate: first.audio?.sampleRate ?? playlist.output.sampleRate,
  };
  const slates = await matchSlates(tools, files.map((file, i) => ({ ...file, headers: headers[i] ?? {} })), base, signal);
  if (!slates.ok) return normalize([slates.reason]);
  return { mode: 'copy', reasons: [], profile: { ...base, match: slates.match } };
}
