import { ProtocolError } from '../../errors.js';
import {
  FLV_PREVIOUS_TAG_SIZE_SIZE,
  FLV_TAG_HEADER_SIZE,
  FlvTagType,
  MAX_FLV_TAG_SIZE,
  type FlvTag,
} from './flv-tag.js';

/** Signature 'FLV', Version, TypeFlags, DataOffset (UI32): FLV v10.1 E.2. */
const FILE_HEADER_SIZE = 9;

/** A zero-length payload; Buffers of length 0 cannot be written to, so sharing one is safe. */
const EMPTY = Buffer.alloc(0);

const enum State {
  FileHeader,
  Skip,
  TagHeader,
  Payload,
  PreviousTagSize,
}

/**
 * Incremental FLV stream parser: feed it bytes as they arrive, get back every tag they complete. A tag is
 * returned once its trailing PreviousTagSize has been checked.
 *
 * A payload that arrives inside one pushed Buffer is returned as a view of that Buffer (no copy), so callers must
 * not reuse a Buffer after pushing it; a payload split across pushes is assembled into one allocation of its
 * exact size.
 */
export class FlvReader {
  private readonly maxTagSize: number;
  private state = State.FileHeader;
  /** Collects the fixed-size fields (file header, tag header, PreviousTagSize) when they arrive in pieces. */
  private readonly scratch = Buffer.alloc(Math.max(FILE_HEADER_SIZE, FLV_TAG_HEADER_SIZE));
  private scratchFill = 0;
  private skipLeft = 0;
  private tagType = 0;
  private tagTimestamp = 0;
  private dataSize = 0;
  private payload: Buffer = EMPTY;
  private payloadFill = 0;
  private failure: ProtocolError | undefined;
  private fileFlags: { audio: boolean; video: boolean } | undefined;

  constructor(options: { maxTagSize?: number } = {}) {
    this.maxTagSize = options.maxTagSize ?? MAX_FLV_TAG_SIZE;
  }

  /** The file header's TypeFlags, once its 9 bytes have arrived. */
  get header(): { audio: boolean; video: boolean } | undefined {
    return this.fileFlags;
  }

  /**
   * Feeds bytes; returns the tags they complete. Throws ProtocolError 'FLV_BAD_HEADER' / 'FLV_TAG_TOO_LARGE' /
   * 'FLV_BAD_TAG'; the reader is unusable after a throw (every later push throws the same error).
   */
  push(data: Buffer): FlvTag[] {
    if (this.failure) throw this.failure;
    try {
      return this.consume(data);
    } catch (error) {
      if (error instanceof ProtocolError) this.failure = error;
      throw error;
    }
  }

  private consume(data: Buffer): FlvTag[] {
    const tags: FlvTag[] = [];
    let pos = 0;
    while (pos < data.length) {
      switch (this.state) {
        case State.FileHeader:
          pos = this.collect(data, pos, FILE_HEADER_SIZE);
          if (this.scratchFill === FILE_HEADER_SIZE) this.readFileHeader();
          break;
        case State.Skip: {
          const n = Math.min(this.skipLeft, data.length - pos);
          pos += n;
          this.skipLeft -= n;
          if (this.skipLeft === 0) this.state = State.TagHeader;
          break;
        }
        case State.TagHeader:
          pos = this.collect(data, pos, FLV_TAG_HEADER_SIZE);
          if (this.scratchFill === FLV_TAG_HEADER_SIZE) this.readTagHeader();
          break;
        case State.Payload:
          pos = this.readPayload(data, pos);
          break;
        case State.PreviousTagSize:
          pos = this.collect(data, pos, FLV_PREVIOUS_TAG_SIZE_SIZE);
          if (this.scratchFill === FLV_PREVIOUS_TAG_SIZE_SIZE) tags.push(this.finishTag());
          break;
      }
    }
    return tags;
  }

  /** Copies up to `size - scratchFill` bytes into scratch; returns the new position in `data`. */
  private collect(data: Buffer, pos: number, size: number): number {
    const n = Math.min(size - this.scratchFill, data.length - pos);
    data.copy(this.scratch, this.scratchFill, pos, pos + n);
    this.scratchFill += n;
    return pos + n;
  }

