import { BugError } from '../../errors.js';
import { AMF0_MAX_DEPTH } from './amf0-decoder.js';
import { AMF0_MARKER, Amf0EcmaArray, type Amf0Value } from './amf0-value.js';

/** §2.4: a string whose UTF-8 form is longer than this needs the long string type (§2.14). */
const MAX_SHORT_STRING_BYTES = 0xffff;

/**
 * Encodes the values back to back into one Buffer (size computed first, one allocation).
 * Throws TypeError for what AMF0 cannot carry (a property name of 0 or more than 0xFFFF bytes,
 * a function, symbol or bigint, a non-plain object, nesting deeper than AMF0_MAX_DEPTH or a cycle).
 */
export function encodeAmf0(...values: Amf0Value[]): Buffer {
  let size = 0;
  for (const value of values) size += sizeOf(value, 0);
  const buf = Buffer.allocUnsafe(size);
  let offset = 0;
  for (const value of values) offset = write(buf, offset, value);
  if (offset !== size) throw new BugError(`AMF0 encoder wrote ${offset} bytes into a ${size}-byte buffer`);
  return buf;
}

/** Validates as it measures, so `write` can trust its input. */
function sizeOf(value: Amf0Value, depth: number): number {
  switch (typeof value) {
    case 'number':
      return 9;
    case 'boolean':
      return 2;
    case 'string': {
      const bytes = Buffer.byteLength(value, 'utf8');
      return bytes > MAX_SHORT_STRING_BYTES ? 5 + bytes : 3 + bytes;
    }
    case 'undefined':
      return 1;
    case 'object': {
      if (value === null) return 1;
      if (value instanceof Date) return 11;
      const inner = depth + 1;
      if (inner > AMF0_MAX_DEPTH) {
        throw new TypeError(`AMF0 value nests deeper than ${AMF0_MAX_DEPTH} levels (or contains a cycle)`);
      }
      if (Array.isArray(value)) {
        let size = 5;
        for (let i = 0; i < value.length; i++) size += sizeOf(value[i], inner);
        return size;
      }
      if (value instanceof Amf0EcmaArray) return 5 + propertiesSize(value.entries, inner);
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError(`AMF0 cannot encode an instance of ${(value as object).constructor?.name ?? 'a class'}`);
      }
      return 1 + propertiesSize(value, inner);
    }
    default:
      throw new TypeError(`AMF0 cannot encode a ${typeof value}`);
  }
}

function propertiesSize(record: Record<string, Amf0Value>, depth: number): number {
  let size = 3; // UTF-8-empty + object-end-marker
  for (const key of Object.keys(record)) {
    const keyBytes = Buffer.byteLength(key, 'utf8');
    // An empty name would read back as the end of the object (§2.5).
    if (keyBytes === 0 || keyBytes > MAX_SHORT_STRING_BYTES) {
      throw new TypeError(`AMF0 property names must be 1 to ${MAX_SHORT_STRING_BYTES} UTF-8 bytes, got ${keyBytes}`);
    }
    size += 2 + keyBytes + sizeOf(record[key], depth);
  }
  return size;
}

function write(buf: Buffer, offset: number, value: Amf0Value): number {
  switch (typeof value) {
    case 'number':
      buf[offset] = AMF0_MARKER.number;
      return buf.writeDoubleBE(value, offset + 1);
    case 'boolean':
      buf[offset] = AMF0_MARKER.boolean;
      buf[offset + 1] = value ? 1 : 0;
      return offset + 2;
    case 'string':
      if (Buffer.byteLength(value, 'utf8') > MAX_SHORT_STRING_BYTES) {
        buf[offset] = AMF0_MARKER.longString;
        const bytes = buf.write(value, offset + 5, 'utf8');
        buf.writeUInt32BE(bytes, offset + 1);
        return offset + 5 + bytes;
      }
      buf[offset] = AMF0_MARKER.string;
      return writeShortString(buf, offset + 1, value);
    case 'undefined':
      buf[offset] = AMF0_MARKER.undefined;
      return offset + 1;
  }
  if (value === null) {
    buf[offset] = AMF0_MARKER.null;
    return offset + 1;
  }
  if (value instanceof Date) {
    buf[offset] = AMF0_MARKER.date;
    offset = buf.writeDoubleBE(value.getTime(), offset + 1);
    return buf.writeInt16BE(0, offset); // §2.13: time zone reserved, 0
  }
  if (Array.isArray(value)) {
    buf[offset] = AMF0_MARKER.strictArray;
    offset = buf.writeUInt32BE(value.length, offset + 1);
    for (let i = 0; i < value.length; i++) offset = write(buf, offset, value[i]);
    return offset;
  }
  if (value instanceof Amf0EcmaArray) {
    buf[offset] = AMF0_MARKER.ecmaArray;
    offset = buf.writeUInt32BE(Object.keys(value.entries).length, offset + 1);
    return writeProperties(buf, offset, value.entries);
  }
  buf[offset] = AMF0_MARKER.object;
  return writeProperties(buf, offset + 1, value);
}

function writeProperties(buf: Buffer, offset: number, record: Record<string, Amf0Value>): number {
  for (const key of Object.keys(record)) {
    offset = writeShortString(buf, offset, key);
    offset = write(buf, offset, record[key]);
  }
  buf[offset] = 0;
  buf[offset + 1] = 0;
  buf[offset + 2] = AMF0_MARKER.objectEnd;
  return offset + 3;
}

/** U16 byte length then UTF-8; the caller has checked the length fits. */
function writeShortString(buf: Buffer, offset: number, text: string): number {
  const bytes = buf.write(text, offset + 2, 'utf8');
  buf.writeUInt16BE(bytes, offset);
  return offset + 2 + bytes;
}
