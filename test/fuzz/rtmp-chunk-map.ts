/**
 * Where the chunk headers of a recorded client-to-server RTMP byte stream are, so that a mutation can rewrite one
 * field (a message length, a type id, a timestamp) instead of a random byte. Written here from the spec, independently
 * of src/protocol, so the fuzzer does not share the parser's mistakes. It maps what it understands and stops at the
 * first thing it does not (the recording is a real client's, so that is the end of the bytes).
 */

/** Spec 5.2: C0 is one byte, C1 and C2 1536 each. */
export const HANDSHAKE_BYTES = 1 + 1536 + 1536;
/** Spec 5.4.1: the chunk size until a Set Chunk Size message says otherwise. */
const DEFAULT_CHUNK_SIZE = 128;
/** Spec 5.3.1.3: a timestamp field of 0xFFFFFF means a 4-byte extended timestamp follows the header. */
const EXTENDED = 0xffffff;
/** Spec 5.3.1.2: message header sizes by fmt. */
const MESSAGE_HEADER_BYTES = [11, 7, 3, 0] as const;
export const TYPE_SET_CHUNK_SIZE = 1;

export interface ChunkInfo {
  /** Offset of the basic header in the whole stream (handshake included). */
  offset: number;
  fmt: number;
  csid: number;
  basicBytes: number;
  /** Offsets of the message header fields present in this chunk (by fmt). */
  timestampAt?: number;
  lengthAt?: number;
  typeIdAt?: number;
  streamIdAt?: number;
  extendedTimestampAt?: number;
  payloadAt: number;
  payloadBytes: number;
  /** This chunk starts a message (its first chunk). */
  messageStart: boolean;
  typeId: number;
  messageLength: number;
  /** The chunk size in effect for this chunk. */
  chunkSize: number;
}

interface StreamState {
  length: number;
  typeId: number;
  extended: boolean;
  remaining: number;
}

export interface ChunkMap {
  chunks: ChunkInfo[];
  /** Where mapping stopped (the stream's length when every byte was understood). */
  mappedTo: number;
}

export function mapChunks(bytes: Buffer): ChunkMap {
  const chunks: ChunkInfo[] = [];
  const streams = new Map<number, StreamState>();
  let chunkSize = DEFAULT_CHUNK_SIZE;
  let pos = HANDSHAKE_BYTES;
  let setChunkSizePayload: Buffer[] | undefined;
  let mappedTo = pos;
  while (pos < bytes.length) {
    const start = pos;
    const b0 = bytes[pos] as number;
    const fmt = b0 >> 6;
    let csid = b0 & 0x3f;
    let basicBytes = 1;
    if (csid === 0) {
      if (pos + 2 > bytes.length) break;
      csid = 64 + (bytes[pos + 1] as number);
      basicBytes = 2;
    } else if (csid === 1) {
      if (pos + 3 > bytes.length) break;
      csid = 64 + (bytes[pos + 1] as number) + (bytes[pos + 2] as number) * 256;
      basicBytes = 3;
    }
    pos += basicBytes;
    const headerBytes = MESSAGE_HEADER_BYTES[fmt as 0 | 1 | 2 | 3];
    if (pos + headerBytes > bytes.length) break;
    const previous = streams.get(csid);
    if (fmt !== 0 && previous === undefined) break;
    const info: Partial<ChunkInfo> = { offset: start, fmt, csid, basicBytes };
    const state: StreamState = previous ?? { length: 0, typeId: 0, extended: false, remaining: 0 };
    if (fmt <= 2) {
      info.timestampAt = pos;
      state.extended = bytes.readUIntBE(pos, 3) === EXTENDED;
    }
    if (fmt <= 1) {
      info.lengthAt = pos + 3;
      info.typeIdAt = pos + 6;
      state.length = bytes.readUIntBE(pos + 3, 3);
      state.typeId = bytes[pos + 6] as number;
    }
    if (fmt === 0) info.streamIdAt = pos + 7;
    pos += headerBytes;
    if (state.extended) {
      if (pos + 4 > bytes.length) break;
      info.extendedTimestampAt = pos;
      pos += 4;
    }
    const messageStart = state.remaining === 0;
    if (messageStart) state.remaining = state.length;
    const payloadBytes = Math.min(chunkSize, state.remaining);
    if (pos + payloadBytes > bytes.length) break;
    chunks.push({
      ...(info as ChunkInfo),
      payloadAt: pos,
      payloadBytes,
      messageStart,
      typeId: state.typeId,
      messageLength: state.length,
      chunkSize,
    });
    if (state.typeId === TYPE_SET_CHUNK_SIZE) {
      if (messageStart) setChunkSizePayload = [];
      setChunkSizePayload?.push(bytes.subarray(pos, pos + payloadBytes));
    }
    state.remaining -= payloadBytes;
    streams.set(csid, state);
    pos += payloadBytes;
    if (state.remaining === 0 && state.typeId === TYPE_SET_CHUNK_SIZE && setChunkSizePayload !== undefined) {
      const payload = Buffer.concat(setChunkSizePayload);
      // Spec 5.4.1: the top bit is reserved (0); a size of 0 is invalid, so stop mapping there.
      const size = payload.length >= 4 ? payload.readUInt32BE(0) & 0x7fffffff : 0;
      if (size === 0) break;
      chunkSize = size;
      setChunkSizePayload = undefined;
    }
    mappedTo = pos;
  }
  return { chunks, mappedTo };
}
