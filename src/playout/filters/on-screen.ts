/**
 * What is drawn over every item: a logo or the channel's name in a corner (`overlay`), and the item's title for its
 * first seconds (`show_titles`). Filter-graph text; sizes follow the output height.
 */
import { seconds3 } from '../ffmpeg-commands.js';
import type { OverlayPosition } from '../playlist.js';
import { escapeDrawtext, fittedSize, fontOption } from './drawtext.js';

/** Distance of a corner overlay from the frame's edges, as a share of the height. */
const CORNER_MARGIN = 1 / 30;
/** A logo is scaled down to at most this share of the height (never up: a small logo stays sharp). */
const LOGO_MAX_HEIGHT = 1 / 8;

/** overlay's x:y for a picture of size w x h in a corner of a W x H frame. */
export function cornerPosition(position: OverlayPosition, height: number): string {
  const m = Math.round(height * CORNER_MARGIN);
  const x = position.endsWith('left') ? String(m) : `W-w-${m}`;
  const y = position.startsWith('top') ? String(m) : `H-h-${m}`;
  return `x=${x}:y=${y}`;
}

/** The filters between the logo's input and the overlay: scaled to fit, square pixels, with its transparency. */
export function logoFilters(height: number): string {
  return `scale=w=-2:h='min(ih,${Math.round(height * LOGO_MAX_HEIGHT)})',setsar=1,format=rgba`;
}

/** drawtext of the channel's name in a corner. */
export function cornerText(text: string, position: OverlayPosition, frame: { width: number; height: number; cjkFont?: string }): string {
  const m = Math.round(frame.height * CORNER_MARGIN);
  const size = fittedSize(text, Math.round(frame.height / 24), frame.width / 2);
  const x = position.endsWith('left') ? String(m) : `w-text_w-${m}`;
  const y = position.startsWith('top') ? String(m) : `h-text_h-${m}`;
  return `drawtext=${fontOption(text, frame.cjkFont)}:fontcolor=white@0.85:fontsize=${size}:shadowcolor=black@0.6:shadowx=2:shadowy=2:x=${x}:y=${y}:text='${escapeDrawtext(text)}'`;
}

/** drawtext of the title in the lower left for the segment's first `seconds`, on a dark band. */
export function titleText(title: string, seconds: number, frame: { width: number; height: number; cjkFont?: string }): string {
  const size = fittedSize(title, Math.round(frame.height / 18), frame.width * 0.8);
  const m = Math.round(frame.height * CORNER_MARGIN * 2);
  return (
    `drawtext=${fontOption(title, frame.cjkFont)}:fontcolor=white:fontsize=${size}:box=1:boxcolor=black@0.55:boxborderw=${Math.round(size / 3)}` +
    `:x=${m}:y=h-text_h-${m * 2}:enable='lt(t,${seconds3(seconds)})':text='${escapeDrawtext(title)}'`
  );
}
