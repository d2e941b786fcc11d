import { BufferBuilder } from '../helpers/buffer-builder.js';
import { type Edit, applyEdits, totalBytes } from './edits.js';
import type { Rng } from './rng.js';
import { type ChunkInfo, HANDSHAKE_BYTES, TYPE_SET_CHUNK_SIZE, mapChunks } from './rtmp-chunk-map.js';
import { MessageTypeId, chunkMessage, hostileCommand } from './rtmp-messages.js';

/**
 * Mutations of a recorded real RTMP session (a list of the client's writes): byte-level damage, damage to the write
 * list, rewritten chunk header fields, and hostile messages spliced in at chunk boundaries. A case applies one to four.
 */

export const RTMP_MUTATIONS = {
  'bit-flips': 6,
  'interesting-bytes': 3,
  truncate: 3,
  'duplicate-writes': 3,
  'drop-writes': 3,
  'reorder-writes': 3,
  'split-writes': 1,
  'random-junk': 2,
  'set-chunk-size': 3,
  'message-length': 4,
  'type-id': 3,
  csid: 3,
  fmt: 2,
  timestamp: 4,
  'stream-id': 1,
  'absurd-length': 3,
  'hostile-amf': 4,
  'many-chunk-streams': 1,
} as const;

export type RtmpMutation = keyof typeof RTMP_MUTATIONS;

export interface MutatedSession {
  writes: Buffer[];
  notes: string[];
}

