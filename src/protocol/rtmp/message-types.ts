/** RTMP message type ids (RTMP 1.0 spec 5.4 protocol control, 6.2 user control, 7.1 RTMP messages). */
export const MessageType = {
  SetChunkSize: 1,
  Abort: 2,
  Acknowledgement: 3,
  UserControl: 4,
  WindowAckSize: 5,
  SetPeerBandwidth: 6,
  Audio: 8,
  Video: 9,
  DataAmf3: 15,
  SharedObjectAmf3: 16,
  CommandAmf3: 17,
  DataAmf0: 18,
  SharedObjectAmf0: 19,
  CommandAmf0: 20,
  Aggregate: 22,
} as const;

/** User control event types (spec 6.2; 5 is unassigned). */
export const UserControlEvent = {
  StreamBegin: 0,
  StreamEof: 1,
  StreamDry: 2,
  SetBufferLength: 3,
  StreamIsRecorded: 4,
  PingRequest: 6,
  PingResponse: 7,
} as const;

/** Chunk size both ends assume until a Set Chunk Size arrives (spec 5.4.1). */
export const DEFAULT_CHUNK_SIZE = 128;

/**
 * Largest chunk size we accept. Spec 5.4.1 allows up to 2^31 - 1 but notes that sizes above 0xFFFFFF are all
 * equivalent, since a message (24-bit length) never exceeds that.
 */
export const MAX_CHUNK_SIZE = 0xffffff;

/** Largest message we accept from a peer (a 4K keyframe fits). */
export const MAX_MESSAGE_LENGTH = 8 * 1024 * 1024;

/** Chunk streams one connection may have open; real encoders use fewer than ten. */
export const MAX_CHUNK_STREAMS = 64;

/** The chunk stream reserved for protocol control messages (spec 5.4, 6.2). */
export const CONTROL_CSID = 2;

/** Chunk stream ids a basic header can carry: 2-63 in one byte, 64-319 in two, up to 65599 in three (spec 5.3.1.1). */
export const MIN_CSID = 2;
export const MAX_CSID = 65599;

/** A 24-bit timestamp field holding this value means a 4-byte extended timestamp follows (spec 5.3.1.3). */
export const EXTENDED_TIMESTAMP = 0xffffff;

/** One reassembled message. `timestamp` is absolute (u32 milliseconds, wraps); `streamId` is the message stream id. */
export interface RtmpMessage {
  csid: number;
  timestamp: number;
  typeId: number;
  streamId: number;
  payload: Buffer;
}
