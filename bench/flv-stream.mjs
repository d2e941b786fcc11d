// FLV byte streams for the benchmark clients (FLV spec v10.1, annex E), hand-rolled so they share no code (and no
// bugs) with the server they measure: an incremental tag reader, the keyframe test, and a whole-file reader.

import { readFileSync } from 'node:fs';
import { HeaderBodyReader } from './byte-reader.mjs';

export const TAG = Object.freeze({ AUDIO: 8, VIDEO: 9, SCRIPT: 18 });
const FILE_HEADER_MIN = 9; // E.2: "FLV", version, flags, DataOffset (u32)
const TAG_HEADER = 11; // E.4.1: type, DataSize u24, Timestamp u24, TimestampExtended u8, StreamID u24
const PREVIOUS_TAG_SIZE = 4; // E.3: u32 after the header and after every tag
/** Payload bytes the keyframe test needs: the video tag header (E.4.3.1) or the enhanced-RTMP one. */
export const HEAD_BYTES = 2;

/**
 * True for a video message/tag payload that is a keyframe carrying a picture: frame type 1 and, for AVC, AVCPacketType
 * 1 (the sequence header is frame type 1 too, but holds no picture). Needs the first HEAD_BYTES bytes only.
 */
export function isKeyframePicture(head) {
  if (head.length < 1) return false;
  const b0 = head[0];
  if (((b0 >> 4) & 0x07) !== 1) return false;
  const isExHeader = (b0 & 0x80) !== 0; // enhanced RTMP: a FourCC follows, the packet type is the low nibble
  const codecId = b0 & 0x0f;
  if (isExHeader) return codecId === 1 || codecId === 3; // CodedFrames, CodedFramesX
  if (codecId !== 7) return true; // legacy codecs other than AVC: any keyframe is a picture
  return head.length >= 2 && head[1] === 1; // AVC NALU
}

/** True for an AVC (or enhanced-RTMP) sequence header: codec configuration, no picture. */
export function isSequenceHeader(type, head) {
  if (type === TAG.AUDIO) return head.length >= 2 && (head[0] >> 4) === 10 && head[1] === 0; // AAC, AACPacketType 0
  if (type !== TAG.VIDEO || head.length < 1) return false;
  const b0 = head[0];
  if ((b0 & 0x80) !== 0) return (b0 & 0x0f) === 0; // enhanced RTMP SequenceStart
  return (b0 & 0x0f) === 7 && head.length >= 2 && head[1] === 0;
}

/**
 * Incremental reader of an FLV byte stream (file header, then tags). `push(buf)` calls `onTag` for every complete tag
 * with `{ type, timestamp, size, head, payload }`: `head` is the first HEAD_BYTES payload bytes; `payload` is the whole
 * payload only with `keepPayload` (a counting viewer skims: it copies nothing but headers).
 * `withFileHeader: false` starts directly at a tag (the reader then expects no PreviousTagSize0 either).
 */
export class FlvTagReader extends HeaderBodyReader {
  constructor({ onTag, keepPayload = false, withFileHeader = true }) {
    super(TAG_HEADER, withFileHeader ? FILE_HEADER_MIN : TAG_HEADER);
    this.onTag = onTag;
    this.keepPayload = keepPayload;
    this.inFileHeader = withFileHeader;
    this.tag = null;
  }

  headerProgress() {
    if (this.inFileHeader) this.fileHeaderDone();
    else this.tagHeaderDone();
  }

  fileHeaderDone() {
    const h = this.header;
    if (h[0] !== 0x46 || h[1] !== 0x4c || h[2] !== 0x56) throw new Error('not an FLV stream (no "FLV" signature)');
    const dataOffset = h.readUInt32BE(5);
    if (dataOffset < FILE_HEADER_MIN) throw new Error(`FLV DataOffset ${dataOffset} < 9`);
    this.inFileHeader = false;
    this.nextHeader(TAG_HEADER);
    this.skip = dataOffset - FILE_HEADER_MIN + PREVIOUS_TAG_SIZE;
  }

  tagHeaderDone() {
    const h = this.header;
    const size = h.readUIntBE(1, 3);
    this.tag = {
      type: h[0] & 0x1f,
      size,
      timestamp: h.readUIntBE(4, 3) + h[7] * 0x1000000, // TimestampExtended holds bits 24-31
      head: Buffer.alloc(Math.min(HEAD_BYTES, size)),
      got: 0,
      parts: this.keepPayload ? [] : null,
    };
    this.inBody = true;
    if (size === 0) this.tagDone();
  }

  body(buf, i) {
    const t = this.tag;
    const n = Math.min(t.size - t.got, buf.length - i);
    if (t.got < t.head.length) buf.copy(t.head, t.got, i, i + Math.min(n, t.head.length - t.got));
    if (t.parts) t.parts.push(buf.subarray(i, i + n));
    t.got += n;
    if (t.got === t.size) this.tagDone();
    return i + n;
  }

  tagDone() {
    const t = this.tag;
    this.tag = null;
    this.nextHeader(TAG_HEADER);
    this.skip = PREVIOUS_TAG_SIZE;
    const payload = t.parts ? (t.parts.length === 1 ? t.parts[0] : Buffer.concat(t.parts)) : undefined;
    this.onTag({ type: t.type, timestamp: t.timestamp, size: t.size, head: t.head, payload });
  }
}

/** Every tag of an FLV file, payloads included: `{ type, timestamp, size, head, payload }[]`. */
export function readFlvFile(path) {
  const tags = [];
  const reader = new FlvTagReader({ keepPayload: true, onTag: (t) => tags.push(t) });
  reader.push(readFileSync(path));
  return tags;
}

/**
 * A message's identity for matching it on the way in and out of a server, which may rewrite timestamps: its type,
 * length and last bytes (the clip's frames carry noise, so no two frames of one loop end alike).
 */
export function payloadKey(type, payload) {
  const tail = payload.length >= 12 ? payload.toString('hex', payload.length - 12) : payload.toString('hex');
  return `${type}:${payload.length}:${tail}`;
}
