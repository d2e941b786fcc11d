// Hand-built FLV/RTMP media payloads (FLV spec E.4.2.1, E.4.3.1) for unit tests of the channel and its viewers.
export const KEY = Buffer.from([0x17, 0x01, 0, 0, 0, 0xaa]);
export const INTER = Buffer.from([0x27, 0x01, 0, 0, 0, 0xbb]);
export const AVC_HEADER = Buffer.from([0x17, 0x00, 0, 0, 0, 0x01]);
export const AAC_HEADER = Buffer.from([0xaf, 0x00, 0x12, 0x10]);
export const AAC = Buffer.from([0xaf, 0x01, 0xcc]);
