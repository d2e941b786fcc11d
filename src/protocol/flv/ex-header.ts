import { ProtocolError } from '../../errors.js';

/**
 * The parts of the Enhanced RTMP v2 ExVideoTagHeader / ExAudioTagHeader that audio and video share: ModEx
 * wrappers, the Multitrack wrapper and the FourCC ("Enhanced Audio" / "Enhanced Video" sections).
 */

/** PacketType ModEx: the same value (7) in the audio and video packet type tables. */
export const PACKET_TYPE_MOD_EX = 7;

/** AvMultitrackType: OneTrack 0, ManyTracks 1, ManyTracksManyCodecs 2; 3-15 reserved. */
const MULTITRACK_ONE_TRACK = 0;
const MULTITRACK_MANY_CODECS = 2;

export interface ExTrack {
  /** The packet type of the first (or only) track. */
  packetType: number;
  fourCc: string;
  /** That track's body: everything after its header, bounded by sizeOfTrack in multitrack messages. */
  body: Buffer;
}

/**
 * Reads past ModEx wrappers: modExDataSize (UI8 + 1, or UI16 + 1 when the UI8 form reads 256), modExData, then a
 * byte of ModExType (high 4 bits) and the next packet type (low 4 bits). Every wrapper takes at least 3 bytes, so
 * the loop ends with the payload.
 */
export function skipModEx(payload: Buffer, packetType: number, offset: number, what: string): [number, number] {
  let type = packetType;
  let pos = offset;
  while (type === PACKET_TYPE_MOD_EX) {
    let size = byteAt(payload, pos, what) + 1;
    pos += 1;
    if (size === 256) {
      size = ((byteAt(payload, pos, what) << 8) | byteAt(payload, pos + 1, what)) + 1;
      pos += 2;
    }
    pos += size;
    type = byteAt(payload, pos, what) & 0x0f;
    pos += 1;
  }
  return [type, pos];
}

/**
 * Reads the FourCC and, for a Multitrack message, the multitrack header and the first track's header.
 * `multitrackPacketType` is the packet type that switches multitrack mode on (video 6, audio 5).
 */
export function readExTrack(
  payload: Buffer,
  packetType: number,
  offset: number,
  multitrackPacketType: number,
  what: string,
): ExTrack {
  let pos = offset;
  if (packetType !== multitrackPacketType) {
    const fourCc = fourCcAt(payload, pos, what);
    return { packetType, fourCc, body: payload.subarray(pos + 4) };
  }
  const byte = byteAt(payload, pos, what);
  pos += 1;
  const multitrackType = byte >>> 4;
  const trackPacketType = byte & 0x0f;
  if (multitrackType > MULTITRACK_MANY_CODECS) bad(`${what} uses reserved AvMultitrackType ${multitrackType}`);
  if (trackPacketType === multitrackPacketType) bad(`${what} nests a Multitrack packet inside a Multitrack packet`);
  // One FourCC for all tracks, unless each track names its own (ManyTracksManyCodecs).
  const fourCc = fourCcAt(payload, pos, what);
  pos += 4;
  pos += 1; // trackId
  let end = payload.length;
  if (multitrackType !== MULTITRACK_ONE_TRACK) {
    const size =
      (byteAt(payload, pos, what) << 16) | (byteAt(payload, pos + 1, what) << 8) | byteAt(payload, pos + 2, what);
    pos += 3;
    end = pos + size;
    if (end > payload.length) bad(`${what} track size runs past the message`);
  }
  if (pos > end) bad(`${what} is truncated`);
  return { packetType: trackPacketType, fourCc, body: payload.subarray(pos, end) };
}

function fourCcAt(payload: Buffer, pos: number, what: string): string {
  if (pos + 4 > payload.length) bad(`${what} is truncated before its FourCC`);
  return payload.toString('latin1', pos, pos + 4);
}

function byteAt(payload: Buffer, pos: number, what: string): number {
  const byte = payload[pos];
  if (byte === undefined) bad(`${what} is truncated`);
  return byte;
}

function bad(message: string): never {
  throw new ProtocolError('FLV_BAD_TAG', message);
}
