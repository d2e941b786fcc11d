import type { VideoProbe } from './media-probe.js';

/** Where a picture lands in the output frame: turned upright, scaled to keep its shape, and padded. */
export interface PictureFit {
  /** ffmpeg filters, in order: rotation, scale, square pixels, pad. */
  filters: string[];
  /** The picture's size inside the frame, in (square) output pixels. */
  width: number;
  height: number;
  /** Its top-left corner in the frame. */
  x: number;
  y: number;
}

/**
 * Fits a stored picture into a `frame`: the display shape is the stored size times the sample aspect ratio (a 16:9
 * PAL DVD is 720x576 with SAR 64:45), turned by the display matrix (a phone video shot upright is stored sideways),
 * then scaled to the largest even size that fits and centred, with black bars top and bottom (letterbox) or left and
 * right (pillarbox). Pure, so the geometry is unit-tested; the caller turns the picture with `-noautorotate` off.
 */
export function fitPicture(
  video: Pick<VideoProbe, 'width' | 'height' | 'sar' | 'rotation'>,
  frame: { width: number; height: number; sar?: { num: number; den: number } },
): PictureFit {
  const sar = ratio(video.sar);
  // The frame's own pixels may be non-square too (copy mode's slates and filler repeat the items' SAR).
  const frameSar = frame.sar === undefined ? 1 : ratio(frame.sar);
  const sideways = video.rotation === 90 || video.rotation === 270;
  const displayWidth = sideways ? video.height : video.width * sar;
  const displayHeight = sideways ? video.width * sar : video.height;
  const aspect = displayWidth / displayHeight / frameSar;
  let width = frame.width;
  let height = frame.height;
  if (!(aspect > 0) || !Number.isFinite(aspect)) {
    // Unknown size: fill the frame, as the old scale-to-fit did.
  } else if (aspect >= frame.width / frame.height) {
    height = Math.min(frame.height, even(frame.width / aspect));
  } else {
    width = Math.min(frame.width, even(frame.height * aspect));
  }
  // 4:2:0 chroma: offsets on even pixels.
  const x = Math.floor((frame.width - width) / 4) * 2;
  const y = Math.floor((frame.height - height) / 4) * 2;
  return {
    filters: [
      ...ROTATE[video.rotation],
      `scale=${width}:${height}`,
      frame.sar === undefined ? 'setsar=1' : `setsar=${frame.sar.num}/${frame.sar.den}`,
      `pad=${frame.width}:${frame.height}:${x}:${y}`,
    ],
    width,
    height,
    x,
    y,
  };
}

/** Filters that turn a stored picture upright, by the clockwise rotation players apply. */
const ROTATE: Record<VideoProbe['rotation'], string[]> = {
  0: [],
  90: ['transpose=clock'],
  180: ['hflip', 'vflip'],
  270: ['transpose=cclock'],
};

function ratio(r: { num: number; den: number }): number {
  return r.num > 0 && r.den > 0 ? r.num / r.den : 1;
}

/** The nearest even number, at least 2 (libx264 needs even sizes for 4:2:0). */
function even(value: number): number {
  return Math.max(2, Math.round(value / 2) * 2);
}