interface Context {
  rng: Rng;
  bytes: Buffer;
  chunks: ChunkInfo[];
  /** Offsets of the chunk stream (after the handshake) that mapping understood. */
  streamEnd: number;
  maxBigBytes: number;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

export function mutateRtmpSession(rng: Rng, writes: readonly Buffer[], maxBigBytes: number): MutatedSession {
  const bytes = Buffer.concat(writes);
  const map = mapChunks(bytes);
  const ctx: Context = { rng, bytes, chunks: map.chunks, streamEnd: map.mappedTo, maxBigBytes };
  const edits: Edit[] = [];
  const notes: string[] = [];
  const count = rng.weighted({ 1: 5, 2: 3, 3: 1, 4: 1 });
  for (let i = 0; i < Number(count); i++) {
    const mutation = rng.weighted(RTMP_MUTATIONS);
    const planned = plan(mutation, ctx);
    if (planned === undefined) continue;
    edits.push(...planned.edits);
    notes.push(`${mutation}: ${planned.note}`);
  }
  if (notes.length === 0) notes.push('unchanged');
  return { writes: applyEdits(writes, edits), notes };
}

/** An offset in the chunk stream (90 %) or anywhere, handshake included. */
function offsetIn(ctx: Context): number {
  const { rng, bytes } = ctx;
  if (bytes.length <= HANDSHAKE_BYTES || rng.chance(0.1)) return rng.int(bytes.length);
  return HANDSHAKE_BYTES + rng.int(bytes.length - HANDSHAKE_BYTES);
}

/** A chunk that has a field at `field`, preferring the session's first chunks (its commands) half the time. */
function someChunk(ctx: Context, has: (c: ChunkInfo) => boolean): ChunkInfo | undefined {
  const candidates = ctx.chunks.filter(has);
  if (candidates.length === 0) return undefined;
  return ctx.rng.chance(0.5) ? ctx.rng.pick(candidates.slice(0, 12)) : ctx.rng.pick(candidates);
}

function u24(n: number): Buffer {
  return new BufferBuilder().u24be(n).build();
}

function plan(mutation: RtmpMutation, ctx: Context): { edits: Edit[]; note: string } | undefined {
  const { rng } = ctx;
  switch (mutation) {
    case 'bit-flips': {
      const n = rng.between(1, 16);
      const edits: Edit[] = [];
      for (let i = 0; i < n; i++) {
        const at = offsetIn(ctx);
        edits.push({ kind: 'patch', at, bytes: Buffer.from([(ctx.bytes[at] ?? 0) ^ (1 << rng.int(8))]) });
      }
      return { edits, note: `${n} at ${edits.map((e) => (e as { at: number }).at).slice(0, 4).join(',')}${n > 4 ? ',...' : ''}` };
    }
    case 'interesting-bytes': {
      const at = offsetIn(ctx);
      const value = rng.pick([0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe]);
      const run = rng.between(1, 8);
      return { edits: [{ kind: 'patch', at, bytes: Buffer.alloc(run, value) }], note: `${run} x ${hex(value)} at ${at}` };
    }
    case 'truncate': {
      const at = offsetIn(ctx);
      return { edits: [{ kind: 'truncate', at }], note: `at ${at} of ${ctx.bytes.length}` };
    }
    case 'duplicate-writes': {
      const times = rng.pick([1, 2, 10, 100]);
      const pick = rng.float();
      return {
        edits: [{ kind: 'writes', apply: (w) => { const i = Math.floor(pick * w.length); return [...w.slice(0, i + 1), ...Array<Buffer>(times).fill(w[i] as Buffer), ...w.slice(i + 1)]; } }],
        note: `one write ${times} more times`,
      };
    }
    case 'drop-writes': {
      const run = rng.between(1, 3);
      const pick = rng.float();
      return {
        edits: [{ kind: 'writes', apply: (w) => { const i = Math.floor(pick * w.length); return [...w.slice(0, i), ...w.slice(i + run)]; } }],
        note: `${run} write(s)`,
      };
    }
    case 'reorder-writes': {
      const pickA = rng.float();
      const distance = rng.between(1, 5);
      return {
        edits: [{ kind: 'writes', apply: (w) => {
          const i = Math.floor(pickA * w.length);
          const j = Math.min(w.length - 1, i + distance);
          const out = [...w];
          [out[i], out[j]] = [out[j] as Buffer, out[i] as Buffer];
          return out;
        } }],
        note: `swap two writes ${distance} apart`,
      };
    }
    case 'split-writes': {
      const pick = rng.float();
      return {
        edits: [{ kind: 'writes', apply: (w) => {
          const i = Math.floor(pick * w.length);
          const bytes = [...(w[i] ?? Buffer.alloc(0)).subarray(0, 64)].map((b) => Buffer.from([b]));
          return [...w.slice(0, i), ...bytes, (w[i] ?? Buffer.alloc(0)).subarray(64), ...w.slice(i + 1)];
        } }],
        note: 'one write sent a byte at a time (first 64 bytes)',
      };
    }
    case 'random-junk': {
      const at = offsetIn(ctx);
      const length = rng.pick([1, 16, 1024, 65_536]);
      return { edits: [{ kind: 'insert', at, bytes: rng.bytes(length) }], note: `${length} B at ${at}` };
    }
    case 'set-chunk-size': {
      const value = rng.pick([0, 1, 2, 127, 128, 65_536, 0xffffff, 0x1000000, 0x7fffffff, 0x80000000, 0xffffffff]);
      const target = ctx.chunks.find((c) => c.typeId === TYPE_SET_CHUNK_SIZE && c.messageStart);
      if (target !== undefined && rng.chance(0.6)) {
        return { edits: [{ kind: 'patch', at: target.payloadAt, bytes: new BufferBuilder().u32be(value).build() }], note: `rewritten to ${hex(value)}` };
      }
      const at = boundary(ctx);
      const message = chunkMessage({ typeId: MessageTypeId.setChunkSize, payload: new BufferBuilder().u32be(value).build() }, at.chunkSize, 2);
      return { edits: [{ kind: 'insert', at: at.offset, bytes: message }], note: `inserted ${hex(value)} at ${at.offset}` };
    }
    case 'message-length': {
      const c = someChunk(ctx, (x) => x.lengthAt !== undefined);
      if (c?.lengthAt === undefined) return undefined;
      const value = rng.pick([0, 1, c.messageLength - 1, c.messageLength + 1, c.messageLength * 2, 0xffff, 0x7fffff, 0xffffff, rng.int(0x1000000)]);
      return { edits: [{ kind: 'patch', at: c.lengthAt, bytes: u24(Math.max(0, value) & 0xffffff) }], note: `chunk at ${c.offset}: ${c.messageLength} -> ${value}` };
    }
    case 'type-id': {
      const c = someChunk(ctx, (x) => x.typeIdAt !== undefined);
      if (c?.typeIdAt === undefined) return undefined;
      const value = rng.chance(0.5) ? rng.pick([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 18, 19, 20, 22, 255]) : rng.int(256);
      return { edits: [{ kind: 'patch', at: c.typeIdAt, bytes: Buffer.from([value]) }], note: `chunk at ${c.offset}: ${c.typeId} -> ${value}` };
    }
    case 'csid': {
      const c = someChunk(ctx, (x) => x.basicBytes === 1);
      if (c === undefined) return undefined;
      // Values 0 and 1 announce a longer basic header: the rest of the chunk is then read one or two bytes shifted.
      const csid = rng.chance(0.2) ? rng.int(2) : rng.between(2, 63);
      return { edits: [{ kind: 'patch', at: c.offset, bytes: Buffer.from([(c.fmt << 6) | csid]) }], note: `chunk at ${c.offset}: ${c.csid} -> ${csid}` };
    }
    case 'fmt': {
      const c = someChunk(ctx, () => true);
      if (c === undefined) return undefined;
      const fmt = (c.fmt + rng.between(1, 3)) % 4;
      const first = ctx.bytes[c.offset] ?? 0;
      return { edits: [{ kind: 'patch', at: c.offset, bytes: Buffer.from([(fmt << 6) | (first & 0x3f)]) }], note: `chunk at ${c.offset}: fmt ${c.fmt} -> ${fmt}` };
    }
    case 'timestamp': {
      const c = someChunk(ctx, (x) => x.timestampAt !== undefined && (x.typeId === MessageTypeId.audio || x.typeId === MessageTypeId.video || rng.chance(0.2)));
      if (c?.timestampAt === undefined) return undefined;
      const current = ctx.bytes.readUIntBE(c.timestampAt, 3);
      // Backwards, hours ahead, the extended-timestamp marker (whose 4 bytes then come from the payload), random.
      const value = rng.pick([0, Math.max(0, current - 10_000), current + 3_600_000, 0xffffff, 0xfffffe, rng.int(0x1000000)]) & 0xffffff;
      return { edits: [{ kind: 'patch', at: c.timestampAt, bytes: u24(value) }], note: `chunk at ${c.offset} (fmt ${c.fmt}, type ${c.typeId}): ${current} -> ${value}` };
    }
    case 'stream-id': {
      const c = someChunk(ctx, (x) => x.streamIdAt !== undefined);
      if (c?.streamIdAt === undefined) return undefined;
      const value = rng.pick([0, 1, 2, 0xffffffff, rng.int(0x100000000)]);
      return { edits: [{ kind: 'patch', at: c.streamIdAt, bytes: new BufferBuilder().u32le(value).build() }], note: `chunk at ${c.offset}: -> ${value}` };
    }
    case 'absurd-length': {
      const at = boundary(ctx);
      const declared = rng.pick([0xffffff, 0x800000, 0x7fffff, 0x100000]);
      const sent = rng.pick([0, 1, 100, at.chunkSize]);
      const typeId = rng.pick([MessageTypeId.video, MessageTypeId.audio, MessageTypeId.amf0Command, MessageTypeId.amf0Data]);
      const csid = rng.between(3, 63);
      const header = chunkMessage({ typeId, payload: Buffer.alloc(0), declaredLength: declared, streamId: 1 }, at.chunkSize, csid);
      return {
        edits: [{ kind: 'insert', at: at.offset, bytes: Buffer.concat([header, rng.bytes(Math.min(sent, at.chunkSize))]) }],
        note: `type ${typeId} on csid ${csid} declares ${hex(declared)} B, ${sent} sent, at ${at.offset}`,
      };
    }
    case 'hostile-amf': {
      const at = boundary(ctx);
      const message = hostileCommand(rng, ctx.maxBigBytes);
      const bytes = chunkMessage(message, at.chunkSize, rng.pick([3, 4, 5, 8]));
      return { edits: [{ kind: 'insert', at: at.offset, bytes }], note: `${message.note} at ${at.offset}` };
    }
    case 'many-chunk-streams': {
      const at = boundary(ctx);
      const streams = rng.pick([70, 300, 5_000]);
      const parts: Buffer[] = [];
      // Each one opens a chunk stream with an unfinished message of a few bytes: the per-connection chunk stream table.
      for (let i = 0; i < streams; i++) {
        parts.push(chunkMessage({ typeId: MessageTypeId.video, payload: Buffer.alloc(0), declaredLength: 4096, streamId: 1 }, at.chunkSize, 3 + i), Buffer.alloc(1));
      }
      return { edits: [{ kind: 'insert', at: at.offset, bytes: Buffer.concat(parts) }], note: `${streams} chunk streams opened at ${at.offset}` };
    }
  }
}

/** A chunk boundary (before a chunk that starts a message) or the end of the mapped stream, with its chunk size. */
function boundary(ctx: Context): { offset: number; chunkSize: number } {
  const starts = ctx.chunks.filter((c) => c.messageStart);
  const last = ctx.chunks.at(-1);
  if (starts.length === 0 || ctx.rng.chance(0.1)) {
    return { offset: Math.min(ctx.streamEnd, totalBytes([ctx.bytes])), chunkSize: last?.chunkSize ?? 128 };
  }
  const c = ctx.rng.chance(0.5) ? ctx.rng.pick(starts.slice(0, 10)) : ctx.rng.pick(starts);
  return { offset: c.offset, chunkSize: c.chunkSize };
}
