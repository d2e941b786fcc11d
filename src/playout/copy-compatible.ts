import type { MediaProbe } from './media-probe.js';

/** Frame rates closer than this are the same rate (29.97 printed vs 30000/1001 measured). */
export const FPS_TOLERANCE = 0.01;

/** A probed item and its number in the playlist (from 1), as messages name it. */
export interface NumberedProbe {
  number: number;
  probe: MediaProbe;
}

/**
 * Whether the items can be played out with `-c copy` as one continuous stream: every item H.264 + AAC, upright
 * (FLV cannot carry a rotation), with the first item's width, height, fps, pixel format, sample rate and channel
 * count. Whether their codec headers are identical too is for copy-headers.ts to find out.
 */
export function copyCompatible(items: NumberedProbe[]): { ok: true } | { ok: false; reasons: string[] } {
  const reasons: string[] = [];
  const first = items[0];
  for (const { number: n, probe: p } of items) {
    if (p.video === undefined) reasons.push(`item ${n} has no video`);
    else if (p.video.codec !== 'h264') reasons.push(`item ${n}'s video is ${p.video.codec}, not h264`);
    else if (p.video.rotation !== 0) reasons.push(`item ${n} is shown turned by ${p.video.rotation}°, which only a re-encode can do`);
    if (p.audio === undefined) reasons.push(`item ${n} has no audio`);
    else if (p.audio.codec !== 'aac') reasons.push(`item ${n}'s audio is ${p.audio.codec}, not aac`);
    if (first === undefined || first.number === n) continue;
    const m = first.number;
    const [a, b] = [first.probe.video, p.video];
    if (a !== undefined && b !== undefined) {
      if (a.width !== b.width || a.height !== b.height) reasons.push(`item ${n} is ${b.width}x${b.height}, item ${m} is ${a.width}x${a.height}`);
      if (!(Math.abs(a.fps - b.fps) <= FPS_TOLERANCE)) reasons.push(`item ${n} runs at ${round(b.fps)} fps, item ${m} at ${round(a.fps)} fps`);
      if (a.pixFmt !== b.pixFmt) reasons.push(`item ${n}'s pixel format is ${b.pixFmt ?? 'unknown'}, item ${m}'s is ${a.pixFmt ?? 'unknown'}`);
    }
    const [x, y] = [first.probe.audio, p.audio];
    if (x !== undefined && y !== undefined) {
      if (x.sampleRate !== y.sampleRate) reasons.push(`item ${n}'s audio is ${y.sampleRate} Hz, item ${m}'s is ${x.sampleRate} Hz`);
      if (x.channels !== y.channels) reasons.push(`item ${n} has ${y.channels} audio channels, item ${m} has ${x.channels}`);
    }
  }
  return reasons.length === 0 ? { ok: true } : { ok: false, reasons };
}

function round(fps: number): string {
  return String(Math.round(fps * 1000) / 1000);
}
