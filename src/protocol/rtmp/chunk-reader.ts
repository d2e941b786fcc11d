import { BugError, ProtocolError } from '../../errors.js';
import { readAbortCsid, readChunkSize } from './control-messages.js';
import {
  DEFAULT_CHUNK_SIZE,
  EXTENDED_TIMESTAMP,
  MAX_CHUNK_STREAMS,
  MAX_MESSAGE_LENGTH,
  MessageType,
  type RtmpMessage,
} from './message-types.js';

export interface ChunkReaderOptions {
  /** Largest message length a header may declare; default MAX_MESSAGE_LENGTH. */
  maxMessageLength?: number;
  /** Distinct chunk stream ids one connection may use; default MAX_CHUNK_STREAMS. */
  maxChunkStreams?: number;
}

/**
 * Messages in progress on different chunk streams may together declare at most this many times maxMessageLength.
 * Without it a peer could hold maxChunkStreams partial messages of maxMessageLength each (64 x 8 MiB).
 */
export const MAX_PENDING_MESSAGES_FACTOR = 2;

/** Basic header (3) + type-0 message header (11) + extended timestamp (4): the longest chunk header (spec 5.3.1). */
const MAX_HEADER_LENGTH = 18;

/** Message header length by fmt (spec 5.3.1.2). */
const MESSAGE_HEADER_LENGTH = [11, 7, 3, 0] as const;

const EMPTY = Buffer.alloc(0);

/** What one chunk stream remembers from its previous chunk (spec 5.3.1.2: fmt 1-3 inherit omitted fields). */
interface ChunkStream {
  readonly csid: number;
  /** Absolute timestamp of the latest message started on this chunk stream. */
  timestamp: number;
  /** Delta a type-3 chunk that starts a new message adds (spec 5.3.1.2.4); 0 after a type-0 header. */
  delta: number;
  length: number;
  typeId: number;
  streamId: number;
  /** The latest type 0/1/2 header used the extended timestamp field, with this value. */
  extended: boolean;
  extendedValue: number;
  /** A message is in progress: `received` of `length` bytes, the first `filled` in `held`, the rest in `views`. */
  open: boolean;
  received: number;
  /** Our own copy of the message so far, grown geometrically up to `length` (never per chunk: see detachViews). */
  held: Buffer | undefined;
  filled: number;
  /** Views into the Buffer being pushed, copied into `held` before push returns. */
  views: Buffer[];
  /** The `now` of the push that started the message, for deadlines (see oldestOpenSince). */
  openedAt: number;
}

/** The first allocation for a message that spans pushes; it doubles from there up to the message's length. */
const MIN_HELD_BYTES = 4096;

/**
 * Reassembles RTMP messages from a chunk stream (spec 5.3). A pure state machine: feed it whatever the socket
 * delivers, in any split.
 */
export class ChunkReader {
  private maxMessageLength: number;
  private readonly maxChunkStreams: number;
  private maxPendingLength: number;
  /** Bytes allocated for unfinished messages (the `held` copies). */
  private heldBytes = 0;
  /** The `now` of the current push. */
  private now = 0;
  private readonly streams = new Map<number, ChunkStream>();
  private peerChunkSize = DEFAULT_CHUNK_SIZE;
  private received = 0;
  private failed = false;

  /** Declared lengths of the messages in progress, summed over chunk streams. */
  private pendingLength = 0;

  /** The chunk stream whose chunk data is being read, and how many bytes of that chunk are still to come. */
  private current: ChunkStream | undefined;
  private chunkRemaining = 0;

  /** A chunk header split across pushes, gathered here until it is whole. */
  private readonly headerBytes = Buffer.alloc(MAX_HEADER_LENGTH);
  private headerHeld = 0;

  /** The header parsed last, valid between parseHeader and applyHeader. */
  private hFmt = 0;
  private hCsid = 0;
  private hTimestampField = 0;
  private hExtended = 0;
  private hLength = 0;
  private hTypeId = 0;
  private hStreamId = 0;

