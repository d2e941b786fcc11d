/**
 * Before air time, for every file item: which audio track it plays and which subtitles it burns in (files read and
 * rewritten as UTF-8, embedded text tracks taken out), and whether the fonts for CJK text are there. Problems go to
 * the item's line; nothing is decided at air time.
 */
import { existsSync } from 'node:fs';
import { mapLimit } from '../util/map-limit.js';
import { CJK_FONT_HINT, type CjkFontCheck, needsCjkFont } from './fonts/cjk-font.js';
import type { FfmpegTools } from './ffmpeg-locate.js';
import type { AudioProbe, MediaProbe } from './media-probe.js';
import type { Playlist, PlaylistItem, PlaylistProblem } from './playlist.js';
import { forceStyle } from './subtitles/subtitle-style.js';
import { type PlannedSubtitles, planSubtitles } from './subtitles/subtitle-plan.js';
import type { SubtitleSpec } from './subtitles/subtitle-spec.js';
import type { SubtitleWorkspace } from './subtitles/subtitle-workspace.js';
import { hasCjk } from './subtitles/text-encoding.js';
import { chooseAudio } from './tracks/track-choice.js';

/** Subtitle files read or tracks taken out at once: each may read a whole movie from disk. */
const SUBTITLE_CONCURRENCY = 2;

export interface ItemTracks {
  /** The audio track played, its number among the file's audio tracks (from 1), and why it was chosen. */
  audio?: { track: AudioProbe; number: number; why: string };
  subtitles?: PlannedSubtitles;
}

/** The subtitles an item asks for: its own, else the playlist's default. */
export function subtitleSpecOf(playlist: Playlist, item: PlaylistItem): SubtitleSpec {
  if (item.subtitles !== undefined) return item.subtitles;
  return playlist.subtitles.default === 'auto' ? { kind: 'auto' } : { kind: 'none' };
}

/**
 * Chooses every file item's audio track (the probe handed to the commands then names it as the audio) and plans its
 * subtitles. Returns the tracks per item and the probes with the chosen audio.
 */
export async function chooseTracks(
  playlist: Playlist,
  probes: readonly (MediaProbe | undefined)[],
  context: { tools: FfmpegTools; workspace: SubtitleWorkspace; signal?: AbortSignal },
  problems: PlaylistProblem[],
): Promise<{ tracks: ItemTracks[]; probes: (MediaProbe | undefined)[] }> {
  const style = forceStyle(playlist.subtitleStyle);
  const chosen = [...probes];
  const tracks = await mapLimit(playlist.items, SUBTITLE_CONCURRENCY, async (item): Promise<ItemTracks> => {
    const probe = probes[item.index];
    if (item.source.kind !== 'file' || probe === undefined) return {};
    const result: ItemTracks = {};
    const audio = chooseAudio(probe.audioTracks ?? [], item.audio, playlist.audioLanguages);
    if (audio !== undefined && !audio.ok) problems.push({ line: item.line, field: `items[${item.index}].audio`, message: audio.problem });
    else if (audio !== undefined) {
      result.audio = { track: audio.track, number: (probe.audioTracks ?? []).indexOf(audio.track) + 1, why: audio.why };
      chosen[item.index] = { ...probe, audio: audio.track };
    }
    const outcome = await planSubtitles(subtitleSpecOf(playlist, item), item.source.path, probe, {
      ffmpeg: context.tools.ffmpeg,
      workspace: context.workspace,
      languages: playlist.subtitles.languages,
      ...(style !== undefined ? { forceStyle: style } : {}),
      ...(context.signal ? { signal: context.signal } : {}),
    });
    if ('problem' in outcome) problems.push({ line: item.line, field: `items[${item.index}].subtitles`, message: outcome.problem });
    else if (outcome.subtitles !== undefined) result.subtitles = outcome.subtitles;
    return result;
  });
  return { tracks, probes: chosen };
}

/**
 * CJK text with no font for it renders as empty boxes: subtitles with such text are a problem (reading them is the
 * point), titles drawn on slates and on screen a warning. `fonts` is fontconfig's answer.
 */
export function checkCjkFonts(playlist: Playlist, tracks: readonly ItemTracks[], fonts: CjkFontCheck, problems: PlaylistProblem[], warnings: PlaylistProblem[]): void {
  const subtitled = playlist.items.filter((item) => hasCjk(tracks[item.index]?.subtitles?.text ?? ''));
  const titled = playlist.items.filter((item) => needsCjkFont(item.title));
  if (!fonts.checked) {
    const first = subtitled[0] ?? titled[0];
    warnings.push({ line: first?.line ?? 0, field: '', message: `cannot check for a font with Chinese, Japanese or Korean glyphs (${fonts.reason}); without one they show as empty boxes` });
    return;
  }
  if (fonts.families.length > 0) return;
  for (const item of subtitled) {
    problems.push({ line: item.line, field: `items[${item.index}].subtitles`, message: `the subtitles have Chinese, Japanese or Korean text, but fontconfig has no font for it (they would show as empty boxes); ${CJK_FONT_HINT}` });
  }
  for (const item of titled) {
    warnings.push({ line: item.line, field: `items[${item.index}].title`, message: `the title shows as empty boxes on slates: fontconfig has no CJK font; ${CJK_FONT_HINT}` });
  }
}

/** The overlay's picture must exist (what it looks like, the slate trial finds out). */
export function checkOverlay(playlist: Playlist, problems: PlaylistProblem[]): void {
  const image = playlist.overlay?.image;
  if (image !== undefined && !existsSync(image)) problems.push({ line: playlist.overlayLine ?? 0, field: 'overlay.image', message: `${image} does not exist` });
}
