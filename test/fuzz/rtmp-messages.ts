import { BufferBuilder } from '../helpers/buffer-builder.js';
import type { Rng } from './rng.js';

/**
 * Hand-built RTMP messages for the fuzzer to insert into real sessions: hostile AMF0 (deep nesting, absurd counts and
 * lengths, huge names) and message headers that promise absurd lengths. AMF0 markers are from the AMF0 spec
 * (section 2); chunking from the RTMP spec (5.3.1). Nothing here uses src/protocol.
 */

const AMF = {
  number: 0x00,
  boolean: 0x01,
  string: 0x02,
  object: 0x03,
  null: 0x05,
  reference: 0x07,
  ecmaArray: 0x08,
  objectEnd: 0x09,
  strictArray: 0x0a,
  date: 0x0b,
  longString: 0x0c,
  typedObject: 0x10,
  avmplus: 0x11,
} as const;

/** Spec 5.4.1 and 7.1: message type ids used here. */
export const MessageTypeId = { setChunkSize: 1, audio: 8, video: 9, amf3Command: 17, amf0Data: 18, amf0Command: 20 } as const;

function amfString(b: BufferBuilder, s: string | Buffer): BufferBuilder {
  const bytes = typeof s === 'string' ? Buffer.from(s) : s;
  return bytes.length <= 0xffff ? b.u8(AMF.string).u16be(bytes.length).bytes(bytes) : b.u8(AMF.longString).u32be(bytes.length).bytes(bytes);
}

function key(b: BufferBuilder, name: string): BufferBuilder {
  return b.u16be(Buffer.byteLength(name)).utf8(name);
}

/** A command message body: name, transaction id, then whatever `rest` appends (AMF0, spec 7.1.1). */
function command(name: string | Buffer, transactionId: number, rest: (b: BufferBuilder) => void): Buffer {
  const b = amfString(new BufferBuilder(), name).u8(AMF.number).f64be(transactionId);
  rest(b);
  return b.build();
}

export interface HostileMessage {
  typeId: number;
  payload: Buffer;
  note: string;
}

