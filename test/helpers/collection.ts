import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FlvTag } from './media.js';
import { runProcess } from './processes.js';

/**
 * A movie collection as people have them, generated with lavfi in a few seconds: the shapes normalize has to keep
 * (anamorphic 16:9 DVD, PAL 4:3, a phone video stored sideways), files without picture or sound, files that are
 * broken (cut short, no moov atom), and a name with spaces and Chinese characters. Landscape pictures are white on
 * top and grey below, so a decoded frame shows both the picture's box and which way is up.
 */
export interface CollectionFile {
  file: string;
  title: string;
  /** The length to play (the playlist's `out`): whole seconds, so the printed timetable is exact. */
  seconds: number;
  /** The picture's box in a 640x360 frame once normalized (undefined: no picture of its own). */
  box?: { width: number; height: number };
}

export const COLLECTION_FRAME = { width: 640, height: 360 };

/** Top white, bottom grey, as a lavfi graph of `width`x`height` at `fps`. */
function twoTone(width: number, height: number, fps: number): string {
  const half = height / 2;
  return `color=c=white:size=${width}x${half}:rate=${fps}[top];color=c=0x808080:size=${width}x${half}:rate=${fps}[bottom];[top][bottom]vstack`;
}

async function ffmpeg(args: string[], out: string): Promise<void> {
  const r = await runProcess('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args, `${out}.partial${extension(out)}`], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`ffmpeg could not make ${out}:\n${r.stderr}`);
  renameSync(`${out}.partial${extension(out)}`, out);
}

function extension(path: string): string {
  return /\.[^./]+$/.exec(path)?.[0] ?? '';
}

const tone = (hz: number, seconds: number, rate = 48_000) => ['-f', 'lavfi', '-i', `sine=frequency=${hz}:sample_rate=${rate}:duration=${seconds}`];
const h264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
const aac = ['-c:a', 'aac', '-b:a', '96k'];

/** Writes the collection into `dir`; returns the files in playlist order (the broken ones separately). */
export async function makeCollection(dir: string): Promise<{ playable: CollectionFile[]; noMoov: string }> {
  const p = (name: string) => join(dir, name);
  const jobs: Promise<void>[] = [];
  // A 16:9 PAL DVD rip: 720x576 stored, SAR 64:45, shown 1024x576.
  jobs.push(ffmpeg(['-filter_complex', twoTone(720, 576, 25), ...tone(440, 3), '-t', '3', ...h264, '-aspect', '16:9', ...aac], p('dvd 16x9.mp4')));
  // A 4:3 PAL file: 720x576 stored, SAR 16:15, shown 768x576; MKV.
  jobs.push(ffmpeg(['-filter_complex', twoTone(720, 576, 25), ...tone(550, 3), '-t', '3', ...h264, '-aspect', '4:3', ...aac], p('pal 4x3.mkv')));
  // A phone video shot upright: stored 320x180 with the top of the scene on the left, and a display matrix that turns
  // it a quarter clockwise (ffprobe: rotation -90), at 30 fps with 44.1 kHz sound.
  const sideways = p('phone-sideways.mp4');
  jobs.push(
    ffmpeg(['-filter_complex', 'color=c=white:size=160x180:rate=30[l];color=c=0x808080:size=160x180:rate=30[r];[l][r]hstack', ...tone(660, 3, 44_100), '-t', '3', ...h264, ...aac], sideways).then(() =>
      ffmpeg(['-i', sideways, '-c', 'copy', '-metadata:s:v:0', 'rotate=270'], p('phone.mp4')),
    ),
  );
  jobs.push(ffmpeg(['-filter_complex', twoTone(640, 360, 25), '-t', '2', ...h264], p('video only.mp4')));
  const cover = p('cover.png');
  jobs.push(
    ffmpeg(['-f', 'lavfi', '-i', 'color=c=white:size=200x200', '-frames:v', '1'], cover).then(() =>
      ffmpeg([...tone(770, 2, 44_100), '-i', cover, '-map', '0:a', '-map', '1:v', '-c:a', 'libmp3lame', '-b:a', '128k', '-c:v', 'mjpeg', '-disposition:v', 'attached_pic'], p('song with cover.mp3')),
    ),
  );
  jobs.push(ffmpeg([...tone(880, 2, 44_100), ...aac], p('song.m4a')));
  // A faststart MP4 cut in half: its header promises 4 s, the data holds 2.
  const whole = p('whole.mp4');
  jobs.push(
    ffmpeg(['-filter_complex', twoTone(640, 360, 25), ...tone(990, 4), '-t', '4', ...h264, ...aac, '-movflags', '+faststart'], whole).then(() => {
      writeFileSync(p('cut short.mp4'), readFileSync(whole).subarray(0, Math.floor(statSync(whole).size / 2)));
    }),
  );
  // An MP4 whose moov atom (at the end) never arrived.
  const complete = p('complete.mp4');
  jobs.push(
    ffmpeg(['-filter_complex', twoTone(640, 360, 25), '-t', '2', ...h264], complete).then(() => {
      writeFileSync(p('no moov.mp4'), readFileSync(complete).subarray(0, statSync(complete).size - 4000));
    }),
  );
  jobs.push(ffmpeg(['-filter_complex', twoTone(640, 360, 25), ...tone(1100, 2), '-t', '2', ...h264, ...aac], p('我的 电影 night.mp4')));
  await Promise.all(jobs);
  return {
    playable: [
      { file: p('dvd 16x9.mp4'), title: 'DVD 16:9', seconds: 3, box: { width: 640, height: 360 } },
      { file: p('pal 4x3.mkv'), title: 'PAL 4:3', seconds: 3, box: { width: 480, height: 360 } },
      { file: p('phone.mp4'), title: 'Phone, upright', seconds: 3, box: { width: 202, height: 360 } },
      { file: p('video only.mp4'), title: 'Video only', seconds: 2, box: { width: 640, height: 360 } },
      { file: p('song with cover.mp3'), title: 'Song with cover', seconds: 2 },
      { file: p('song.m4a'), title: 'Song', seconds: 2 },
      { file: p('cut short.mp4'), title: 'Cut short', seconds: 4 },
      { file: p('我的 电影 night.mp4'), title: '我的电影', seconds: 2, box: { width: 640, height: 360 } },
    ],
    noMoov: p('no moov.mp4'),
  };
}

/**
 * The picture in a grey frame: the box of pixels brighter than the black bars, and the mean brightness of its top and
 * bottom halves (white on top and grey below means upright).
 */
export function measurePicture(gray: Buffer, width: number, height: number): { box: { x: number; y: number; width: number; height: number }; top: number; bottom: number } | undefined {
  const BAR = 40;
  let x0 = width;
  let x1 = -1;
  let y0 = height;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if ((gray[y * width + x] ?? 0) > BAR) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  if (x1 < 0) return undefined;
  const mean = (from: number, to: number) => {
    let sum = 0;
    let n = 0;
    for (let y = from; y < to; y++) for (let x = x0; x <= x1; x++) (sum += gray[y * width + x] ?? 0), n++;
    return n === 0 ? 0 : sum / n;
  };
  const middle = Math.floor((y0 + y1) / 2);
  return { box: { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 }, top: mean(y0, middle), bottom: mean(middle + 1, y1 + 1) };
}

/**
 * An FLV file made of `count` tags of a recording from tag `from` (a keyframe), preceded by the recording's file header
 * and the sequence headers in force there: a piece of the stream that decodes on its own.
 */
export function flvExcerpt(bytes: Buffer, tags: readonly FlvTag[], from: number, count: number): Buffer {
  const tagBytes = (tag: FlvTag) => bytes.subarray(tag.offset, tag.offset + 11 + tag.dataSize + 4);
  const before = tags.slice(0, from);
  const headers = [before.findLast((t) => t.kind === 'video' && t.sequenceHeader), before.findLast((t) => t.kind === 'audio' && t.sequenceHeader)];
  const dataOffset = bytes.readUInt32BE(5);
  return Buffer.concat([bytes.subarray(0, dataOffset + 4), ...headers.flatMap((t) => (t === undefined ? [] : [tagBytes(t)])), ...tags.slice(from, from + count).map(tagBytes)]);
}

/** Frame `index` of an FLV file decoded to 8-bit grey, `width`x`height`, written via `scratch`. */
export async function decodeGray(flv: Buffer, index: number, scratch: string): Promise<Buffer> {
  const input = `${scratch}.flv`;
  const output = `${scratch}.gray`;
  writeFileSync(input, flv);
  const r = await runProcess('ffmpeg', ['-hide_banner', '-v', 'error', '-y', '-i', input, '-vf', `select=eq(n\\,${index})`, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', output], { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`ffmpeg could not decode frame ${index} of ${input}:\n${r.stderr}`);
  return readFileSync(output);
}

/** What `ffmpeg -v error -i <file> -f null -` prints: nothing for a stream that decodes without an error. */
export async function decodeErrors(file: string): Promise<string> {
  const r = await runProcess('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-i', file, '-f', 'null', '-'], { timeoutMs: 120_000 });
  return `${r.stdout}${r.stderr}`.trim();
}
