/**
 * Which audio track and which embedded subtitle track an item plays: by the item's own choice (a language or a
 * track number), else by the playlist's language preferences, else the file's default. Pure: probes in, choices out.
 */
import type { AudioProbe, SubtitleProbe, TrackTags } from '../media-probe.js';
import { languageKey, mostPreferred } from './language.js';

/** `{ track: jpn }` or `{ track: 2 }`: a language, or the n-th track of its kind counted from 1 (as players count). */
export type TrackSpec = { language: string } | { number: number };

export type TrackChoice<T> = { ok: true; track: T; why: string } | { ok: false; problem: string };

/**
 * The audio track to play: the item's spec when it gives one (an error when the file has no such track), else the
 * first track in the most preferred language, else the file's default track (the first when none is marked).
 */
export function chooseAudio(tracks: readonly AudioProbe[], spec: TrackSpec | undefined, languages: readonly string[]): TrackChoice<AudioProbe> | undefined {
  if (tracks.length === 0) return spec === undefined ? undefined : { ok: false, problem: 'the file has no audio track to choose' };
  if (spec !== undefined) return bySpec(tracks, spec, 'audio');
  const preferred = byPreference(tracks, languages);
  if (preferred !== undefined) return { ok: true, track: preferred, why: `preferred language ${preferred.language ?? ''}`.trim() };
  const fallback = tracks.find((track) => track.isDefault === true) ?? (tracks[0] as AudioProbe);
  return { ok: true, track: fallback, why: fallback.isDefault === true ? "the file's default" : 'the first' };
}

/**
 * An embedded subtitle track by the item's spec (an error when there is none such), or by preference (undefined when
 * no track is in a preferred language: an embedded track in another language is not burned in uninvited).
 */
export function chooseSubtitleTrack(
  tracks: readonly SubtitleProbe[],
  spec: TrackSpec | undefined,
  languages: readonly string[],
): TrackChoice<SubtitleProbe> | undefined {
  if (spec !== undefined) {
    if (tracks.length === 0) return { ok: false, problem: 'the file has no subtitle track' };
    return bySpec(tracks, spec, 'subtitle');
  }
  // Forced tracks carry only the foreign-language lines; a full track in the same language is preferred.
  const preferred = byPreference([...tracks].sort((a, b) => Number(a.forced === true) - Number(b.forced === true)), languages);
  return preferred === undefined ? undefined : { ok: true, track: preferred, why: `preferred language ${preferred.language ?? ''}`.trim() };
}

function bySpec<T extends TrackTags>(tracks: readonly T[], spec: TrackSpec, kind: 'audio' | 'subtitle'): TrackChoice<T> {
  if ('number' in spec) {
    const track = tracks[spec.number - 1];
    if (track !== undefined) return { ok: true, track, why: `${kind} track ${spec.number}` };
    return { ok: false, problem: `the file has ${describeCount(tracks.length, kind)}, so no track ${spec.number}${listTracks(tracks)}` };
  }
  const wanted = languageKey(spec.language);
  const track = tracks.find((candidate) => wanted !== undefined && languageKey(candidate.language) === wanted);
  if (track !== undefined) return { ok: true, track, why: `language ${spec.language}` };
  return { ok: false, problem: `the file has no ${kind} track in '${spec.language}'${listTracks(tracks)}` };
}

function byPreference<T extends TrackTags>(tracks: readonly T[], languages: readonly string[]): T | undefined {
  return mostPreferred(tracks, (track) => track.language, languages);
}

function describeCount(count: number, kind: string): string {
  return count === 1 ? `1 ${kind} track` : `${count} ${kind} tracks`;
}

/** ` (tracks: 1 eng, 2 jpn "Commentary")`: what the file has, for the message. */
function listTracks(tracks: readonly TrackTags[]): string {
  if (tracks.length === 0) return '';
  return ` (it has: ${tracks.map((track, i) => describeTrack(track, i + 1)).join(', ')})`;
}

/** `2 jpn "Japanese"`: a track's number, language and name as the timetable and messages show it. */
export function describeTrack(track: TrackTags, number: number): string {
  const parts = [String(number), ...(track.language !== undefined && track.language !== 'und' ? [track.language] : [])];
  if (track.title !== undefined) parts.push(`"${track.title.length > 30 ? `${track.title.slice(0, 29)}…` : track.title}"`);
  return parts.join(' ');
}
