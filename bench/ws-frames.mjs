// The few WebSocket bytes a benchmark viewer needs (RFC 6455), hand-rolled: the opening handshake's key check, an
// incremental reader of the server's frames, and the masked frames a client sends.

import { createHash, randomBytes } from 'node:crypto';
import { HeaderBodyReader } from './byte-reader.mjs';

const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'; // RFC 6455 1.3
export const OPCODE = Object.freeze({ CONTINUATION: 0, TEXT: 1, BINARY: 2, CLOSE: 8, PING: 9, PONG: 10 });
/** Control frames carry at most 125 bytes (RFC 6455 5.5). */
const MAX_CONTROL_PAYLOAD = 125;

export function newKey() {
  return randomBytes(16).toString('base64');
}

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 4.2.2 step 5.4). */
export function acceptFor(key) {
  return createHash('sha1').update(key + ACCEPT_GUID).digest('base64');
}

/** A client-to-server frame, masked as RFC 6455 5.3 requires; control frames only (their payload is short). */
export function clientFrame(opcode, payload = Buffer.alloc(0)) {
  if (payload.length > MAX_CONTROL_PAYLOAD) throw new Error('clientFrame: control payloads only');
  const mask = randomBytes(4);
  const out = Buffer.alloc(2 + 4 + payload.length);
  out[0] = 0x80 | opcode; // FIN
  out[1] = 0x80 | payload.length; // MASK bit, 7-bit length
  mask.copy(out, 2);
  for (let i = 0; i < payload.length; i++) out[6 + i] = payload[i] ^ mask[i & 3];
  return out;
}

/**
 * Reads the server's frames: data-frame payload bytes go to `onData` as they arrive (the concatenated payloads of the
 * binary messages are the FLV stream), control frames whole to `onControl(opcode, payload)`.
 */
export class WsFrameReader extends HeaderBodyReader {
  constructor({ onData, onControl }) {
    super(14, 2); // RFC 6455 5.2: 2 bytes, up to 8 of extended length, 4 of masking key
    this.onData = onData;
    this.onControl = onControl;
    this.left = 0; // payload bytes of the current frame still to come
    this.opcode = -1;
    this.mask = null;
    this.offset = 0; // payload bytes of the current frame so far (for unmasking)
    this.control = null;
  }

  headerProgress() {
    const h = this.header;
    const len7 = h[1] & 0x7f;
    const masked = (h[1] & 0x80) !== 0;
    const want = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (masked ? 4 : 0); // RFC 6455 5.2
    if (this.headerLen < want) {
      this.headerWant = want;
      return;
    }
    const length = len7 === 126 ? h.readUInt16BE(2) : len7 === 127 ? Number(h.readBigUInt64BE(2)) : len7;
    this.mask = masked ? Buffer.from(h.subarray(want - 4, want)) : null;
    this.opcode = h[0] & 0x0f;
    this.left = length;
    this.offset = 0;
    this.inBody = true;
    if (this.opcode >= OPCODE.CLOSE) {
      if (length > MAX_CONTROL_PAYLOAD) throw new Error(`control frame of ${length} bytes`);
      this.control = [];
    }
    if (length === 0) this.frameDone();
  }

  body(buf, i) {
    const n = Math.min(this.left, buf.length - i);
    let part = buf.subarray(i, i + n);
    if (this.mask) {
      part = Buffer.from(part);
      for (let k = 0; k < part.length; k++) part[k] ^= this.mask[(this.offset + k) & 3];
    }
    this.offset += n;
    this.left -= n;
    if (this.control) this.control.push(part);
    else this.onData(part);
    if (this.left === 0) this.frameDone();
    return i + n;
  }

  frameDone() {
    const opcode = this.opcode;
    this.opcode = -1;
    this.nextHeader(2);
    if (!this.control) return;
    const payload = Buffer.concat(this.control);
    this.control = null;
    this.onControl(opcode, payload);
  }
}
