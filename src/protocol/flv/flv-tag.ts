import { BugError } from '../../errors.js';

/** TagType, FLV v10.1 E.4.1. */
export const FlvTagType = { Audio: 8, Video: 9, Script: 18 } as const;

/** TagType, DataSize (UI24), Timestamp (UI24), TimestampExtended (UI8), StreamID (UI24): FLV v10.1 E.4.1. */
export const FLV_TAG_HEADER_SIZE = 11;

/** The FLV header (E.2, 9 bytes) plus PreviousTagSize0 (E.3, UI32 0). */
export const FLV_FILE_HEADER_SIZE = 13;

/** Each tag is followed by a UI32 PreviousTagSize (E.3). */
export const FLV_PREVIOUS_TAG_SIZE_SIZE = 4;

/**
 * Largest tag payload the reader accepts by default. DataSize is a UI24 (16 MiB - 1); a single media frame of
 * 8 MiB is already far beyond any live bitrate we serve, so anything larger is treated as hostile.
 */
export const MAX_FLV_TAG_SIZE = 8 * 1024 * 1024;

/** DataSize is a UI24 (E.4.1): the writer cannot express a larger payload. */
const MAX_ENCODABLE_DATA_SIZE = 0xffffff;

export interface FlvTag {
  type: number;
  /** Milliseconds, 32 bits: Timestamp (lower 24) | TimestampExtended (upper 8), E.4.1. */
  timestamp: number;
  payload: Buffer;
}

/** 'FLV' v1 header with the audio/video flags, plus PreviousTagSize0 (13 bytes). */
export function flvFileHeader(flags: { audio: boolean; video: boolean }): Buffer {
  const out = Buffer.alloc(FLV_FILE_HEADER_SIZE);
  out[0] = 0x46; // 'F'
  out[1] = 0x4c; // 'L'
  out[2] = 0x56; // 'V'
  out[3] = 1;
  // TypeFlagsAudio is bit 2, TypeFlagsVideo bit 0 (E.2).
  out[4] = (flags.audio ? 0x04 : 0) | (flags.video ? 0x01 : 0);
  out.writeUInt32BE(9, 5); // DataOffset: the header's own size in version 1
  // PreviousTagSize0 stays 0.
  return out;
}

/** One tag: 11-byte header (24-bit timestamp + 8-bit extension), payload, PreviousTagSize. One allocation. */
export function writeFlvTag(type: number, timestamp: number, payload: Buffer): Buffer {
  const size = payload.length;
  if (size > MAX_ENCODABLE_DATA_SIZE) {
    throw new BugError(`FLV tag payload of ${size} bytes does not fit the 24-bit DataSize`);
  }
  const ts = timestamp >>> 0;
  const tagSize = FLV_TAG_HEADER_SIZE + size;
  const out = Buffer.allocUnsafe(tagSize + FLV_PREVIOUS_TAG_SIZE_SIZE);
  out[0] = type & 0x1f; // reserved bits and Filter (no encryption) are 0
  out[1] = size >>> 16;
  out[2] = (size >>> 8) & 0xff;
  out[3] = size & 0xff;
  out[4] = (ts >>> 16) & 0xff;
  out[5] = (ts >>> 8) & 0xff;
  out[6] = ts & 0xff;
  out[7] = ts >>> 24; // TimestampExtended: bits 24-31
  out[8] = 0; // StreamID: always 0
  out[9] = 0;
  out[10] = 0;
  payload.copy(out, FLV_TAG_HEADER_SIZE);
  out.writeUInt32BE(tagSize, tagSize);
  return out;
}

/**
 * The same tag as writeFlvTag, as [tag header, payload, PreviousTagSize] with the payload not copied: for large
 * tags sent to many viewers, the bytes held per tag are the payload itself plus 15.
 */
export function writeFlvTagParts(type: number, timestamp: number, payload: Buffer): [Buffer, Buffer, Buffer] {
  const size = payload.length;
  if (size > MAX_ENCODABLE_DATA_SIZE) {
    throw new BugError(`FLV tag payload of ${size} bytes does not fit the 24-bit DataSize`);
  }
  const ts = timestamp >>> 0;
  const framing = Buffer.allocUnsafe(FLV_TAG_HEADER_SIZE + FLV_PREVIOUS_TAG_SIZE_SIZE);
  framing[0] = type & 0x1f;
  framing.writeUIntBE(size, 1, 3);
  framing.writeUIntBE(ts & 0xffffff, 4, 3);
  framing[7] = ts >>> 24;
  framing.writeUIntBE(0, 8, 3);
  framing.writeUInt32BE(FLV_TAG_HEADER_SIZE + size, FLV_TAG_HEADER_SIZE);
  return [framing.subarray(0, FLV_TAG_HEADER_SIZE), payload, framing.subarray(FLV_TAG_HEADER_SIZE)];
}