  constructor(options: ChunkReaderOptions = {}) {
    this.maxMessageLength = options.maxMessageLength ?? MAX_MESSAGE_LENGTH;
    this.maxChunkStreams = options.maxChunkStreams ?? MAX_CHUNK_STREAMS;
    this.maxPendingLength = this.maxMessageLength * MAX_PENDING_MESSAGES_FACTOR;
  }

  /** The peer's current chunk size. */
  get chunkSize(): number {
    return this.peerChunkSize;
  }

  /** Total bytes pushed, for Acknowledgement (spec 5.4.3). */
  get bytesReceived(): number {
    return this.received;
  }

  /** Memory held for messages not yet complete: what a peer costs us between pushes. */
  get bufferedBytes(): number {
    return this.heldBytes;
  }

  /**
   * Raises or lowers the largest message length accepted from now on (a connection that becomes a publisher may send
   * media; until then only commands). Messages already in progress keep their length.
   */
  setMaxMessageLength(length: number): void {
    this.maxMessageLength = length;
    this.maxPendingLength = length * MAX_PENDING_MESSAGES_FACTOR;
  }

  /** The `now` (as passed to push) at which the oldest unfinished message began, or undefined when none is open. */
  oldestOpenSince(): number | undefined {
    let oldest: number | undefined;
    for (const stream of this.streams.values()) {
      if (stream.open && stream.received > 0 && (oldest === undefined || stream.openedAt < oldest)) oldest = stream.openedAt;
    }
    return oldest;
  }

  /**
   * Feeds bytes; returns every message completed by them, in order. Throws ProtocolError on malformed input, after
   * which the reader must not be used again. Payloads are copies: the caller may reuse `data`. `now` (any clock, in
   * ms) dates the messages this push starts, for oldestOpenSince.
   */
  push(data: Buffer, now = 0): RtmpMessage[] {
    if (this.failed) throw new BugError('ChunkReader.push called after it raised a ProtocolError');
    this.received += data.length;
    this.now = now;
    const messages: RtmpMessage[] = [];
    try {
      this.consume(data, messages);
      this.detachViews();
    } catch (error) {
      this.failed = true;
      throw error;
    }
    return messages;
  }

  private consume(data: Buffer, messages: RtmpMessage[]): void {
    const end = data.length;
    let offset = 0;
    while (offset < end) {
      if (this.chunkRemaining > 0) {
        const stream = this.current as ChunkStream;
        const take = Math.min(this.chunkRemaining, end - offset);
        stream.views.push(data.subarray(offset, offset + take));
        stream.received += take;
        this.chunkRemaining -= take;
        offset += take;
        if (this.chunkRemaining === 0) this.endChunk(stream, messages);
        continue;
      }

      if (this.headerHeld === 0) {
        const used = this.parseHeader(data, offset, end);
        if (used === 0) {
          data.copy(this.headerBytes, 0, offset, end);
          this.headerHeld = end - offset;
          return;
        }
        offset += used;
      } else {
        const held = this.headerHeld;
        const copied = data.copy(this.headerBytes, held, offset, Math.min(end, offset + MAX_HEADER_LENGTH - held));
        const used = this.parseHeader(this.headerBytes, 0, held + copied);
        if (used === 0) {
          // Only possible when all of data fit in headerBytes: a whole header is at most MAX_HEADER_LENGTH bytes.
          this.headerHeld = held + copied;
          return;
        }
        this.headerHeld = 0;
        if (used < held) {
          // A type-3 header that turned out not to repeat the extended timestamp: the bytes held for it beyond the
          // header are chunk data (and perhaps more), so they are read before the rest of `data`.
          const leftover = Buffer.from(this.headerBytes.subarray(used, held));
          this.applyHeader(messages);
          this.consume(leftover, messages);
          continue;
        }
        offset += used - held;
      }
      this.applyHeader(messages);
    }
  }

