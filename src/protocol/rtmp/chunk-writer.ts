import { BugError } from '../../errors.js';
import { EXTENDED_TIMESTAMP, MAX_CHUNK_SIZE, MAX_CSID, MIN_CSID, type RtmpMessage } from './message-types.js';

/** Largest payload a message header can describe: the length field is 24 bits (spec 5.3.1.2.1). */
const MAX_PAYLOAD_LENGTH = 0xffffff;

/** Basic header length for a chunk stream id (spec 5.3.1.1). */
function basicHeaderLength(csid: number): number {
  if (csid <= 63) return 1;
  if (csid <= 319) return 2;
  return 3;
}

function writeBasicHeader(out: Buffer, at: number, fmt: number, csid: number): number {
  if (csid <= 63) {
    out[at] = (fmt << 6) | csid;
    return at + 1;
  }
  const id = csid - 64;
  if (csid <= 319) {
    out[at] = fmt << 6;
    out[at + 1] = id;
    return at + 2;
  }
  // Spec 5.3.1.1: the 3-byte form stores (csid - 64) low byte first.
  out[at] = (fmt << 6) | 1;
  out[at + 1] = id & 0xff;
  out[at + 2] = id >>> 8;
  return at + 3;
}

interface Layout {
  timestamp: number;
  extended: boolean;
  chunks: number;
  /** Bytes of the type-0 header of the first chunk (basic + message header + extended timestamp). */
  firstHeader: number;
  /** Bytes of each type-3 header that follows. */
  nextHeader: number;
}

/** Checks the message against the format's limits and works out its chunk layout (spec 5.3.1). */
function layout(message: RtmpMessage, chunkSize: number): Layout {
  const { csid, payload } = message;
  if (!Number.isInteger(csid) || csid < MIN_CSID || csid > MAX_CSID) {
    throw new BugError(`chunk stream id ${csid} is outside ${MIN_CSID}..${MAX_CSID}`);
  }
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
    throw new BugError(`chunk size ${chunkSize} is outside 1..${MAX_CHUNK_SIZE}`);
  }
  if (payload.length > MAX_PAYLOAD_LENGTH) {
    throw new BugError(`a payload of ${payload.length} bytes does not fit a 24-bit length`);
  }
  // RTMP timestamps are u32 milliseconds that wrap (spec 5.3.1.2.1).
  const timestamp = message.timestamp >>> 0;
  const extended = timestamp >= EXTENDED_TIMESTAMP;
  // Spec 5.3.1.3: the extended field follows every chunk header of the message, type 3 included.
  const nextHeader = basicHeaderLength(csid) + (extended ? 4 : 0);
  return {
    timestamp,
    extended,
    chunks: payload.length === 0 ? 1 : Math.ceil(payload.length / chunkSize),
    firstHeader: nextHeader + 11,
    nextHeader,
  };
}

function writeFirstHeader(out: Buffer, message: RtmpMessage, l: Layout): number {
  let at = writeBasicHeader(out, 0, 0, message.csid);
  out.writeUIntBE(l.extended ? EXTENDED_TIMESTAMP : l.timestamp, at, 3);
  out.writeUIntBE(message.payload.length, at + 3, 3);
  out[at + 6] = message.typeId;
  // Spec 5.3.1.2.1: the message stream id is little-endian.
  out.writeUInt32LE(message.streamId >>> 0, at + 7);
  at += 11;
  return l.extended ? out.writeUInt32BE(l.timestamp, at) : at;
}

function writeNextHeader(out: Buffer, at: number, message: RtmpMessage, l: Layout): number {
  const end = writeBasicHeader(out, at, 3, message.csid);
  return l.extended ? out.writeUInt32BE(l.timestamp, end) : end;
}

/**
 * Serialises one message as chunks: a type-0 header for the first chunk, type-3 for the rest, extended timestamp
 * (and its repetition in type-3 chunks) when timestamp >= 0xFFFFFF. One allocation. The result is shared by many
 * connections, so it must not depend on any per-connection state other than chunkSize.
 */
export function writeMessage(message: RtmpMessage, chunkSize: number): Buffer {
  const l = layout(message, chunkSize);
  const { payload } = message;
  const out = Buffer.allocUnsafe(l.firstHeader + (l.chunks - 1) * l.nextHeader + payload.length);
  let at = writeFirstHeader(out, message, l);
  for (let sent = 0; sent < payload.length; ) {
    if (sent > 0) at = writeNextHeader(out, at, message, l);
    const take = Math.min(chunkSize, payload.length - sent);
    at += payload.copy(out, at, sent, sent + take);
    sent += take;
  }
  return out;
}

/**
 * The same chunks as writeMessage, as a list of Buffers to write in order: small chunk headers (one allocation,
 * sliced) interleaved with views of the payload, which is not copied. For large messages sent to many connections
 * this keeps the bytes held per message to the payload itself.
 */
export function writeMessageParts(message: RtmpMessage, chunkSize: number): Buffer[] {
  const l = layout(message, chunkSize);
  const { payload } = message;
  const headers = Buffer.allocUnsafe(l.firstHeader + (l.chunks - 1) * l.nextHeader);
  let at = writeFirstHeader(headers, message, l);
  const parts: Buffer[] = [headers.subarray(0, at)];
  for (let sent = 0; sent < payload.length; ) {
    if (sent > 0) {
      const start = at;
      at = writeNextHeader(headers, at, message, l);
      parts.push(headers.subarray(start, at));
    }
    const take = Math.min(chunkSize, payload.length - sent);
    parts.push(payload.subarray(sent, sent + take));
    sent += take;
  }
  return parts;
}