/** A command whose AMF is hostile; `maxBigBytes` caps the size of the big ones (names, strings). */
export function hostileCommand(rng: Rng, maxBigBytes: number): HostileMessage {
  const depth = rng.pick([64, 1_000, 10_000, 100_000]);
  const name = rng.pick(['connect', 'createStream', 'publish', 'play', 'FCPublish', '@setDataFrame']);
  const kind = rng.weighted({
    'nested-objects': 2,
    'nested-ecma-arrays': 2,
    'nested-strict-arrays': 2,
    'nested-typed-objects': 1,
    'strict-array-count': 1,
    'ecma-array-count': 1,
    'long-string-length': 1,
    'string-short-data': 1,
    'huge-app-name': 2,
    'huge-command-name': 1,
    'many-keys': 1,
    'references': 1,
    'amf3-switch': 1,
  });
  const big = rng.between(Math.min(4096, maxBigBytes), maxBigBytes);
  let payload: Buffer;
  switch (kind) {
    case 'nested-objects':
      payload = command(name, 1, (b) => {
        for (let i = 0; i < depth; i++) key(b.u8(AMF.object), 'a');
        b.u8(AMF.null);
        for (let i = 0; i < depth; i++) b.u16be(0).u8(AMF.objectEnd);
      });
      break;
    case 'nested-ecma-arrays':
      payload = command(name, 1, (b) => {
        for (let i = 0; i < depth; i++) key(b.u8(AMF.ecmaArray).u32be(1), 'k');
        b.u8(AMF.null);
        for (let i = 0; i < depth; i++) b.u16be(0).u8(AMF.objectEnd);
      });
      break;
    case 'nested-strict-arrays':
      payload = command(name, 1, (b) => {
        for (let i = 0; i < depth; i++) b.u8(AMF.strictArray).u32be(1);
        b.u8(AMF.null);
      });
      break;
    case 'nested-typed-objects':
      payload = command(name, 1, (b) => {
        for (let i = 0; i < depth; i++) key(key(b.u8(AMF.typedObject), 'C'), 'x');
        b.u8(AMF.null);
        for (let i = 0; i < depth; i++) b.u16be(0).u8(AMF.objectEnd);
      });
      break;
    case 'strict-array-count':
      payload = command(name, 1, (b) => b.u8(AMF.strictArray).u32be(rng.pick([0xffffffff, 0x7fffffff, 1_000_000])).u8(AMF.null));
      break;
    case 'ecma-array-count':
      payload = command(name, 1, (b) => b.u8(AMF.ecmaArray).u32be(0xffffffff).u16be(0).u8(AMF.objectEnd));
      break;
    case 'long-string-length':
      payload = command(name, 1, (b) => b.u8(AMF.longString).u32be(rng.pick([0xffffffff, 0x7fffffff, 1 << 24])).utf8('short'));
      break;
    case 'string-short-data':
      payload = command(name, 1, (b) => b.u8(AMF.string).u16be(0xffff).utf8('x'));
      break;
    case 'huge-app-name':
      payload = command('connect', 1, (b) => {
        amfString(key(b.u8(AMF.object), 'app'), Buffer.alloc(big, 0x61 + rng.int(26)));
        b.u16be(0).u8(AMF.objectEnd);
      });
      break;
    case 'huge-command-name':
      payload = command(Buffer.alloc(big, rng.pick([0x41, 0x0a, 0x1b, 0x22, 0xe2])), 1, (b) => b.u8(AMF.null));
      break;
    case 'many-keys':
      payload = command(name, 1, (b) => {
        b.u8(AMF.object);
        for (let i = 0; i < Math.min(depth, maxBigBytes / 16); i++) key(b, `k${i}`).u8(AMF.boolean).u8(1);
        b.u16be(0).u8(AMF.objectEnd);
      });
      break;
    case 'references':
      payload = command(name, 1, (b) => {
        b.u8(AMF.object);
        key(b, 'self').u8(AMF.reference).u16be(rng.pick([0, 1, 0xffff]));
        key(b, 'when').u8(AMF.date).f64be(Number.NaN).i16be(0);
        b.u16be(0).u8(AMF.objectEnd);
      });
      break;
    case 'amf3-switch':
      payload = command(name, 1, (b) => b.u8(AMF.avmplus).bytes(rng.bytes(rng.between(1, 64))));
      break;
  }
  const typeId = rng.chance(0.8) ? MessageTypeId.amf0Command : rng.pick([MessageTypeId.amf3Command, MessageTypeId.amf0Data]);
  // An AMF3 command (type 17) starts with one format byte before AMF0 data (spec 7.1.1 as servers read it).
  const body = typeId === MessageTypeId.amf3Command ? Buffer.concat([Buffer.from([0]), payload]) : payload;
  return { typeId, payload: body, note: `${kind}${kind.startsWith('nested') || kind === 'many-keys' ? ` depth ${depth}` : ''} (${body.length} B) as type ${typeId}` };
}

/** Basic header (spec 5.3.1.1) in its 1-, 2- or 3-byte form. */
export function basicHeader(fmt: number, csid: number): Buffer {
  if (csid >= 2 && csid <= 63) return Buffer.from([(fmt << 6) | csid]);
  if (csid >= 64 && csid <= 319) return Buffer.from([fmt << 6, csid - 64]);
  return Buffer.from([(fmt << 6) | 1, (csid - 64) & 0xff, (csid - 64) >> 8]);
}

/** One message as chunks of `chunkSize` on `csid`: a type-0 chunk, then type-3 continuations (spec 5.3.1). */
export function chunkMessage(
  message: { typeId: number; payload: Buffer; timestamp?: number; streamId?: number; declaredLength?: number },
  chunkSize: number,
  csid: number,
): Buffer {
  const timestamp = message.timestamp ?? 0;
  const extended = timestamp >= 0xffffff;
  const header = new BufferBuilder()
    .bytes(basicHeader(0, csid))
    .u24be(extended ? 0xffffff : timestamp)
    .u24be(message.declaredLength ?? message.payload.length)
    .u8(message.typeId)
    .u32le(message.streamId ?? 0);
  if (extended) header.u32be(timestamp);
  const parts = [header.build()];
  for (let at = 0; at < message.payload.length; at += chunkSize) {
    if (at > 0) parts.push(basicHeader(3, csid), ...(extended ? [new BufferBuilder().u32be(timestamp).build()] : []));
    parts.push(message.payload.subarray(at, at + chunkSize));
  }
  return Buffer.concat(parts);
}
