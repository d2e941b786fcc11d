/**
 * The header of an unmasked, final, binary WebSocket frame carrying `length` payload bytes (RFC 6455 5.2): FIN + opcode
 * 0x2, then the payload length in 7 bits, or 126 + 16 bits, or 127 + 64 bits. A server's frames are not masked (5.1),
 * so the same header and payload serve every client.
 */
export function wsBinaryFrameHeader(length: number): Buffer {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`frame length ${length} is not a byte count`);
  const FIN_BINARY = 0x82;
  if (length < 126) return Buffer.from([FIN_BINARY, length]);
  if (length < 0x10000) {
    const header = Buffer.allocUnsafe(4);
    header[0] = FIN_BINARY;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
    return header;
  }
  const header = Buffer.allocUnsafe(10);
  header[0] = FIN_BINARY;
  header[1] = 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  return header;
}

/** RFC 6455 5.2 opcodes. */
export const WsOpcode = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** RFC 6455 5.5: a control frame's payload is at most this long. */
export const WS_MAX_CONTROL_PAYLOAD = 125;

/** An unmasked, final control frame (close, ping, pong) from the server (RFC 6455 5.5). */
export function wsControlFrame(opcode: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  if (payload.length > WS_MAX_CONTROL_PAYLOAD) throw new RangeError(`a control frame carries at most ${WS_MAX_CONTROL_PAYLOAD} bytes, not ${payload.length}`);
  return Buffer.concat([Buffer.from([0x80 | opcode, payload.length]), payload]);
}

/** A close frame with a status code and a reason cut to fit, without splitting a character (RFC 6455 5.5.1). */
export function wsCloseFrame(code: number, reason: string): Buffer {
  const text = Buffer.from(reason);
  let end = Math.min(text.length, WS_MAX_CONTROL_PAYLOAD - 2);
  // Cut before a continuation byte (10xxxxxx) so no character is split.
  while (end > 0 && end < text.length && ((text[end] ?? 0) & 0xc0) === 0x80) end--;
  const payload = Buffer.allocUnsafe(2 + end);
  payload.writeUInt16BE(code, 0);
  text.copy(payload, 2, 0, end);
  return wsControlFrame(WsOpcode.close, payload);
}
