import { BufferBuilder } from '../helpers/buffer-builder.js';
import type { Rng } from './rng.js';

/**
 * WebSocket junk for the WebSocket-FLV endpoint (RFC 6455): an opening handshake (sometimes a broken one), then frames
 * a client must not send. Frames are built by hand here, not with the ws package the server uses.
 */

export const WS_CASES = {
  'unmasked-frame': 2,
  'huge-length': 3,
  'short-payload': 1,
  'fragmented-control': 2,
  'long-control': 1,
  'reserved-opcode': 1,
  'rsv-bits': 1,
  'orphan-continuation': 1,
  'bad-utf8-text': 1,
  'bad-close': 1,
  'ping-flood': 2,
  'random-bytes': 1,
  'bad-handshake': 3,
} as const;

export type WsCase = keyof typeof WS_CASES;

/** RFC 6455 5.2 opcodes. */
const OP = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

interface FrameSpec {
  fin?: boolean;
  rsv?: number;
  opcode: number;
  payload?: Buffer;
  masked?: boolean;
  /** Announce this length instead of the payload's. */
  declaredLength?: bigint;
}

/** RFC 6455 5.2: base header, extended length (16 or 64 bit), masking key, masked payload. */
export function wsFrame(rng: Rng, spec: FrameSpec): Buffer {
  const payload = spec.payload ?? Buffer.alloc(0);
  const length = spec.declaredLength ?? BigInt(payload.length);
  const masked = spec.masked ?? true;
  const b = new BufferBuilder().u8(((spec.fin ?? true) ? 0x80 : 0) | ((spec.rsv ?? 0) << 4) | spec.opcode);
  const maskBit = masked ? 0x80 : 0;
  if (length < 126n) b.u8(maskBit | Number(length));
  else if (length <= 0xffffn) b.u8(maskBit | 126).u16be(Number(length));
  else b.u8(maskBit | 127).u32be(Number(length >> 32n)).u32be(Number(length & 0xffffffffn));
  if (!masked) return Buffer.concat([b.build(), payload]);
  const mask = rng.bytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] = (body[i] as number) ^ (mask[i % 4] as number);
  return Buffer.concat([b.build(), mask, body]);
}

function handshake(path: string, extra: readonly string[] = []): string {
  return [
    `GET ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
    ...extra,
    '',
    '',
  ].join('\r\n');
}

export interface WsPlan {
  writes: Buffer[];
  note: string;
}

export function wsCase(rng: Rng, flvPath: string): WsPlan {
  const kind = rng.weighted(WS_CASES);
  const open = Buffer.from(handshake(flvPath));
  const frames = (note: string, ...list: Buffer[]): WsPlan => ({ writes: [open, ...list], note: `${kind}: ${note}` });
  switch (kind) {
    case 'unmasked-frame':
      return frames('client frame without a mask', wsFrame(rng, { opcode: OP.binary, payload: rng.bytes(10), masked: false }));
    case 'huge-length': {
      const length = rng.pick([0x7fffffffffffffffn, 0xffffffffn, 1n << 40n, 0x10000n, 2048n]);
      return frames(`announces ${length} B`, wsFrame(rng, { opcode: rng.pick([OP.binary, OP.text, OP.ping]), payload: rng.bytes(16), declaredLength: length }));
    }
    case 'short-payload':
      return frames('announces 0xffff B, sends 10', wsFrame(rng, { opcode: OP.binary, payload: rng.bytes(10), declaredLength: 0xffffn }));
    case 'fragmented-control':
      return frames('a ping with FIN clear, then its continuation', wsFrame(rng, { opcode: OP.ping, fin: false, payload: Buffer.from('a') }), wsFrame(rng, { opcode: OP.continuation, payload: Buffer.from('b') }));
    case 'long-control':
      return frames('a 200 B ping', wsFrame(rng, { opcode: OP.ping, payload: rng.bytes(200) }));
    case 'reserved-opcode': {
      const opcode = rng.pick([0x3, 0x4, 0x7, 0xb, 0xf]);
      return frames(`opcode ${opcode}`, wsFrame(rng, { opcode, payload: rng.bytes(4) }));
    }
    case 'rsv-bits':
      return frames('RSV1-3 set without an extension', wsFrame(rng, { opcode: OP.binary, rsv: rng.between(1, 7), payload: rng.bytes(8) }));
    case 'orphan-continuation':
      return frames('a continuation frame with nothing to continue', wsFrame(rng, { opcode: OP.continuation, payload: rng.bytes(8) }));
    case 'bad-utf8-text':
      return frames('a text frame that is not UTF-8', wsFrame(rng, { opcode: OP.text, payload: Buffer.from([0xc3, 0x28, 0xff, 0xfe]) }));
    case 'bad-close': {
      const payload = rng.pick([Buffer.from([0x03]), Buffer.from([0x00, 0x00]), Buffer.from([0x0b, 0xb8, 0xff]), Buffer.from([0x03, 0xe8, 0xc3, 0x28])]);
      return frames(`close with payload ${payload.toString('hex')}`, wsFrame(rng, { opcode: OP.close, payload }));
    }
    case 'ping-flood': {
      const n = rng.pick([100, 1_000, 10_000]);
      const ping = wsFrame(rng, { opcode: OP.ping, payload: rng.bytes(125) });
      return frames(`${n} pings of 125 B`, Buffer.concat(Array<Buffer>(n).fill(ping)));
    }
    case 'random-bytes':
      return frames('random bytes after the handshake', rng.bytes(rng.pick([2, 64, 4096])));
    case 'bad-handshake': {
      const variant = rng.pick([
        handshake(flvPath).replace('Sec-WebSocket-Version: 13', 'Sec-WebSocket-Version: 99'),
        handshake(flvPath).replace('Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Key: !!'),
        handshake(flvPath).replace('Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n', ''),
        handshake('//'),
        handshake('http://[/'),
        handshake('/live/nothing-here.flv'),
        handshake('/%zz.flv'),
        handshake(flvPath, ['Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits']),
        handshake(flvPath, [`Sec-WebSocket-Protocol: ${'p,'.repeat(4000)}p`]),
        handshake(flvPath).replace('GET', 'POST'),
      ]);
      return { writes: [Buffer.from(variant, 'latin1')], note: `${kind}: ${JSON.stringify(variant.split('\r\n')[0])}${variant.includes('99') ? ' version 99' : ''}` };
    }
  }
}
