import { ProtocolError } from '../../errors.js';
import { readExTrack, skipModEx } from './ex-header.js';

export type VideoCodec = 'h264' | 'hevc' | 'av1' | 'vp9' | 'vp8' | 'sorenson' | 'vp6' | 'screen' | 'unknown';

export interface VideoTagInfo {
  codec: VideoCodec;
  /** Enhanced RTMP tags only ('avc1', 'hvc1', 'av01', 'vp09', ...). */
  fourCc?: string;
  /** IsExHeader bit set. */
  enhanced: boolean;
  /** Frame type 1 (a seekable frame). */
  keyframe: boolean;
  /** AVCPacketType 0, or enhanced PacketTypeSequenceStart / MPEG2TSSequenceStart. */
  sequenceHeader: boolean;
  endOfSequence: boolean;
  /** The decoder configuration record (AVC/HEVC/AV1/VP9 config) when sequenceHeader, else undefined. */
  config?: Buffer;
}

/** VideoFrameType, FLV v10.1 E.4.3.1 and E-RTMP v2. */
const FRAME_KEY = 1;
const FRAME_COMMAND = 5;

/** CodecID, FLV v10.1 E.4.3.1; 12 is the pre-standard HEVC id (same layout as AVC) many Chinese CDNs use. */
const LEGACY_CODECS: readonly VideoCodec[] = [
  'unknown',
  'unknown',
  'sorenson', // 2 Sorenson H.263
  'screen', // 3 Screen video
  'vp6', // 4 On2 VP6
  'vp6', // 5 On2 VP6 with alpha channel
  'screen', // 6 Screen video version 2
  'h264', // 7 AVC
  'unknown',
  'unknown',
  'unknown',
  'unknown',
  'hevc', // 12
  'unknown',
  'unknown',
  'unknown',
];
const CODEC_AVC = 7;
const CODEC_HEVC_LEGACY = 12;

/** AVCPacketType (E.4.3.1 AVCVIDEOPACKET). */
const AVC_SEQUENCE_HEADER = 0;
const AVC_NALU = 1;
const AVC_END_OF_SEQUENCE = 2;
/** FrameType|CodecID, AVCPacketType, CompositionTime (SI24). */
const AVC_HEADER_SIZE = 5;

/** VideoPacketType, E-RTMP v2 "Enhanced Video" (7, ModEx, is consumed by skipModEx). */
const EX_SEQUENCE_START = 0;
const EX_SEQUENCE_END = 2;
const EX_METADATA = 4;
const EX_MPEG2TS_SEQUENCE_START = 5;
const EX_MULTITRACK = 6;

/** VideoFourCc, E-RTMP v2. */
const FOURCC_CODECS: ReadonlyMap<string, VideoCodec> = new Map([
  ['avc1', 'h264'],
  ['hvc1', 'hevc'],
  ['av01', 'av1'],
  ['vp09', 'vp9'],
  ['vp08', 'vp8'],
]);

/** Reads the first bytes of an FLV/RTMP video payload; ProtocolError 'FLV_BAD_TAG' when too short. */
export function parseVideoTag(payload: Buffer): VideoTagInfo {
  const first = payload[0];
  if (first === undefined) bad('video tag is empty');
  if ((first & 0x80) !== 0) return parseEnhanced(payload, first);

  const frameType = first >>> 4;
  const codecId = first & 0x0f;
  const codec = LEGACY_CODECS[codecId] as VideoCodec;
  const info: VideoTagInfo = {
    codec,
    fourCc: undefined,
    enhanced: false,
    keyframe: frameType === FRAME_KEY,
    sequenceHeader: false,
    endOfSequence: false,
    config: undefined,
  };
  // A command frame carries a VideoCommand byte instead of media.
  if (frameType === FRAME_COMMAND || (codecId !== CODEC_AVC && codecId !== CODEC_HEVC_LEGACY)) return info;

  if (payload.length < AVC_HEADER_SIZE) bad(`${codec} video tag is shorter than its ${AVC_HEADER_SIZE}-byte header`);
  const packetType = payload[1];
  if (packetType === AVC_SEQUENCE_HEADER) {
    info.sequenceHeader = true;
    info.config = payload.subarray(AVC_HEADER_SIZE);
  } else if (packetType === AVC_END_OF_SEQUENCE) {
    info.endOfSequence = true;
  } else if (packetType !== AVC_NALU) {
    bad(`${codec} video tag has unknown AVCPacketType ${packetType}`);
  }
  return info;
}

function parseEnhanced(payload: Buffer, first: number): VideoTagInfo {
  const frameType = (first >>> 4) & 0x07;
  const [packetType, offset] = skipModEx(payload, first & 0x0f, 1, 'enhanced video tag');
  const info: VideoTagInfo = {
    codec: 'unknown',
    fourCc: undefined,
    enhanced: true,
    keyframe: false,
    sequenceHeader: false,
    endOfSequence: false,
    config: undefined,
  };
  // A command frame (other than Metadata, which ignores the frame type) has a VideoCommand byte and no FourCC.
  if (frameType === FRAME_COMMAND && packetType !== EX_METADATA) return info;

  const track = readExTrack(payload, packetType, offset, EX_MULTITRACK, 'enhanced video tag');
  if (track.packetType > EX_MULTITRACK) bad(`enhanced video tag has reserved VideoPacketType ${track.packetType}`);
  info.fourCc = track.fourCc;
  info.codec = FOURCC_CODECS.get(track.fourCc) ?? 'unknown';
  info.keyframe = frameType === FRAME_KEY && track.packetType !== EX_METADATA;
  if (track.packetType === EX_SEQUENCE_START || track.packetType === EX_MPEG2TS_SEQUENCE_START) {
    info.sequenceHeader = true;
    info.config = track.body;
  } else if (track.packetType === EX_SEQUENCE_END) {
    info.endOfSequence = true;
  }
  return info;
}

function bad(message: string): never {
  throw new ProtocolError('FLV_BAD_TAG', message);
}
