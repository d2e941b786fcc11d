import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { FlvReader } from '../../src/protocol/flv/flv-reader.js';
import { aacConfigOf, aacFrameOf, adtsConfigOf, avcConfigRecordOf, avcSampleOf, readAvcDecoderConfig, TsMuxer } from '../../src/protocol/mpegts/index.js';
import { makeClip, scratchSubdir } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { runProcess } from '../helpers/processes.js';

/**
 * The MPEG-TS muxer read back by a real demuxer: an ffmpeg-made FLV (H.264 with B-frames, AAC) is remuxed tag by tag
 * and ffprobe / ffmpeg must see the same codecs, every frame, and the same timestamps (plus the fixed delay).
 */
describeWithPeers(['ffmpeg', 'ffprobe'], 'MPEG-TS muxer read by ffprobe and ffmpeg', () => {
  async function remux(options: { bframes: number; audio: boolean; video?: boolean }): Promise<{ path: string; flvVideo: number[]; flvAudio: number[] }> {
    const clip = await makeClip({ seconds: 3, width: 320, height: 240, fps: 25, bframes: options.bframes, audio: options.audio });
    const tags = new FlvReader().push(readFileSync(clip));
    const withVideo = options.video !== false;
    let video;
    let audio;
    for (const tag of tags) {
      const record = tag.type === 9 ? avcConfigRecordOf(tag.payload) : undefined;
      if (record !== undefined && withVideo) video = readAvcDecoderConfig(record);
      const asc = tag.type === 8 ? aacConfigOf(tag.payload) : undefined;
      if (asc !== undefined) audio = adtsConfigOf(asc);
    }
    const muxer = new TsMuxer({ video, audio });
    const out = [muxer.tables()];
    const flvVideo: number[] = [];
    const flvAudio: number[] = [];
    for (const tag of tags) {
      const sample = tag.type === 9 && withVideo ? avcSampleOf(tag.payload) : undefined;
      if (sample !== undefined) {
        out.push(muxer.video(sample.data, tag.timestamp, sample.compositionMs, (tag.payload[0] as number) >> 4 === 1));
        flvVideo.push(tag.timestamp + sample.compositionMs);
      }
      const frame = tag.type === 8 ? aacFrameOf(tag.payload) : undefined;
      if (frame !== undefined) {
        out.push(muxer.audio(frame, tag.timestamp));
        flvAudio.push(tag.timestamp);
      }
    }
    const path = join(scratchSubdir('mpegts'), 'out.ts');
    writeFileSync(path, Buffer.concat(out));
    return { path, flvVideo, flvAudio };
  }

  async function probe(path: string): Promise<{ streams: Record<string, unknown>[]; packets: Record<string, string>[] }> {
    const r = await runProcess('ffprobe', ['-v', 'error', '-show_streams', '-show_packets', '-of', 'json', path], { timeoutMs: 20_000 });
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout) as { streams: Record<string, unknown>[]; packets: Record<string, string>[] };
  }

  it('H.264 with B-frames and AAC: same codecs, every frame, the same presentation times', async () => {
    const { path, flvVideo, flvAudio } = await remux({ bframes: 2, audio: true });
    const { streams, packets } = await probe(path);
    expect(streams.find((s) => s.codec_type === 'video')).toMatchObject({ codec_name: 'h264', width: 320, height: 240, has_b_frames: 2 });
    expect(streams.find((s) => s.codec_type === 'audio')).toMatchObject({ codec_name: 'aac', sample_rate: '44100', channels: 2 });
    const video = packets.filter((p) => p.codec_type === 'video');
    const audio = packets.filter((p) => p.codec_type === 'audio');
    expect(video).toHaveLength(flvVideo.length);
    expect(audio).toHaveLength(flvAudio.length);
    // PTS in ms minus the 0.7 s delay equals the FLV presentation time (DTS + CompositionTime).
    expect(video.map((p) => Math.round(Number(p.pts_time) * 1000 - 700))).toEqual(flvVideo);
    expect(audio.map((p) => Math.round(Number(p.pts_time) * 1000 - 700))).toEqual(flvAudio);
    expect(video.filter((p) => p.flags?.includes('K')).length).toBe(3);
  });

  it('ffmpeg decodes every frame with no error', async () => {
    const { path } = await remux({ bframes: 2, audio: true });
    const r = await runProcess('ffmpeg', ['-v', 'error', '-i', path, '-f', 'null', '-'], { timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('video only and audio only streams', async () => {
    const videoOnly = await probe((await remux({ bframes: 0, audio: false })).path);
    expect(videoOnly.streams.map((s) => s.codec_name)).toEqual(['h264']);
    const audioOnly = await remux({ bframes: 0, audio: true, video: false });
    const probed = await probe(audioOnly.path);
    expect(probed.streams.map((s) => s.codec_name)).toEqual(['aac']);
    expect(probed.packets).toHaveLength(audioOnly.flvAudio.length);
  });
});
