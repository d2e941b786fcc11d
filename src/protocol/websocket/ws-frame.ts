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
