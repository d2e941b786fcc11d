/**
 * AMF0 value model ("Action Message Format -- AMF 0", Adobe 2007). RTMP command and data messages
 * are AMF0 values back to back.
 */

/** Type markers, AMF0 spec §2.1. */
export const AMF0_MARKER = {
  number: 0x00,
  boolean: 0x01,
  string: 0x02,
  object: 0x03,
  movieclip: 0x04,
  null: 0x05,
  undefined: 0x06,
  reference: 0x07,
  ecmaArray: 0x08,
  objectEnd: 0x09,
  strictArray: 0x0a,
  date: 0x0b,
  longString: 0x0c,
  unsupported: 0x0d,
  recordset: 0x0e,
  xmlDocument: 0x0f,
  typedObject: 0x10,
  avmplusObject: 0x11,
} as const;

export interface Amf0Object {
  [key: string]: Amf0Value;
}

/** ECMA array (marker 0x08): an associative array; onMetaData from ffmpeg arrives as one. */
export class Amf0EcmaArray {
  constructor(readonly entries: Record<string, Amf0Value>) {}
}

export type Amf0Value = number | boolean | string | null | undefined | Date | Amf0Object | Amf0EcmaArray | Amf0Value[];

/** The key/value record of an object or ECMA array, else undefined. */
export function asRecord(value: Amf0Value): Record<string, Amf0Value> | undefined {
  if (value instanceof Amf0EcmaArray) return value.entries;
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date) return undefined;
  return value;
}
