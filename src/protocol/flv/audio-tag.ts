import { ProtocolError } from '../../errors.js';
import { parseAacConfig } from './aac-config.js';
import { readExTrack, skipModEx } from './ex-header.js';

export type AudioCodec =
  | 'aac'
  | 'mp3'
  | 'opus'
  | 'flac'
  | 'ac3'
  | 'eac3'
  | 'pcm'
  | 'speex'
  | 'nellymoser'
  | 'g711'
  | 'unknown';

export interface AudioTagInfo {
  codec: AudioCodec;
  /** Enhanced RTMP tags only ('mp4a', 'Opus', 'fLaC', 'ac-3', 'ec-3', '.mp3'). */
  fourCc?: string;
  enhanced: boolean;
  sequenceHeader: boolean;
  /** AudioSpecificConfig for AAC; the codec's sequence start body for other enhanced codecs. */
  config?: Buffer;
  /**
   * From the tag header flags for legacy codecs other than AAC. For AAC the flags are fixed (44 kHz stereo) and
   * mean nothing, so these come from the AudioSpecificConfig of a sequence header and are otherwise undefined;
   * for enhanced codecs they come from the sequence start (AAC, Opus, FLAC) or a MultichannelConfig packet.
   */
  sampleRate?: number;
  channels?: number;
}

/** SoundFormat, FLV v10.1 E.4.2.1 and E-RTMP v2 (9 = ExHeader). */
const LEGACY_CODECS: readonly AudioCodec[] = [
  'pcm', // 0 Linear PCM, platform endian
  'unknown', // 1 ADPCM
  'mp3', // 2
  'pcm', // 3 Linear PCM, little endian
  'nellymoser', // 4 Nellymoser 16 kHz mono
  'nellymoser', // 5 Nellymoser 8 kHz mono
  'nellymoser', // 6
  'g711', // 7 A-law
  'g711', // 8 mu-law
  'unknown', // 9 ExHeader, handled before this table
  'aac', // 10
  'speex', // 11
  'unknown', // 12 reserved
  'unknown', // 13 reserved
  'mp3', // 14 MP3 8 kHz
  'unknown', // 15 device-specific sound
];
const FORMAT_NELLYMOSER_16K = 4;
const FORMAT_NELLYMOSER_8K = 5;
const FORMAT_G711_A = 7;
const FORMAT_G711_MU = 8;
const FORMAT_EX_HEADER = 9;
const FORMAT_AAC = 10;
const FORMAT_SPEEX = 11;
const FORMAT_MP3_8K = 14;

/** SoundRate (UB[2]): 5.5 kHz is Flash's 44100 / 8. */
const SOUND_RATES = [5512, 11025, 22050, 44100];

/** AACPacketType (E.4.2.1 AACAUDIODATA). */
const AAC_SEQUENCE_HEADER = 0;
const AAC_RAW = 1;

/** AudioPacketType, E-RTMP v2 "Enhanced Audio" (7, ModEx, is consumed by skipModEx; 3 and 6 reserved). */
const EX_SEQUENCE_START = 0;
const EX_CODED_FRAMES = 1;
const EX_SEQUENCE_END = 2;
const EX_MULTICHANNEL_CONFIG = 4;
const EX_MULTITRACK = 5;
const EX_PACKET_TYPES: ReadonlySet<number> = new Set([
  EX_SEQUENCE_START,
  EX_CODED_FRAMES,
  EX_SEQUENCE_END,
  EX_MULTICHANNEL_CONFIG,
]);

/** AudioFourCc, E-RTMP v2. */
const FOURCC_CODECS: ReadonlyMap<string, AudioCodec> = new Map([
  ['mp4a', 'aac'],
  ['Opus', 'opus'],
  ['fLaC', 'flac'],
  ['ac-3', 'ac3'],
  ['ec-3', 'eac3'],
  ['.mp3', 'mp3'],
]);

/** Opus always decodes at 48 kHz (RFC 7845 5.1: the header's input rate is informational only). */
const OPUS_OUTPUT_RATE = 48000;
const OPUS_HEAD_SIZE = 19;
/** STREAMINFO metadata block body (FLAC format, METADATA_BLOCK_STREAMINFO). */
const FLAC_STREAMINFO_SIZE = 34;

