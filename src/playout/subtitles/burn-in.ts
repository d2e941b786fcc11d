/**
 * Burning subtitles into the picture, as filter-graph text. FLV and RTMP carry no subtitle track, so what viewers
 * should read has to be drawn on the frames.
 */
import { seconds3 } from '../ffmpeg-commands.js';
import { filterValue } from '../filters/filter-value.js';

/** What an item burns in, once prepared (see subtitle-plan.ts). */
export type BurnIn =
  /** Text: libass renders `file` (UTF-8 SubRip, ASS, WebVTT) with the style override, if any. */
  | { form: 'text'; file: string; forceStyle?: string }
  /** Pictures (PGS, VobSub): the file's subtitle stream `streamIndex`, overlaid as it is. */
  | { form: 'image'; streamIndex: number };

/**
 * The filters that draw text subtitles on a picture that starts `fileOffsetS` into the file. `-ss` before `-i`
 * starts the frames' timestamps at 0 while the subtitle file's cues keep the movie's times, so the frames are moved
 * to their place in the movie for libass and back afterwards: an item joined in progress or restarted after a crash
 * shows the cue that belongs to that moment.
 */
export function textSubtitleFilters(burn: Extract<BurnIn, { form: 'text' }>, fileOffsetS: number): string[] {
  const shift = seconds3(fileOffsetS);
  const moved = fileOffsetS > 0;
  return [
    ...(moved ? [`setpts=PTS+${shift}/TB`] : []),
    `subtitles=filename=${filterValue(burn.file)}${burn.forceStyle !== undefined ? `:force_style=${filterValue(burn.forceStyle)}` : ''}`,
    ...(moved ? [`setpts=PTS-${shift}/TB`] : []),
  ];
}

/**
 * The start of a filter graph that overlays picture subtitles on the stored picture (before it is turned and scaled,
 * as the pictures were made for it): ffmpeg turns the subtitle stream into frames (sub2video), scaled to the video's
 * size in case the subtitle canvas differs (a DVD's 720x576 subtitles on an upscaled picture). Both streams come
 * from the same input, so `-ss` moves them alike. Ends in the label `[subbed]`.
 */
export function imageSubtitleGraph(videoIndex: number, subtitleIndex: number): { graph: string; label: string } {
  return {
    graph: `[0:${subtitleIndex}][0:${videoIndex}]scale2ref[subs][base];[base][subs]overlay=eof_action=pass[subbed]`,
    label: '[subbed]',
  };
}
