// The few RTMP bytes a benchmark viewer needs, hand-rolled so the load generator does not
// depend on the code under test (Adobe RTMP 1.0 spec; AMF0 spec, amf0-file-format-specification).

import { randomBytes } from 'node:crypto';

export const HANDSHAKE_SIZE = 1536; // RTMP 1.0 §5.2.3: C1/S1/C2/S2 are 1536 bytes
export const DEFAULT_CHUNK_SIZE = 128; // RTMP 1.0 §5.3.1: until Set Chunk Size
export const EXTENDED_TIMESTAMP = 0xffffff; // §5.3.1.3: the 24-bit field says "see the Extended Timestamp"

export const MSG = Object.freeze({
  SET_CHUNK_SIZE: 1,
  ABORT: 2,
  ACK: 3,
  USER_CONTROL: 4,
  WINDOW_ACK_SIZE: 5,
  SET_PEER_BANDWIDTH: 6,
  AUDIO: 8,
  VIDEO: 9,
  DATA_AMF0: 18,
  COMMAND_AMF0: 20,
});

/** C0 (version 3) + C1 (time 0, zero 0, 1528 random bytes): the plain handshake, §5.2.2-5.2.3. */
export function c0c1() {
  const b = Buffer.alloc(1 + HANDSHAKE_SIZE);
  b[0] = 3;
  randomBytes(HANDSHAKE_SIZE - 8).copy(b, 9);
  return b;
}

// --- AMF0 (only what connect/createStream/play and their replies use) ---

export function amf0Encode(values) {
  const parts = [];
  for (const v of values) encodeValue(v, parts);
  return Buffer.concat(parts);
}

function encodeValue(v, parts) {
  if (v === null) {
    parts.push(Buffer.from([0x05]));
  } else if (typeof v === 'number') {
    const b = Buffer.alloc(9);
    b[0] = 0x00;
    b.writeDoubleBE(v, 1);
    parts.push(b);
  } else if (typeof v === 'boolean') {
    parts.push(Buffer.from([0x01, v ? 1 : 0]));
  } else if (typeof v === 'string' && Buffer.byteLength(v) > 0xffff) {
    // AMF0 2.14 long string: marker 0x0C, u32 length
    const body = Buffer.from(v, 'utf8');
    const head = Buffer.alloc(5);
    head[0] = 0x0c;
    head.writeUInt32BE(body.length, 1);
    parts.push(head, body);
  } else if (typeof v === 'string') {
    parts.push(Buffer.from([0x02]), shortString(v));
  } else if (typeof v === 'object') {
    parts.push(Buffer.from([0x03]));
    for (const [k, val] of Object.entries(v)) {
      parts.push(shortString(k));
      encodeValue(val, parts);
    }
    parts.push(Buffer.from([0x00, 0x00, 0x09]));
  } else {
    throw new Error(`amf0Encode: unsupported ${typeof v}`);
  }
}

function shortString(s) {
  const body = Buffer.from(s, 'utf8');
  const b = Buffer.alloc(2 + body.length);
  b.writeUInt16BE(body.length, 0);
  body.copy(b, 2);
  return b;
}

/**
 * Decodes an AMF0 command body into an array of values, the first `count` of them (all by default: a client reads a
 * reply's name and transaction id first, and the rest only when it needs them); throws on malformed input.
 */
export function amf0Decode(buf, count = Infinity) {
  const out = [];
  const pos = { i: 0 };
  while (pos.i < buf.length && out.length < count) out.push(decodeValue(buf, pos, 0));
  return out;
}

