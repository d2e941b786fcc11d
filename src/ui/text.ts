import { padDisplay, truncateDisplay } from '../util/display-width.js';

/** Cuts `text` to `width` terminal columns (a Chinese character takes two), marking a cut with an ellipsis, and pads it. */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  return padDisplay(truncateDisplay(text, width), width);
}


/** Seconds as m:ss or h:mm:ss, for the schedule's clock-like times. */
export function clockDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}
