import { type AdtsConfig, adtsHeader } from './adts.js';
import { type AvcDecoderConfig, avccToAnnexB } from './avc-annexb.js';
import { STREAM_ID_AUDIO, STREAM_ID_VIDEO, pesHeader } from './pes.js';
import { PID_AUDIO, PID_PAT, PID_PMT, PID_VIDEO, type PmtStream, STREAM_TYPE_ADTS_AAC, STREAM_TYPE_AVC, patSection, pmtSection } from './psi.js';
import { ContinuityCounter, packetize } from './ts-packet.js';

/**
 * Added to every PTS and DTS (90 kHz), with the PCR left at the undelayed DTS: 0.7 s, the decoder buffer delay that
 * nginx-rtmp and ffmpeg's muxer also leave, so that no PTS is ever behind the clock a player derives from the PCR,
 * and a composition offset never pushes a timestamp below zero.
 */
export const TS_TIMESTAMP_DELAY = 63_000;
const TICKS_PER_MS = 90;

export interface TsTracks {
  video?: AvcDecoderConfig;
  audio?: AdtsConfig;
}

/**
 * MPEG-2 transport stream muxer for one program of H.264 + AAC, the format every HLS player reads (Safari, iOS,
 * Android, hls.js, ffmpeg, GStreamer, VLC, smart TVs) and what RFC 8216 3.2 describes first. fMP4 would add HEVC on
 * Apple devices, but the channels we carry are H.264 + AAC (FLV's native codecs), for which TS needs no init segment
 * and each segment decodes alone.
 *
 * Pure: frames in, 188-byte packets out. It keeps only the continuity counters, which run on across segments so a
 * player reading segments back to back sees one unbroken stream.
 */
export class TsMuxer {
  private readonly counters = {
    pat: new ContinuityCounter(),
    pmt: new ContinuityCounter(),
    video: new ContinuityCounter(),
    audio: new ContinuityCounter(),
  };
  private readonly pcrPid: number;
  private readonly streams: PmtStream[] = [];

  constructor(
    readonly tracks: TsTracks,
    private readonly pmtVersion = 0,
  ) {
    if (tracks.video !== undefined) this.streams.push({ streamType: STREAM_TYPE_AVC, pid: PID_VIDEO });
    if (tracks.audio !== undefined) this.streams.push({ streamType: STREAM_TYPE_ADTS_AAC, pid: PID_AUDIO });
    this.pcrPid = tracks.video !== undefined ? PID_VIDEO : PID_AUDIO;
  }

  /** PAT then PMT: written at the start of every segment, so that each segment can be decoded on its own. */
  tables(): Buffer {
    return Buffer.concat([
      packetize(PID_PAT, this.counters.pat, [patSection()]),
      packetize(PID_PMT, this.counters.pmt, [pmtSection(this.streams, this.pcrPid, this.pmtVersion)]),
    ]);
  }

  /**
   * One access unit: `sample` in AVCC form, decoded at `dtsMs` and shown `compositionMs` later. Every video PES
   * carries a PCR (at 25-60 fps that is well within the 100 ms the standard asks for, 2.7.2).
   */
  video(sample: Buffer, dtsMs: number, compositionMs: number, keyframe: boolean): Buffer {
    const config = this.tracks.video;
    if (config === undefined) return Buffer.alloc(0);
    const parts = avccToAnnexB(sample, config);
    const dts = Math.round(dtsMs * TICKS_PER_MS);
    const pts = dts + Math.round(compositionMs * TICKS_PER_MS);
    let length = 0;
    for (const part of parts) length += part.length;
    const header = pesHeader(STREAM_ID_VIDEO, length, pts + TS_TIMESTAMP_DELAY, dts + TS_TIMESTAMP_DELAY);
    return packetize(PID_VIDEO, this.counters.video, [header, ...parts], { pcr: dts, randomAccess: keyframe });
  }

  /** One raw AAC frame presented at `ptsMs`, as an ADTS frame in its own PES. */
  audio(frame: Buffer, ptsMs: number): Buffer {
    const config = this.tracks.audio;
    if (config === undefined) return Buffer.alloc(0);
    const adts = adtsHeader(config, frame.length);
    const pts = Math.round(ptsMs * TICKS_PER_MS);
    const header = pesHeader(STREAM_ID_AUDIO, adts.length + frame.length, pts + TS_TIMESTAMP_DELAY);
    const audioOnly = this.tracks.video === undefined;
    return packetize(PID_AUDIO, this.counters.audio, [header, adts, frame], audioOnly ? { pcr: pts, randomAccess: true } : {});
  }
}