function decodeValue(buf, pos, depth) {
  if (depth > 16) throw new Error('amf0 too deep');
  const marker = buf[pos.i++];
  switch (marker) {
    case 0x00: {
      const v = buf.readDoubleBE(pos.i);
      pos.i += 8;
      return v;
    }
    case 0x01:
      return buf[pos.i++] !== 0;
    case 0x02:
      return readString(buf, pos, 2);
    case 0x0c:
      return readString(buf, pos, 4);
    case 0x03:
      return readProps(buf, pos, depth);
    case 0x08:
      pos.i += 4; // ECMA array count is advisory; the properties end with an object-end marker
      return readProps(buf, pos, depth);
    case 0x05:
      return null;
    case 0x06:
      return undefined;
    case 0x0a: {
      const n = buf.readUInt32BE(pos.i);
      pos.i += 4;
      const arr = [];
      for (let k = 0; k < n; k++) arr.push(decodeValue(buf, pos, depth + 1));
      return arr;
    }
    case 0x0b: {
      const v = new Date(buf.readDoubleBE(pos.i));
      pos.i += 10;
      return v;
    }
    default:
      throw new Error(`amf0 marker ${marker} unsupported`);
  }
}

function readString(buf, pos, lenBytes) {
  const n = lenBytes === 2 ? buf.readUInt16BE(pos.i) : buf.readUInt32BE(pos.i);
  pos.i += lenBytes;
  if (pos.i + n > buf.length) throw new RangeError('amf0 string past end');
  const s = buf.toString('utf8', pos.i, pos.i + n);
  pos.i += n;
  return s;
}

function readProps(buf, pos, depth) {
  const obj = {};
  for (;;) {
    const key = readString(buf, pos, 2);
    if (key === '' && buf[pos.i] === 0x09) {
      pos.i++;
      return obj;
    }
    obj[key] = decodeValue(buf, pos, depth + 1);
  }
}

// --- chunk writing: fmt 0 header, then fmt 3 continuations (§5.3.1) ---

/**
 * One message as chunks of at most `chunkSize` bytes on chunk stream `csid` (2..63). A timestamp of 0xFFFFFF or more
 * goes in the Extended Timestamp field, which then follows every chunk header of the message, fmt 3 ones too (§5.3.1.3).
 */
export function encodeMessage({ csid, type, streamId, payload, chunkSize = DEFAULT_CHUNK_SIZE, timestamp = 0 }) {
  const pieces = Math.max(1, Math.ceil(payload.length / chunkSize));
  const extended = timestamp >= EXTENDED_TIMESTAMP;
  const ext = extended ? 4 : 0;
  const out = Buffer.alloc(12 + ext + (pieces - 1) * (1 + ext) + payload.length);
  out[0] = csid; // fmt 0
  out.writeUIntBE(extended ? EXTENDED_TIMESTAMP : timestamp, 1, 3);
  out.writeUIntBE(payload.length, 4, 3);
  out[7] = type;
  out.writeUInt32LE(streamId, 8); // message stream id is little-endian, §5.3.1.2.1
  let o = 12;
  if (extended) o = out.writeUInt32BE(timestamp % 0x100000000, o);
  for (let p = 0; p < payload.length; p += chunkSize) {
    if (p > 0) {
      out[o++] = 0xc0 | csid; // fmt 3
      if (extended) o = out.writeUInt32BE(timestamp % 0x100000000, o);
    }
    o += payload.copy(out, o, p, Math.min(p + chunkSize, payload.length));
  }
  return out;
}

export function commandMessage(streamId, values) {
  return encodeMessage({ csid: 3, type: MSG.COMMAND_AMF0, streamId, payload: amf0Encode(values) });
}

/** Set Chunk Size (§5.4.1): the sender's chunks are at most `size` bytes from now on. */
export function setChunkSizeMessage(size) {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(size & 0x7fffffff, 0);
  return encodeMessage({ csid: 2, type: MSG.SET_CHUNK_SIZE, streamId: 0, payload });
}

/** Acknowledgement (§5.4.3): the total bytes received so far, modulo 2^32. */
export function ackMessage(totalBytes) {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(totalBytes % 0x100000000, 0);
  return encodeMessage({ csid: 2, type: MSG.ACK, streamId: 0, payload });
}

/** User Control PingResponse (§7.1.7, event 7) echoing the ping's timestamp. */
export function pingResponse(timestampBytes) {
  const payload = Buffer.alloc(6);
  payload.writeUInt16BE(7, 0);
  timestampBytes.copy(payload, 2, 0, 4);
  return encodeMessage({ csid: 2, type: MSG.USER_CONTROL, streamId: 0, payload });
}