  /**
   * Parses one chunk header from buf[start, end). Returns its length, or 0 if more bytes are needed. Only reads
   * state; throws as soon as the bytes present prove the header invalid.
   */
  private parseHeader(buf: Buffer, start: number, end: number): number {
    const available = end - start;
    const first = buf[start] as number;
    const fmt = first >>> 6;
    let csid = first & 0x3f;
    // Spec 5.3.1.1: 0 and 1 in the low six bits announce a 2- or 3-byte basic header.
    let basic = 1;
    if (csid === 0) {
      if (available < 2) return 0;
      basic = 2;
      csid = (buf[start + 1] as number) + 64;
    } else if (csid === 1) {
      if (available < 3) return 0;
      basic = 3;
      csid = (buf[start + 2] as number) * 256 + (buf[start + 1] as number) + 64;
    }

    const stream = this.streams.get(csid);
    if (stream === undefined) {
      if (fmt !== 0) {
        throw new ProtocolError(
          'CHUNK_STREAM_UNKNOWN',
          `chunk type ${fmt} on chunk stream ${csid}, which has no header yet`,
        );
      }
      if (this.streams.size >= this.maxChunkStreams) {
        throw new ProtocolError(
          'CHUNK_STREAM_LIMIT',
          `more than ${this.maxChunkStreams} chunk streams on one connection`,
        );
      }
    }

    const headerEnd = basic + MESSAGE_HEADER_LENGTH[fmt as 0 | 1 | 2 | 3];
    if (available < headerEnd) return 0;
    const p = start + basic;
    if (fmt <= 1) {
      const length = buf.readUIntBE(p + 3, 3);
      if (length > this.maxMessageLength) {
        throw new ProtocolError(
          'MESSAGE_TOO_LARGE',
          `message of ${length} bytes; the limit is ${this.maxMessageLength}`,
        );
      }
      this.hLength = length;
      this.hTypeId = buf[p + 6] as number;
      // Spec 5.3.1.2.1: the message stream id is little-endian, unlike every other field.
      if (fmt === 0) this.hStreamId = buf.readUInt32LE(p + 7);
    }
    this.hFmt = fmt;
    this.hCsid = csid;

    if (fmt < 3) {
      const field = buf.readUIntBE(p, 3);
      this.hTimestampField = field;
      if (field !== EXTENDED_TIMESTAMP) return headerEnd;
      if (available < headerEnd + 4) return 0;
      this.hExtended = buf.readUInt32BE(start + headerEnd);
      return headerEnd + 4;
    }

    // Spec 5.3.1.3 says a type-3 chunk repeats the extended timestamp when its chunk stream's last type 0/1/2 header
    // had one; ffmpeg and librtmp do, some encoders do not. The repetition carries the same value, so four bytes equal
    // to it are taken for the field, anything else for chunk data.
    const known = stream as ChunkStream;
    if (!known.extended) return headerEnd;
    if (available < headerEnd + 4) return 0;
    return buf.readUInt32BE(start + headerEnd) === known.extendedValue ? headerEnd + 4 : headerEnd;
  }

