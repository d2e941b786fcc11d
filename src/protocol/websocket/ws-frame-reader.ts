import { isUtf8 } from 'node:buffer';
import { WS_MAX_CONTROL_PAYLOAD, WsOpcode } from './ws-frame.js';

/** What a client's frames amounted to: a viewer's messages carry nothing the server uses, so only their end is said. */
export type WsEvent = { kind: 'ping'; payload: Buffer } | { kind: 'pong' } | { kind: 'message' } | { kind: 'close'; code: number | undefined; reason: string };

const EMPTY = Buffer.alloc(0);
const KNOWN_OPCODES: ReadonlySet<number> = new Set(Object.values(WsOpcode));

/** The client broke RFC 6455: the connection is failed with `code` (7.4.1) and `message` as the close reason. */
export class WsProtocolError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** RFC 6455 7.4.1 status codes the server sends. */
export const WsClose = { normal: 1000, goingAway: 1001, protocolError: 1002, invalidData: 1007, tooBig: 1009, internalError: 1011 } as const;

/**
 * Reads a client's frames (RFC 6455 5.2) incrementally, holding at most one frame of `maxMessageBytes` (the whole
 * message, when it is fragmented): client frames must be masked (5.1), control frames short and whole (5.5),
 * continuation only within a fragmented message (5.4), no RSV bit without an extension (5.2), text valid UTF-8
 * (8.1), a close frame's code one a peer may send (7.4). A breach throws WsProtocolError; after a close frame the
 * rest is ignored.
 */
export class WsFrameReader {
  private pending: Buffer = EMPTY;
  /** The opcode of the fragmented message in progress (text or binary), or undefined. */
  private messageOpcode: number | undefined;
  private messageBytes = 0;
  private textParts: Buffer[] = [];
  private closed = false;

  constructor(private readonly maxMessageBytes: number) {}

  push(data: Buffer): WsEvent[] {
    if (this.closed) return [];
    this.pending = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    const events: WsEvent[] = [];
    for (;;) {
      const event = this.nextFrame();
      if (event === undefined) break;
      if (event !== null) events.push(event);
      if (this.closed) break;
    }
    // What is left is less than a frame (at most 14 header bytes and maxMessageBytes): a copy of its own, not a view
    // that keeps the socket's whole read alive.
    this.pending = this.pending.length === 0 ? EMPTY : Buffer.from(this.pending);
    return events;
  }

  /** One frame's event (null for a frame that makes none yet), or undefined when the next frame is not all here. */
  private nextFrame(): WsEvent | null | undefined {
    const bytes = this.pending;
    if (bytes.length < 2) return undefined;
    const b0 = bytes[0] as number;
    const b1 = bytes[1] as number;
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    if ((b0 & 0x70) !== 0) throw new WsProtocolError(WsClose.protocolError, 'RSV bits set without an extension');
    if (!KNOWN_OPCODES.has(opcode)) throw new WsProtocolError(WsClose.protocolError, `unknown opcode ${opcode}`);
    if ((b1 & 0x80) === 0) throw new WsProtocolError(WsClose.protocolError, 'client frames must be masked');
    const control = opcode >= WsOpcode.close;
    let length = b1 & 0x7f;
    let offset = 2;
    if (control && !fin) throw new WsProtocolError(WsClose.protocolError, 'a control frame may not be fragmented');
    if (control && length > WS_MAX_CONTROL_PAYLOAD) throw new WsProtocolError(WsClose.protocolError, `a control frame carries at most ${WS_MAX_CONTROL_PAYLOAD} bytes`);
    if (length === 126) {
      if (bytes.length < 4) return undefined;
      length = bytes.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (bytes.length < 10) return undefined;
      const high = bytes.readUInt32BE(2);
      if (high >= 0x80000000) throw new WsProtocolError(WsClose.protocolError, 'a 64-bit length with its top bit set');
      length = high > 0 ? Number.MAX_SAFE_INTEGER : bytes.readUInt32BE(6);
      offset = 10;
    }
    if (!control) this.checkDataFrame(opcode, length);
    if (bytes.length < offset + 4 + length) return undefined;
    const payload = unmask(bytes.subarray(offset + 4, offset + 4 + length), bytes.subarray(offset, offset + 4));
    this.pending = bytes.subarray(offset + 4 + length);
    return control ? this.controlEvent(opcode, payload) : this.dataEvent(opcode, fin, payload);
  }

  private checkDataFrame(opcode: number, length: number): void {
    if (opcode === WsOpcode.continuation && this.messageOpcode === undefined) throw new WsProtocolError(WsClose.protocolError, 'a continuation frame with no message to continue');
    if (opcode !== WsOpcode.continuation && this.messageOpcode !== undefined) throw new WsProtocolError(WsClose.protocolError, 'a new message before the last one ended');
    if (this.messageBytes + length > this.maxMessageBytes) throw new WsProtocolError(WsClose.tooBig, `a viewer's messages are at most ${this.maxMessageBytes} bytes`);
  }

  private dataEvent(opcode: number, fin: boolean, payload: Buffer): WsEvent | null {
    const messageOpcode = this.messageOpcode ?? opcode;
    this.messageBytes += payload.length;
    if (messageOpcode === WsOpcode.text) this.textParts.push(payload);
    if (!fin) {
      this.messageOpcode = messageOpcode;
      return null;
    }
    const text = this.textParts;
    this.messageOpcode = undefined;
    this.messageBytes = 0;
    this.textParts = [];
    if (messageOpcode === WsOpcode.text && !isUtf8(Buffer.concat(text))) throw new WsProtocolError(WsClose.invalidData, 'a text message that is not UTF-8');
    return { kind: 'message' };
  }

  private controlEvent(opcode: number, payload: Buffer): WsEvent {
    if (opcode === WsOpcode.ping) return { kind: 'ping', payload };
    if (opcode === WsOpcode.pong) return { kind: 'pong' };
    this.closed = true;
    if (payload.length === 0) return { kind: 'close', code: undefined, reason: '' };
    if (payload.length === 1) throw new WsProtocolError(WsClose.protocolError, 'a close frame with a one-byte payload');
    const code = payload.readUInt16BE(0);
    if (!sendableCode(code)) throw new WsProtocolError(WsClose.protocolError, `close code ${code} may not be sent`);
    const reason = payload.subarray(2);
    if (!isUtf8(reason)) throw new WsProtocolError(WsClose.invalidData, 'a close reason that is not UTF-8');
    return { kind: 'close', code, reason: reason.toString('utf8') };
  }
}

/** RFC 6455 7.4.1-7.4.2: the codes an endpoint may put in a close frame. */
function sendableCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

/** RFC 6455 5.3: XOR with the 4-byte masking key, into a copy (the input may be a slice of a socket read). */
function unmask(masked: Buffer, key: Buffer): Buffer {
  const out = Buffer.allocUnsafe(masked.length);
  for (let i = 0; i < masked.length; i++) out[i] = (masked[i] as number) ^ (key[i & 3] as number);
  return out;
}