  private readFileHeader(): void {
    const h = this.scratch;
    if (h[0] !== 0x46 || h[1] !== 0x4c || h[2] !== 0x56) {
      throw new ProtocolError('FLV_BAD_HEADER', 'not an FLV stream: the signature is not "FLV"');
    }
    if (h[3] !== 1) throw new ProtocolError('FLV_BAD_HEADER', `unsupported FLV version ${h[3]}`);
    const flags = h[4] as number;
    const dataOffset = h.readUInt32BE(5);
    if (dataOffset < FILE_HEADER_SIZE) {
      throw new ProtocolError('FLV_BAD_HEADER', `FLV DataOffset ${dataOffset} is smaller than the header`);
    }
    // TypeFlagsAudio is bit 2, TypeFlagsVideo bit 0 (E.2).
    this.fileFlags = { audio: (flags & 0x04) !== 0, video: (flags & 0x01) !== 0 };
    // Any bytes up to DataOffset belong to a longer header; then PreviousTagSize0, which carries nothing.
    this.skipLeft = dataOffset - FILE_HEADER_SIZE + FLV_PREVIOUS_TAG_SIZE_SIZE;
    this.scratchFill = 0;
    this.state = State.Skip;
  }

  private readTagHeader(): void {
    const h = this.scratch;
    const first = h[0] as number;
    // Reserved (UB[2]) must be 0; Filter (UB[1]) marks an encrypted tag, which we cannot pass on (E.4.1).
    if ((first & 0xc0) !== 0) throw new ProtocolError('FLV_BAD_TAG', 'FLV tag header reserved bits are set');
    if ((first & 0x20) !== 0) throw new ProtocolError('FLV_BAD_TAG', 'encrypted (filtered) FLV tags are not supported');
    const type = first & 0x1f;
    if (type !== FlvTagType.Audio && type !== FlvTagType.Video && type !== FlvTagType.Script) {
      throw new ProtocolError('FLV_BAD_TAG', `unknown FLV tag type ${type}`);
    }
    const dataSize = h.readUIntBE(1, 3);
    if (dataSize > this.maxTagSize) {
      throw new ProtocolError(
        'FLV_TAG_TOO_LARGE',
        `FLV tag of ${dataSize} bytes is above the limit of ${this.maxTagSize} bytes`,
      );
    }
    this.tagType = type;
    // Timestamp holds the lower 24 bits, TimestampExtended the upper 8.
    this.tagTimestamp = (((h[7] as number) << 24) | h.readUIntBE(4, 3)) >>> 0;
    this.dataSize = dataSize;
    this.payloadFill = 0;
    this.scratchFill = 0;
    if (dataSize === 0) {
      this.payload = EMPTY;
      this.state = State.PreviousTagSize;
    } else {
      this.state = State.Payload;
    }
  }

  private readPayload(data: Buffer, pos: number): number {
    const available = data.length - pos;
    if (this.payloadFill === 0 && available >= this.dataSize) {
      this.payload = data.subarray(pos, pos + this.dataSize);
      this.state = State.PreviousTagSize;
      return pos + this.dataSize;
    }
    if (this.payloadFill === 0) this.payload = Buffer.allocUnsafe(this.dataSize);
    const n = Math.min(this.dataSize - this.payloadFill, available);
    data.copy(this.payload, this.payloadFill, pos, pos + n);
    this.payloadFill += n;
    if (this.payloadFill === this.dataSize) this.state = State.PreviousTagSize;
    return pos + n;
  }

  private finishTag(): FlvTag {
    const previousTagSize = this.scratch.readUInt32BE(0);
    const expected = FLV_TAG_HEADER_SIZE + this.dataSize;
    if (previousTagSize !== expected) {
      throw new ProtocolError(
        'FLV_BAD_TAG',
        `FLV PreviousTagSize is ${previousTagSize}, expected ${expected} for the tag before it`,
      );
    }
    const tag: FlvTag = { type: this.tagType, timestamp: this.tagTimestamp, payload: this.payload };
    this.payload = EMPTY;
    this.scratchFill = 0;
    this.state = State.TagHeader;
    return tag;
  }
}
