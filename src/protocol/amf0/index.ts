export { AMF0_MARKER, Amf0EcmaArray, asRecord } from './amf0-value.js';
export type { Amf0Object, Amf0Value } from './amf0-value.js';
export { AMF0_MAX_DEPTH, decodeAmf0, decodeAmf0Value } from './amf0-decoder.js';
export type { Amf0DecodeOptions } from './amf0-decoder.js';
export { encodeAmf0 } from './amf0-encoder.js';
