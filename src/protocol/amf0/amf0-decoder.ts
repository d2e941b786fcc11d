import { ProtocolError } from '../../errors.js';
import { AMF0_MARKER, Amf0EcmaArray, type Amf0Value } from './amf0-value.js';

/** Nesting of objects/arrays a decoder accepts: a top-level object is depth 1. Deeper input is hostile. */
export const AMF0_MAX_DEPTH = 32;

export interface Amf0DecodeOptions {
  maxDepth?: number;
}

/** Decodes one value at `offset`; returns it and the offset just after it. */
export function decodeAmf0Value(
  buf: Buffer,
  offset: number,
  options: Amf0DecodeOptions = {},
): { value: Amf0Value; offset: number } {
  if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`AMF0 offset must be a non-negative integer, got ${offset}`);
  const reader = new Amf0Reader(buf, offset, options.maxDepth ?? AMF0_MAX_DEPTH);
  const value = reader.value(0);
  return { value, offset: reader.pos };
}

/** Decodes every value in `buf` back to back (an RTMP command or data message body). */
export function decodeAmf0(buf: Buffer, options: Amf0DecodeOptions = {}): Amf0Value[] {
  const reader = new Amf0Reader(buf, 0, options.maxDepth ?? AMF0_MAX_DEPTH);
  const values: Amf0Value[] = [];
  while (reader.pos < buf.length) values.push(reader.value(0));
  return values;
}

/**
 * A bounds-checked cursor. Fixed-width fields that run past the end are AMF_TRUNCATED; a length or
 * count that announces more than the bytes left is AMF_TOO_LONG, checked before anything is read.
 * Recursion is bounded by maxDepth (two frames per level).
 */
class Amf0Reader {
  constructor(
    private readonly buf: Buffer,
    public pos: number,
    private readonly maxDepth: number,
  ) {}

  value(depth: number): Amf0Value {
    const at = this.pos;
    const marker = this.u8('a type marker');
    switch (marker) {
      case AMF0_MARKER.number:
        return this.f64('a number');
      case AMF0_MARKER.boolean:
        return this.u8('a boolean') !== 0; // §2.3: any non-zero byte is true
      case AMF0_MARKER.string:
        return this.utf8(this.u16('a string length'), 'string');
      case AMF0_MARKER.longString:
        return this.utf8(this.u32('a long string length'), 'long string');
      case AMF0_MARKER.object:
        return this.properties(this.enter(depth, at));
      case AMF0_MARKER.typedObject: {
        // §2.18: class-name then an object body; the class name means nothing to us.
        this.utf8(this.u16('a class name length'), 'class name');
        return this.properties(this.enter(depth, at));
      }
      case AMF0_MARKER.ecmaArray: {
        // §2.10: associative-count is only a hint (some encoders write 0); the body ends like an object's.
        this.u32('an ECMA array count');
        return new Amf0EcmaArray(this.properties(this.enter(depth, at)));
      }
      case AMF0_MARKER.strictArray:
        return this.strictArray(this.enter(depth, at));
      case AMF0_MARKER.date: {
        // §2.13: milliseconds since the epoch (UTC), then a reserved S16 time zone we ignore.
        const ms = this.f64('a date');
        this.skip(2, 'a date time zone');
        return new Date(ms);
      }
      case AMF0_MARKER.null:
        return null;
      case AMF0_MARKER.undefined:
      case AMF0_MARKER.unsupported:
        return undefined;
      case AMF0_MARKER.objectEnd:
        throw new ProtocolError('AMF_BAD_OBJECT', `AMF0 object-end marker at offset ${at} where a value was expected`);
      default:
        // movieclip, reference, recordset, xml-document, the AVM+ switch (§3.1) and undefined bytes.
        throw new ProtocolError('AMF_UNKNOWN_MARKER', `AMF0 type marker 0x${marker.toString(16).padStart(2, '0')} at offset ${at} is not supported`);
    }
  }

  private enter(depth: number, at: number): number {
    const inner = depth + 1;
    if (inner > this.maxDepth) {
      throw new ProtocolError('AMF_TOO_DEEP', `AMF0 value at offset ${at} nests deeper than ${this.maxDepth} levels`);
    }
    return inner;
  }

  /** §2.5: (UTF-8 key, value)* then UTF-8-empty and object-end-marker. */
  private properties(depth: number): Record<string, Amf0Value> {
    const record: Record<string, Amf0Value> = {};
    for (;;) {
      const keyLength = this.u16('a property name length');
      if (keyLength === 0) {
        const at = this.pos;
        if (this.u8('an object-end marker') !== AMF0_MARKER.objectEnd) {
          throw new ProtocolError('AMF_BAD_OBJECT', `AMF0 empty property name at offset ${at - 2} is not followed by an object-end marker`);
        }
        return record;
      }
      const key = this.utf8(keyLength, 'property name');
      const value = this.value(depth);
      if (key === '__proto__') {
        // A plain assignment would replace the prototype; keep it an ordinary own property.
        Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
      } else {
        record[key] = value;
      }
    }
  }

  /** §2.12: U32 count then that many values. */
  private strictArray(depth: number): Amf0Value[] {
    const at = this.pos;
    const count = this.u32('a strict array count');
    // Every value takes at least its marker byte.
    if (count > this.buf.length - this.pos) {
      throw new ProtocolError('AMF_TOO_LONG', `AMF0 strict array at offset ${at - 1} announces ${count} values but ${this.buf.length - this.pos} bytes are left`);
    }
    const values: Amf0Value[] = [];
    for (let i = 0; i < count; i++) values.push(this.value(depth));
    return values;
  }

  private utf8(length: number, what: string): string {
    const left = this.buf.length - this.pos;
    if (length > left) {
      throw new ProtocolError('AMF_TOO_LONG', `AMF0 ${what} at offset ${this.pos} announces ${length} bytes but ${left} are left`);
    }
    const text = this.buf.toString('utf8', this.pos, this.pos + length);
    this.pos += length;
    return text;
  }

  private need(size: number, what: string): void {
    if (this.buf.length - this.pos < size) {
      throw new ProtocolError('AMF_TRUNCATED', `AMF0 data ends at offset ${this.buf.length} inside ${what} (needs ${size} bytes at offset ${this.pos})`);
    }
  }

  private skip(size: number, what: string): void {
    this.need(size, what);
    this.pos += size;
  }

  private u8(what: string): number {
    this.need(1, what);
    return this.buf.readUInt8(this.pos++);
  }

  private u16(what: string): number {
    this.need(2, what);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  private u32(what: string): number {
    this.need(4, what);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  private f64(what: string): number {
    this.need(8, what);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }
}