/** Reads the first bytes of an FLV/RTMP audio payload; ProtocolError 'FLV_BAD_TAG' when too short or malformed. */
export function parseAudioTag(payload: Buffer): AudioTagInfo {
  const first = payload[0];
  if (first === undefined) bad('audio tag is empty');
  const format = first >>> 4;
  if (format === FORMAT_EX_HEADER) return parseEnhanced(payload, first);

  const info: AudioTagInfo = {
    codec: LEGACY_CODECS[format] as AudioCodec,
    fourCc: undefined,
    enhanced: false,
    sequenceHeader: false,
    config: undefined,
    sampleRate: undefined,
    channels: undefined,
  };
  if (format === FORMAT_AAC) {
    const packetType = payload[1];
    if (packetType === AAC_SEQUENCE_HEADER) {
      info.sequenceHeader = true;
      info.config = payload.subarray(2);
      describeAac(info, info.config);
    } else if (packetType === undefined) {
      bad('AAC audio tag is truncated');
    } else if (packetType !== AAC_RAW) {
      bad(`AAC audio tag has unknown AACPacketType ${packetType}`);
    }
    return info;
  }
  // SoundRate (UB[2]), SoundSize (UB[1]), SoundType (UB[1]): mono 0, stereo 1.
  info.sampleRate = SOUND_RATES[(first >>> 2) & 0x03];
  info.channels = (first & 0x01) === 1 ? 2 : 1;
  // Formats whose rate (and for some, mono) is fixed by the format itself, whatever the flags say (E.4.2.1).
  if (format === FORMAT_NELLYMOSER_16K || format === FORMAT_SPEEX) {
    info.sampleRate = 16000;
    info.channels = 1;
  } else if (format === FORMAT_NELLYMOSER_8K) {
    info.sampleRate = 8000;
    info.channels = 1;
  } else if (format === FORMAT_MP3_8K || format === FORMAT_G711_A || format === FORMAT_G711_MU) {
    info.sampleRate = 8000;
  }
  return info;
}

function parseEnhanced(payload: Buffer, first: number): AudioTagInfo {
  const [packetType, offset] = skipModEx(payload, first & 0x0f, 1, 'enhanced audio tag');
  const track = readExTrack(payload, packetType, offset, EX_MULTITRACK, 'enhanced audio tag');
  const type = track.packetType;
  if (!EX_PACKET_TYPES.has(type)) bad(`enhanced audio tag has reserved AudioPacketType ${type}`);
  const info: AudioTagInfo = {
    codec: FOURCC_CODECS.get(track.fourCc) ?? 'unknown',
    fourCc: track.fourCc,
    enhanced: true,
    sequenceHeader: false,
    config: undefined,
    sampleRate: undefined,
    channels: undefined,
  };
  if (type === EX_SEQUENCE_START) {
    info.sequenceHeader = true;
    info.config = track.body;
    if (info.codec === 'aac') describeAac(info, track.body);
    else if (info.codec === 'opus') describeOpus(info, track.body);
    else if (info.codec === 'flac') describeFlac(info, track.body);
  } else if (type === EX_MULTICHANNEL_CONFIG) {
    // audioChannelOrder (UI8), channelCount (UI8), then the order's channel map or mask.
    const channelCount = track.body[1];
    if (channelCount === undefined) bad('enhanced audio MultichannelConfig is truncated');
    info.channels = channelCount;
  }
  return info;
}

/**
 * Fills rate and channels from an AudioSpecificConfig. A malformed one leaves them undefined rather than failing
 * the tag: the tag itself is well formed, and a player may still cope; parseAacConfig reports the reason.
 */
function describeAac(info: AudioTagInfo, asc: Buffer): void {
  try {
    const aac = parseAacConfig(asc);
    info.sampleRate = aac.sampleRate;
    info.channels = aac.channels > 0 ? aac.channels : undefined;
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
  }
}

/** Identification header, RFC 7845 5.1: 'OpusHead', version, output channel count, ... */
function describeOpus(info: AudioTagInfo, head: Buffer): void {
  if (head.length < OPUS_HEAD_SIZE || head.toString('latin1', 0, 8) !== 'OpusHead') return;
  info.sampleRate = OPUS_OUTPUT_RATE;
  info.channels = head[9];
}

/** STREAMINFO, bare or after the 'fLaC' marker and its metadata block header: rate UB[20], channels - 1 UB[3]. */
function describeFlac(info: AudioTagInfo, header: Buffer): void {
  const start = header.toString('latin1', 0, 4) === 'fLaC' ? 8 : 0;
  if (header.length < start + FLAC_STREAMINFO_SIZE) return;
  const b10 = header[start + 10] as number;
  const b11 = header[start + 11] as number;
  const b12 = header[start + 12] as number;
  const sampleRate = (b10 << 12) | (b11 << 4) | (b12 >>> 4);
  if (sampleRate === 0) return;
  info.sampleRate = sampleRate;
  info.channels = ((b12 >>> 1) & 0x07) + 1;
}

function bad(message: string): never {
  throw new ProtocolError('FLV_BAD_TAG', message);
}
