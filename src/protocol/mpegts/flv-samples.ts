/** The elementary-stream samples inside FLV / RTMP media payloads (FLV v10.1 E.4.2.1 and E.4.3.1). */

/** SoundFormat 10 (AAC) in the upper nibble of the first byte. */
const SOUND_FORMAT_AAC = 10;
const AAC_RAW = 1;
/** FrameType | CodecID with CodecID 7 (AVC), no enhanced-RTMP bit. */
const CODEC_AVC = 7;
const AVC_NALU = 1;
/** FrameType|CodecID, AVCPacketType, CompositionTime (SI24). */
const AVC_HEADER_SIZE = 5;

export interface AvcSample {
  /** CompositionTime: PTS minus DTS, in milliseconds (may be negative). */
  compositionMs: number;
  /** Length-prefixed NAL units (AVCC). */
  data: Buffer;
}

/** The AVC sample of a legacy AVC video payload with AVCPacketType 1, else undefined (headers, other codecs). */
export function avcSampleOf(payload: Buffer): AvcSample | undefined {
  if (payload.length <= AVC_HEADER_SIZE) return undefined;
  const first = payload[0] as number;
  if ((first & 0x80) !== 0 || (first & 0x0f) !== CODEC_AVC || payload[1] !== AVC_NALU) return undefined;
  return { compositionMs: payload.readIntBE(2, 3), data: payload.subarray(AVC_HEADER_SIZE) };
}

/** The raw AAC frame of a legacy AAC audio payload with AACPacketType 1, else undefined. */
export function aacFrameOf(payload: Buffer): Buffer | undefined {
  if (payload.length <= 2 || (payload[0] as number) >>> 4 !== SOUND_FORMAT_AAC || payload[1] !== AAC_RAW) return undefined;
  return payload.subarray(2);
}

/** The AVCDecoderConfigurationRecord of a legacy AVC sequence header (AVCPacketType 0), else undefined. */
export function avcConfigRecordOf(payload: Buffer): Buffer | undefined {
  if (payload.length <= AVC_HEADER_SIZE) return undefined;
  const first = payload[0] as number;
  if ((first & 0x80) !== 0 || (first & 0x0f) !== CODEC_AVC || payload[1] !== 0) return undefined;
  return payload.subarray(AVC_HEADER_SIZE);
}

/** The AudioSpecificConfig of a legacy AAC sequence header (AACPacketType 0), else undefined. */
export function aacConfigOf(payload: Buffer): Buffer | undefined {
  if (payload.length <= 2 || (payload[0] as number) >>> 4 !== SOUND_FORMAT_AAC || payload[1] !== 0) return undefined;
  return payload.subarray(2);
}
