import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from './processes.js';

/**
 * Test media generated at test time with ffmpeg's lavfi sources (nothing is committed), and a tiny FLV tag walker that
 * is independent of the production FLV reader, for checking what players received.
 */

const SCRATCH_PREFIX = 'kayak-cast-test-';
let scratch: string | undefined;

/**
 * This worker's scratch directory (clips, peer output files, XDG dirs, nginx prefixes), created on first use. Its name
 * carries the worker's pid: vitest may end a worker without running its exit handlers, so each new worker also removes
 * the directories of workers that are gone.
 */
export function scratchDir(): string {
  if (scratch === undefined) {
    removeStaleScratchDirs();
    const dir = mkdtempSync(join(tmpdir(), `${SCRATCH_PREFIX}${process.pid}-`));
    scratch = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return scratch;
}

/** The pids whose scratch directories exist, alive or not. */
export function scratchDirOwners(): number[] {
  let names: string[];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return [];
  }
  const pattern = new RegExp(`^${SCRATCH_PREFIX}(\\d+)-`);
  return names.flatMap((name) => {
    const m = pattern.exec(name);
    return m === null ? [] : [Number(m[1])];
  });
}

/** Removes the scratch directories of workers that have exited (also run by the global setup's teardown). */
export function removeStaleScratchDirs(): void {
  const dead = new Set(scratchDirOwners().filter((pid) => !isAlive(pid)));
  for (const pid of dead) {
    for (const name of readdirSync(tmpdir())) {
      if (name.startsWith(`${SCRATCH_PREFIX}${pid}-`)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A fresh, empty directory inside the scratch directory. */
export function scratchSubdir(prefix: string): string {
  return mkdtempSync(join(scratchDir(), `${prefix}-`));
}

export interface ClipOptions {
  seconds: number;
  width: number;
  height: number;
  fps: number;
  /** Include an AAC sine track (default true). */
  audio?: boolean;
  /** AAC sample rate (default 44100). */
  audioRate?: number;
  /** Keyframe interval in seconds (default 1); scene-cut keyframes are disabled so this is exact. */
  gopSeconds?: number;
  /** B-frames (default 0, as live encoders are usually set up). */
  bframes?: number;
  /** Container (default flv, which `-c copy -f flv` republishes untouched). */
  format?: 'flv' | 'mp4';
  /** Video bitrate in kbit/s (default 800), kept modest so GOP caches and files stay small. */
  videoKbps?: number;
}

const clips = new Map<string, Promise<string>>();

/** Generates (once per worker per option set) an H.264 + AAC test clip and returns its path. */
export function makeClip(options: ClipOptions): Promise<string> {
  const o = {
    audio: true,
    audioRate: 44_100,
    gopSeconds: 1,
    bframes: 0,
    format: 'flv' as const,
    videoKbps: 800,
    ...options,
  };
  const key = [o.seconds, o.width, o.height, o.fps, o.audio, o.audioRate, o.gopSeconds, o.bframes, o.format, o.videoKbps].join('_');
  let clip = clips.get(key);
  if (clip === undefined) {
    clip = generateClip(o, join(scratchDir(), `clip_${key}.${o.format}`));
    clips.set(key, clip);
    clip.catch(() => clips.delete(key));
  }
  return clip;
}

async function generateClip(o: Required<ClipOptions>, path: string): Promise<string> {
  mkdirSync(scratchDir(), { recursive: true });
  const gop = Math.max(1, Math.round(o.fps * o.gopSeconds));
  const kbps = o.videoKbps;
  const args = [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-y',
    // Durations on the sources, not `-t` on the output, so the clip has exactly fps * seconds frames.
    '-f', 'lavfi', '-i', `testsrc2=size=${o.width}x${o.height}:rate=${o.fps}:duration=${o.seconds}`,
    ...(o.audio
      ? ['-f', 'lavfi', '-i', `sine=frequency=440:beep_factor=4:sample_rate=${o.audioRate}:duration=${o.seconds}`]
      : []),
    '-c:v', 'libx264', '-preset', o.bframes > 0 ? 'veryfast' : 'ultrafast', '-pix_fmt', 'yuv420p',
    '-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0', '-bf', String(o.bframes),
    '-b:v', `${kbps}k`, '-maxrate', `${kbps}k`, '-bufsize', `${kbps * 2}k`,
    ...(o.audio ? ['-c:a', 'aac', '-b:a', '96k', '-ac', '2', '-ar', String(o.audioRate)] : []),
    ...(o.format === 'mp4' ? ['-movflags', '+faststart'] : []),
    '-f', o.format,
    `${path}.partial`,
  ];
  const result = await runProcess('ffmpeg', args, { timeoutMs: 60_000 });
  if (result.code !== 0) {
    rmSync(`${path}.partial`, { force: true });
    throw new Error(`ffmpeg could not generate a test clip (${JSON.stringify(o)}):\n${result.stderr}`);
  }
  // Another test in this worker may ask for the same clip; it only ever sees a complete file.
  renameSync(`${path}.partial`, path);
  return path;
}

/** One FLV tag as seen by a player (E.4.1 FLVTAG; timestamps are the 24+8 bit extended form, in ms). */
export interface FlvTag {
  kind: 'audio' | 'video' | 'script' | 'other';
  typeId: number;
  timestamp: number;
  dataSize: number;
  /** Offset of the tag header in the whole stream. */
  offset: number;
  /** Video: frame type 1 (E.4.3.1 VIDEODATA), or the enhanced-RTMP key frame type. */
  keyframe: boolean;
  /** Video: AVCPacketType 0 / enhanced PacketTypeSequenceStart. Audio: AACPacketType 0. */
  sequenceHeader: boolean;
  /** Video: AVCPacketType 2 / enhanced PacketTypeSequenceEnd (ffmpeg's FLV muxer writes one when it finishes). */
  endOfSequence: boolean;
  /** Video CodecID (7 = AVC) or enhanced FourCC; audio SoundFormat (10 = AAC). */
  codec: number | string;
  /** Milliseconds since the walker was created (the moment the tag was complete on the wire). */
  receivedAt: number;
}

export interface FlvHeader {
  version: number;
  hasAudio: boolean;
  hasVideo: boolean;
}

const FLV_HEADER_BYTES = 9;
const PREVIOUS_TAG_SIZE_BYTES = 4;
const TAG_HEADER_BYTES = 11;

/** Incremental FLV walker: feed it bytes as they arrive, read tags as they complete. */
export class FlvWalker {
  header: FlvHeader | undefined;
  readonly tags: FlvTag[] = [];
  bytes = 0;
  /** Set when the bytes are not FLV; the walker then ignores further input. */
  error: string | undefined;
  private pending: Buffer = Buffer.alloc(0);
  private consumed = 0;
  /** performance.now() when the walker was made: the zero of every tag's receivedAt. */
  readonly createdAt = performance.now();

  push(chunk: Buffer): FlvTag[] {
    this.bytes += chunk.length;
    if (this.error !== undefined) return [];
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const added: FlvTag[] = [];
    let pos = 0;
    if (this.header === undefined) {
      if (this.pending.length < FLV_HEADER_BYTES + PREVIOUS_TAG_SIZE_BYTES) return added;
      if (this.pending.toString('latin1', 0, 3) !== 'FLV') {
        this.error = `not FLV: starts with ${this.pending.subarray(0, 8).toString('hex')}`;
        return added;
      }
      const flags = this.pending[4] ?? 0;
      this.header = { version: this.pending[3] ?? 0, hasAudio: (flags & 4) !== 0, hasVideo: (flags & 1) !== 0 };
      pos = this.pending.readUInt32BE(5) + PREVIOUS_TAG_SIZE_BYTES;
    }
    while (this.pending.length - pos >= TAG_HEADER_BYTES) {
      const typeId = (this.pending[pos] ?? 0) & 0x1f;
      const dataSize = this.pending.readUIntBE(pos + 1, 3);
      const total = TAG_HEADER_BYTES + dataSize + PREVIOUS_TAG_SIZE_BYTES;
      if (this.pending.length - pos < total) break;
      const timestamp = (this.pending.readUIntBE(pos + 4, 3) | ((this.pending[pos + 7] ?? 0) << 24)) >>> 0;
      const data = this.pending.subarray(pos + TAG_HEADER_BYTES, pos + TAG_HEADER_BYTES + dataSize);
      const tag = describeTag(typeId, timestamp, dataSize, this.consumed + pos, data);
      tag.receivedAt = performance.now() - this.createdAt;
      this.tags.push(tag);
      added.push(tag);
      pos += total;
    }
    this.consumed += pos;
    this.pending = this.pending.subarray(pos);
    return added;
  }
}

function describeTag(typeId: number, timestamp: number, dataSize: number, offset: number, data: Buffer): FlvTag {
  const tag: FlvTag = {
    kind: typeId === 8 ? 'audio' : typeId === 9 ? 'video' : typeId === 18 ? 'script' : 'other',
    typeId,
    timestamp,
    dataSize,
    offset,
    keyframe: false,
    sequenceHeader: false,
    endOfSequence: false,
    codec: 0,
    receivedAt: 0,
  };
  const b0 = data[0] ?? 0;
  if (tag.kind === 'video') {
    if ((b0 & 0x80) !== 0 && data.length >= 5) {
      // Enhanced RTMP: [IsExHeader:1][FrameType:3][PacketType:4][FourCC:32]
      tag.keyframe = ((b0 >> 4) & 0x07) === 1;
      tag.sequenceHeader = (b0 & 0x0f) === 0;
      tag.endOfSequence = (b0 & 0x0f) === 2;
      tag.codec = data.toString('latin1', 1, 5);
    } else {
      tag.keyframe = b0 >> 4 === 1;
      tag.codec = b0 & 0x0f;
      tag.sequenceHeader = tag.codec === 7 && data[1] === 0;
      tag.endOfSequence = tag.codec === 7 && data[1] === 2;
    }
  } else if (tag.kind === 'audio') {
    tag.codec = b0 >> 4;
    tag.sequenceHeader = tag.codec === 10 && data[1] === 0;
  }
  return tag;
}

/** All complete tags of an FLV byte string (a saved file or a player's received bytes). */
export function parseFlv(bytes: Buffer): { header: FlvHeader | undefined; tags: FlvTag[]; error: string | undefined } {
  const walker = new FlvWalker();
  walker.push(bytes);
  return { header: walker.header, tags: walker.tags, error: walker.error };
}

/** Media tags that carry frames (not sequence headers or end-of-sequence markers), in arrival order. */
export function mediaFrames(tags: readonly FlvTag[], kind: 'audio' | 'video'): FlvTag[] {
  return tags.filter((t) => t.kind === kind && !t.sequenceHeader && !t.endOfSequence);
}

/** Index pairs where a track's timestamp went backwards, as readable strings (empty when monotonic). */
export function timestampRegressions(tags: readonly FlvTag[], kind: 'audio' | 'video'): string[] {
  const frames = mediaFrames(tags, kind);
  const problems: string[] = [];
  for (let i = 1; i < frames.length; i++) {
    const prev = frames[i - 1];
    const cur = frames[i];
    if (prev && cur && cur.timestamp < prev.timestamp) {
      problems.push(`${kind} #${i}: ${prev.timestamp} -> ${cur.timestamp}`);
    }
  }
  return problems;
}

/** A playlist (or any text file) of `lines` in a fresh scratch subdirectory named after `prefix`; returns its path. */
export function scratchPlaylist(prefix: string, lines: readonly string[], name = 'show.yaml'): string {
  const path = join(scratchSubdir(prefix), name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}
