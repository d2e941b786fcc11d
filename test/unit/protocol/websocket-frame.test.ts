import { describe, expect, it } from 'vitest';
import { wsBinaryFrameHeader } from '../../../src/protocol/websocket/ws-frame.js';

// RFC 6455 5.2: FIN=1, opcode=2 -> 0x82; MASK=0 from a server; 7-bit, 16-bit (126) or 64-bit (127) lengths.
describe('wsBinaryFrameHeader', () => {
  it.each([
    [0, [0x82, 0]],
    [125, [0x82, 125]],
    [126, [0x82, 126, 0, 126]],
    [65535, [0x82, 126, 0xff, 0xff]],
    [65536, [0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]],
    [8 * 1024 * 1024, [0x82, 127, 0, 0, 0, 0, 0, 0x80, 0, 0]],
  ])('frames %i payload bytes', (length, bytes) => {
    expect([...wsBinaryFrameHeader(length)]).toEqual(bytes);
  });

  it('refuses a length that is not a byte count', () => {
    expect(() => wsBinaryFrameHeader(-1)).toThrow(RangeError);
    expect(() => wsBinaryFrameHeader(1.5)).toThrow(RangeError);
  });
});
