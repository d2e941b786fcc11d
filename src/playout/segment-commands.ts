/**
 * The command for each kind of segment of a show, in its mode: an item (copied or re-encoded), a slate, filler. The
 * same functions build the trial runs before the show and the real runs at air time, so what was tried is what plays.
 */
import { type EncodeProfile, type FfmpegCommand, type ItemDressing, copyCommand } from './ffmpeg-commands.js';
import type { MediaProbe } from './media-probe.js';
import { normalizeCommand } from './normalize-command.js';
import type { PlaylistItem } from './playlist.js';
import type { BurnIn } from './subtitles/burn-in.js';

/** What the commands depend on: how the show plays, and what each file is. */
export interface CommandContext {
  mode: 'copy' | 'normalize';
  /** Normalize: the playlist's output. Copy: the items' size and rate, with slate settings that repeat their headers. */
  profile: EncodeProfile;
  /** What re-encoded items add (normalize only): subtitles per item (by index), loudness, titles on screen. */
  dressing?: {
    burnIns: readonly (BurnIn | undefined)[];
    loudnessLufs?: number;
    showTitlesS: number;
  };
}

/** The dressing of `item` for a segment that starts `inS` into its file: a join past the title's time shows none. */
export function itemDressing(context: CommandContext, item: PlaylistItem, inS: number): ItemDressing | undefined {
  const d = context.dressing;
  if (d === undefined) return undefined;
  const burnIn = d.burnIns[item.index];
  const titleS = d.showTitlesS - (inS - (item.inS ?? 0));
  return {
    ...(burnIn !== undefined ? { burnIn } : {}),
    ...(titleS > 0 ? { titleS } : {}),
    ...(d.loudnessLufs !== undefined ? { loudnessLufs: d.loudnessLufs } : {}),
  };
}

/** Plays `item` from `inS` seconds into its source (its `in` already added) for `seconds`. */
export function itemCommand(context: CommandContext, item: PlaylistItem, probe: MediaProbe | undefined, inS: number, seconds: number): FfmpegCommand {
  const source = item.source;
  if (source.kind === 'generated') {
    return normalizeCommand({ kind: 'generated', pattern: source.pattern, ...(source.toneHz !== undefined ? { toneHz: source.toneHz } : {}) }, 0, seconds, context.profile);
  }
  if (probe === undefined) throw new TypeError(`itemCommand: item ${item.index + 1} (${source.path}) has not been probed`);
  return context.mode === 'copy'
    ? copyCommand(source.path, probe, inS, seconds)
    : normalizeCommand({ kind: 'file', path: source.path, probe, title: item.title, ...dressed(itemDressing(context, item, inS)) }, inS, seconds, context.profile);
}

function dressed(dressing: ItemDressing | undefined): { dressing?: ItemDressing } {
  return dressing === undefined || Object.keys(dressing).length === 0 ? {} : { dressing };
}

/** A slate: text on a plain background with silence, at the channel's profile. */
export function slateCommand(context: CommandContext, lines: string[], seconds: number): FfmpegCommand {
  return normalizeCommand({ kind: 'slate', lines }, 0, seconds, context.profile);
}

/** Filler: a file repeated to fill `seconds`, re-encoded at the channel's profile (in copy mode too: its headers match). */
export function fillerCommand(context: CommandContext, file: { path: string; probe: MediaProbe }, atS: number, seconds: number): FfmpegCommand {
  return normalizeCommand({ kind: 'file', path: file.path, probe: file.probe, title: '', loop: true }, atS, seconds, context.profile);
}
