import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAacConfig } from '../../../../src/protocol/flv/aac-config.js';
import { parseAudioTag } from '../../../../src/protocol/flv/audio-tag.js';
import { parseAvcConfig } from '../../../../src/protocol/flv/avc-config.js';
import { FlvReader } from '../../../../src/protocol/flv/flv-reader.js';
import { FlvTagType, flvFileHeader, writeFlvTag, type FlvTag } from '../../../../src/protocol/flv/flv-tag.js';
import { parseVideoTag } from '../../../../src/protocol/flv/video-tag.js';
import { seededRandom } from '../../../helpers/buffer-builder.js';

/**
 * End-to-end sanity check against a real muxer: a 1-second H.264/AAC clip that ffmpeg writes as FLV, read back
 * with FlvReader and the codec parsers. Skipped with a printed reason when ffmpeg is missing, unless CI=true.
 */
const ffmpegFound = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;
const ci = process.env.CI === 'true';
if (!ffmpegFound && !ci) console.warn('ffmpeg-flv.test.ts: skipped, ffmpeg is not on PATH (install ffmpeg to run it)');

describe.skipIf(!ffmpegFound && !ci)('an ffmpeg-produced FLV file', () => {
  let dir = '';
  let file = Buffer.alloc(0);

  beforeAll(async () => {
    if (!ffmpegFound) throw new Error('ffmpeg is not on PATH, and CI=true requires it');
    dir = await mkdtemp(join(tmpdir(), 'kayak-flv-'));
    const out = join(dir, 'clip.flv');
    // prettier-ignore
    await promisify(execFile)('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
      '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30',
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-t', '1',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
      '-c:a', 'aac', '-ac', '2', '-ar', '48000',
      '-f', 'flv', out,
    ], { timeout: 25_000 });
    file = await readFile(out);
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function readInRandomChunks(input: Buffer): { tags: FlvTag[]; reader: FlvReader } {
    const random = seededRandom(0xff);
    const reader = new FlvReader();
    const tags: FlvTag[] = [];
    for (let pos = 0; pos < input.length; ) {
      const size = 1 + Math.floor(random() * 5000);
      tags.push(...reader.push(input.subarray(pos, pos + size)));
      pos += size;
    }
    return { tags, reader };
  }

  it('reads h264 1280x720 and aac 48000 Hz stereo from the sequence headers', () => {
    const { tags, reader } = readInRandomChunks(file);
    expect(reader.header).toEqual({ audio: true, video: true });
    expect(tags[0]?.type).toBe(FlvTagType.Script);

    const video = tags.filter((t) => t.type === FlvTagType.Video).map((t) => parseVideoTag(t.payload));
    const audio = tags.filter((t) => t.type === FlvTagType.Audio).map((t) => parseAudioTag(t.payload));

    const videoHeader = video.find((v) => v.sequenceHeader);
    expect(videoHeader?.codec).toBe('h264');
    expect(parseAvcConfig(videoHeader!.config!)).toMatchObject({ width: 1280, height: 720 });
    // The first coded frame after the sequence header is a keyframe, and about 30 frames follow.
    const frames = video.filter((v) => !v.sequenceHeader && !v.endOfSequence);
    expect(frames[0]?.keyframe).toBe(true);
    expect(frames.length).toBeGreaterThanOrEqual(29);

    const audioHeader = audio.find((a) => a.sequenceHeader);
    expect(audioHeader).toMatchObject({ codec: 'aac', sampleRate: 48000, channels: 2 });
    expect(parseAacConfig(audioHeader!.config!)).toEqual({ objectType: 2, sampleRate: 48000, channels: 2 });
    expect(audio.length).toBeGreaterThan(40);
  });

  it('keeps timestamps in order per track', () => {
    const { tags } = readInRandomChunks(file);
    for (const type of [FlvTagType.Audio, FlvTagType.Video]) {
      const times = tags.filter((t) => t.type === type).map((t) => t.timestamp);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(times.at(-1)).toBeGreaterThan(900);
    }
  });

  it('re-serialises byte for byte with flvFileHeader and writeFlvTag', () => {
    const { tags, reader } = readInRandomChunks(file);
    const rewritten = Buffer.concat([
      flvFileHeader(reader.header!),
      ...tags.map((t) => writeFlvTag(t.type, t.timestamp, t.payload)),
    ]);
    expect(rewritten.equals(file)).toBe(true);
  });
});