  /** Applies the header parseHeader accepted last: updates its chunk stream and starts reading the chunk's data. */
  private applyHeader(messages: RtmpMessage[]): void {
    const fmt = this.hFmt;
    let stream = this.streams.get(this.hCsid);
    if (stream === undefined) {
      stream = {
        csid: this.hCsid,
        timestamp: 0,
        delta: 0,
        length: 0,
        typeId: 0,
        streamId: 0,
        extended: false,
        extendedValue: 0,
        open: false,
        received: 0,
        held: undefined,
        filled: 0,
        views: [],
        openedAt: 0,
      };
      this.streams.set(this.hCsid, stream);
    }

    if (fmt < 3) {
      // A full header while a message is still open on this chunk stream starts over: the partial message is lost.
      if (stream.open) this.discard(stream);
      const extended = this.hTimestampField === EXTENDED_TIMESTAMP;
      const value = extended ? this.hExtended : this.hTimestampField;
      stream.extended = extended;
      stream.extendedValue = value;
      if (fmt === 0) {
        stream.timestamp = value;
        stream.delta = 0;
        stream.streamId = this.hStreamId;
      } else {
        stream.delta = value;
        stream.timestamp = (stream.timestamp + value) >>> 0;
      }
      if (fmt <= 1) {
        stream.length = this.hLength;
        stream.typeId = this.hTypeId;
      }
      this.open(stream);
    } else if (!stream.open) {
      // Spec 5.3.1.2.4: a type-3 chunk that starts a message repeats the previous header, delta included.
      stream.timestamp = (stream.timestamp + stream.delta) >>> 0;
      this.open(stream);
    }

    this.current = stream;
    this.chunkRemaining = Math.min(this.peerChunkSize, stream.length - stream.received);
    if (this.chunkRemaining === 0) this.endChunk(stream, messages);
  }

  private open(stream: ChunkStream): void {
    const pending = this.pendingLength + stream.length;
    if (pending > this.maxPendingLength) {
      throw new ProtocolError(
        'MESSAGE_TOO_LARGE',
        `messages in progress would hold ${pending} bytes; the limit is ${this.maxPendingLength}`,
      );
    }
    this.pendingLength = pending;
    stream.open = true;
    stream.received = 0;
    stream.openedAt = this.now;
  }

  private discard(stream: ChunkStream): void {
    this.pendingLength -= stream.length;
    this.heldBytes -= stream.held?.length ?? 0;
    stream.open = false;
    stream.received = 0;
    stream.held = undefined;
    stream.filled = 0;
    stream.views.length = 0;
  }

  private endChunk(stream: ChunkStream, messages: RtmpMessage[]): void {
    if (stream.received < stream.length) return;
    const { held, views } = stream;
    let payload: Buffer;
    if (stream.length === 0) payload = EMPTY;
    else if (views.length === 0 && held !== undefined) payload = held;
    else if (held === undefined && views.length === 1) payload = Buffer.from(views[0] as Buffer);
    else payload = Buffer.concat(held === undefined ? views : [held.subarray(0, stream.filled), ...views], stream.length);
    const message: RtmpMessage = {
      csid: stream.csid,
      timestamp: stream.timestamp,
      typeId: stream.typeId,
      streamId: stream.streamId,
      payload,
    };
    this.discard(stream);
    messages.push(message);

    // Spec 5.4.1, 5.4.2: these change how the very next chunk is read, so they act here, not in the session.
    if (message.typeId === MessageType.SetChunkSize) {
      this.peerChunkSize = readChunkSize(payload);
    } else if (message.typeId === MessageType.Abort) {
      const aborted = this.streams.get(readAbortCsid(payload));
      if (aborted?.open) this.discard(aborted);
    }
  }

  /**
   * Copies the views of unfinished messages into their own Buffers. The copy grows geometrically: a message
   * trickled a byte per push costs one Buffer and O(length) copying, not one small Buffer per push (each of which
   * would cost a hundred bytes of object overhead for one byte of data).
   */
  private detachViews(): void {
    for (const stream of this.streams.values()) {
      const views = stream.views;
      if (views.length === 0) continue;
      let needed = stream.filled;
      for (const view of views) needed += view.length;
      let held = stream.held;
      if (held === undefined || held.length < needed) {
        const size = Math.min(stream.length, Math.max(needed, MIN_HELD_BYTES, (held?.length ?? 0) * 2));
        const grown = Buffer.allocUnsafeSlow(size);
        if (held !== undefined) held.copy(grown, 0, 0, stream.filled);
        this.heldBytes += size - (held?.length ?? 0);
        stream.held = held = grown;
      }
      for (const view of views) stream.filled += view.copy(held, stream.filled);
      views.length = 0;
    }
  }
}
