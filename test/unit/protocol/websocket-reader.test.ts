import { describe, expect, it } from 'vitest';
import { wsCloseFrame } from '../../../src/protocol/websocket/ws-frame.js';
import { type WsEvent, WsFrameReader, WsProtocolError } from '../../../src/protocol/websocket/ws-frame-reader.js';
import { checkUpgrade, switchingProtocols } from '../../../src/protocol/websocket/ws-handshake.js';

const MASK = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

/** A client frame (RFC 6455 5.2), masked unless told otherwise; `length` announces another payload length. */
function frame(opcode: number, payload: Buffer | string = '', o: { fin?: boolean; rsv?: number; masked?: boolean; length?: bigint } = {}): Buffer {
  const body = Buffer.from(payload);
  const length = o.length ?? BigInt(body.length);
  const masked = o.masked ?? true;
  const head = [((o.fin ?? true) ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | opcode];
  const maskBit = masked ? 0x80 : 0;
  if (length < 126n) head.push(maskBit | Number(length));
  else if (length <= 0xffffn) head.push(maskBit | 126, Number(length >> 8n), Number(length & 0xffn));
  else head.push(maskBit | 127, ...Array.from({ length: 8 }, (_, i) => Number((length >> BigInt(56 - 8 * i)) & 0xffn)));
  if (!masked) return Buffer.concat([Buffer.from(head), body]);
  const out = Buffer.from(body);
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) ^ (MASK[i % 4] as number);
  return Buffer.concat([Buffer.from(head), MASK, out]);
}

function read(bytes: Buffer, max = 1024): WsEvent[] {
  return new WsFrameReader(max).push(bytes);
}

function failure(bytes: Buffer, max = 1024): { code: number; message: string } {
  try {
    read(bytes, max);
  } catch (error) {
    if (error instanceof WsProtocolError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('no protocol error');
}

describe('WsFrameReader', () => {
  it('unmasks a ping, even when its bytes arrive one at a time', () => {
    const reader = new WsFrameReader(1024);
    const bytes = frame(0x9, 'are you there');
    const events = [...bytes].flatMap((byte) => reader.push(Buffer.from([byte])));
    expect(events).toEqual([{ kind: 'ping', payload: Buffer.from('are you there') }]);
  });

  it('reads a fragmented text message with a ping between its fragments, then a close with its code and reason', () => {
    const bytes = Buffer.concat([frame(0x1, 'hel', { fin: false }), frame(0x9, 'p'), frame(0x0, 'lo é'), frame(0x8, Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from('bye')]))]);
    expect(read(bytes)).toEqual([{ kind: 'ping', payload: Buffer.from('p') }, { kind: 'message' }, { kind: 'close', code: 1000, reason: 'bye' }]);
  });

  it('ignores whatever follows a close frame', () => {
    expect(read(Buffer.concat([frame(0x8), frame(0x9, 'late'), Buffer.from('junk')]))).toEqual([{ kind: 'close', code: undefined, reason: '' }]);
  });

  it('takes a message of exactly the limit, across fragments, and refuses one byte more with 1009 before it arrives', () => {
    expect(read(Buffer.concat([frame(0x2, Buffer.alloc(1000), { fin: false }), frame(0x0, Buffer.alloc(24))]))).toEqual([{ kind: 'message' }]);
    expect(failure(Buffer.concat([frame(0x2, Buffer.alloc(1000), { fin: false }), frame(0x0, Buffer.alloc(25))])).code).toBe(1009);
    // Only the header of a frame announcing 2^40 bytes: refused at once, nothing waited for.
    expect(failure(frame(0x2, '', { length: 1n << 40n }).subarray(0, 10))).toEqual({ code: 1009, message: "a viewer's messages are at most 1024 bytes" });
  });

  it.each([
    ['an unmasked frame', frame(0x2, 'x', { masked: false }), 1002, 'client frames must be masked'],
    ['RSV bits without an extension', frame(0x2, 'x', { rsv: 4 }), 1002, 'RSV bits set without an extension'],
    ['a reserved opcode', frame(0xb, 'x'), 1002, 'unknown opcode 11'],
    ['a fragmented ping', frame(0x9, 'a', { fin: false }), 1002, 'a control frame may not be fragmented'],
    ['a 126-byte ping', frame(0x9, Buffer.alloc(126)), 1002, 'a control frame carries at most 125 bytes'],
    ['a continuation with nothing to continue', frame(0x0, 'x'), 1002, 'a continuation frame with no message to continue'],
    ['a new message inside a fragmented one', Buffer.concat([frame(0x2, 'a', { fin: false }), frame(0x2, 'b')]), 1002, 'a new message before the last one ended'],
    ['a 64-bit length with its top bit set', frame(0x2, '', { length: 0x8000000000000000n }), 1002, 'a 64-bit length with its top bit set'],
    ['text that is not UTF-8', frame(0x1, Buffer.from([0xc3, 0x28])), 1007, 'a text message that is not UTF-8'],
    ['a close frame of one byte', frame(0x8, Buffer.from([0x03])), 1002, 'a close frame with a one-byte payload'],
    ['a close code no peer may send', frame(0x8, Buffer.from([0x03, 0xed])), 1002, 'close code 1005 may not be sent'],
    ['a close reason that is not UTF-8', frame(0x8, Buffer.from([0x03, 0xe8, 0xc3, 0x28])), 1007, 'a close reason that is not UTF-8'],
  ])('fails the connection on %s', (_name, bytes, code, message) => {
    expect(failure(bytes)).toEqual({ code, message });
  });
});

describe('the opening handshake', () => {
  const good = { upgrade: 'websocket', connection: 'keep-alive, Upgrade', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13' };

  it("answers with RFC 6455's own example accept key", () => {
    expect(checkUpgrade('GET', '1.1', good)).toEqual({ key: 'dGhlIHNhbXBsZSBub25jZQ==' });
    expect(switchingProtocols('dGhlIHNhbXBsZSBub25jZQ==')).toBe(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n',
    );
  });

  it.each([
    ['POST', '1.1', good, 405],
    ['GET', '1.0', good, 400],
    ['GET', '1.1', { ...good, upgrade: 'h2c' }, 400],
    ['GET', '1.1', { ...good, connection: 'keep-alive' }, 400],
    ['GET', '1.1', { ...good, 'sec-websocket-key': '!!' }, 400],
    ['GET', '1.1', { ...good, 'sec-websocket-key': undefined }, 400],
    ['GET', '1.1', { ...good, 'sec-websocket-version': '99' }, 426],
  ])('refuses %s HTTP/%s %o with %i', (method, version, headers, status) => {
    const verdict = checkUpgrade(method, version, headers);
    expect('status' in verdict && verdict.status).toBe(status);
    if (status === 426) expect('headers' in verdict && verdict.headers).toEqual({ 'Sec-WebSocket-Version': '13' });
  });
});

describe('wsCloseFrame', () => {
  it('cuts a long reason to fit 125 bytes without splitting a character', () => {
    const close = wsCloseFrame(1000, 'é'.repeat(100));
    expect(close[1]).toBe(2 + 122);
    expect(close.subarray(4).toString('utf8')).toBe('é'.repeat(61));
  });
});
