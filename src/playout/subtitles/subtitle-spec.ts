import type { TrackSpec } from '../tracks/track-choice.js';

/**
 * What a playlist asks for, per item (`subtitles:`) or as the default of every item: nothing, a file, an embedded
 * track, or `auto` (a subtitle file beside the movie, else an embedded track in a preferred language).
 */
export type SubtitleSpec =
  | { kind: 'none' }
  | { kind: 'auto' }
  /** `path` is absolute; `encoding` overrides detection (`gbk`, `big5`, any WHATWG label). */
  | { kind: 'file'; path: string; encoding?: string }
  | { kind: 'track'; track: TrackSpec };
