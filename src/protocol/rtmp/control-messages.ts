// Protocol control (spec 5.4) and user control (spec 6.2) messages: csid 2, message stream 0, timestamp 0.
import { BugError, ProtocolError } from '../../errors.js';
import { CONTROL_CSID, MAX_CHUNK_SIZE, MessageType, type RtmpMessage, UserControlEvent } from './message-types.js';

export type ControlMessage =
  | { type: 'set-chunk-size'; size: number }
  | { type: 'abort'; csid: number }
  | { type: 'acknowledgement'; sequenceNumber: number }
  | { type: 'window-ack-size'; size: number }
  | { type: 'set-peer-bandwidth'; size: number; limitType: number }
  | { type: 'user-control'; event: number; value: number; extra?: number };

function control(typeId: number, payload: Buffer): RtmpMessage {
  return { csid: CONTROL_CSID, timestamp: 0, typeId, streamId: 0, payload };
}

function u32Message(typeId: number, value: number): RtmpMessage {
  const payload = Buffer.allocUnsafe(4);
  payload.writeUInt32BE(value >>> 0, 0);
  return control(typeId, payload);
}

/** Spec 5.4.1. We never announce a size a peer would refuse. */
export function setChunkSize(size: number): RtmpMessage {
  if (!Number.isInteger(size) || size < 1 || size > MAX_CHUNK_SIZE) {
    throw new BugError(`setChunkSize(${size}): chunk size must be 1..${MAX_CHUNK_SIZE}`);
  }
  return u32Message(MessageType.SetChunkSize, size);
}

/** Spec 5.4.2: the peer drops the partial message on `csid`. */
export function abortMessage(csid: number): RtmpMessage {
  return u32Message(MessageType.Abort, csid);
}

/** Spec 5.4.3: bytes received so far; the count wraps at 2^32. */
export function acknowledgement(sequenceNumber: number): RtmpMessage {
  return u32Message(MessageType.Acknowledgement, sequenceNumber);
}

/** Spec 5.4.4. */
export function windowAckSize(size: number): RtmpMessage {
  return u32Message(MessageType.WindowAckSize, size);
}

/** Spec 5.4.5: limit type 0 hard, 1 soft, 2 dynamic. */
export function setPeerBandwidth(size: number, limitType: 0 | 1 | 2): RtmpMessage {
  const payload = Buffer.allocUnsafe(5);
  payload.writeUInt32BE(size >>> 0, 0);
  payload.writeUInt8(limitType, 4);
  return control(MessageType.SetPeerBandwidth, payload);
}

/**
 * Spec 6.2: a 2-byte event type, then its data: a stream id for StreamBegin/Eof/Dry/IsRecorded, a timestamp for
 * PingRequest/Response, a stream id and a buffer length in milliseconds (`extra`) for SetBufferLength.
 */
export function userControl(event: number, value: number, extra?: number): RtmpMessage {
  const payload = Buffer.allocUnsafe(extra === undefined ? 6 : 10);
  payload.writeUInt16BE(event, 0);
  payload.writeUInt32BE(value >>> 0, 2);
  if (extra !== undefined) payload.writeUInt32BE(extra >>> 0, 6);
  return control(MessageType.UserControl, payload);
}

function malformed(message: RtmpMessage, what: string, needed: number): ProtocolError {
  return new ProtocolError(
    'MESSAGE_MALFORMED',
    `${what} (type ${message.typeId}) of ${message.payload.length} bytes; it needs ${needed}`,
  );
}

/**
 * Reads a Set Chunk Size payload. Spec 5.4.1: the top bit must be zero; we mask it (as most peers do) and refuse 0
 * and anything above MAX_CHUNK_SIZE.
 */
export function readChunkSize(payload: Buffer): number {
  if (payload.length < 4) {
    throw new ProtocolError('MESSAGE_MALFORMED', `Set Chunk Size of ${payload.length} bytes; it needs 4`);
  }
  const size = payload.readUInt32BE(0) & 0x7fffffff;
  if (size === 0 || size > MAX_CHUNK_SIZE) {
    throw new ProtocolError('CHUNK_SIZE', `Set Chunk Size ${size}; accepted sizes are 1..${MAX_CHUNK_SIZE}`);
  }
  return size;
}

/** Reads an Abort payload: the chunk stream id whose partial message is dropped (spec 5.4.2). */
export function readAbortCsid(payload: Buffer): number {
  if (payload.length < 4) throw new ProtocolError('MESSAGE_MALFORMED', `Abort of ${payload.length} bytes; it needs 4`);
  return payload.readUInt32BE(0);
}

/** Events whose data is a single 4-byte value (spec 6.2). */
const FOUR_BYTE_EVENTS: ReadonlySet<number> = new Set([
  UserControlEvent.StreamBegin,
  UserControlEvent.StreamEof,
  UserControlEvent.StreamDry,
  UserControlEvent.StreamIsRecorded,
  UserControlEvent.PingRequest,
  UserControlEvent.PingResponse,
]);

/**
 * Parses a protocol control or user control message (type 1-6); ProtocolError 'MESSAGE_MALFORMED' if short.
 * Bytes beyond a message's fields are ignored. A user control event the spec does not define only needs its
 * 2-byte type; its value is the next 4 bytes when present, else 0.
 */
export function parseControlMessage(message: RtmpMessage): ControlMessage {
  const payload = message.payload;
  switch (message.typeId) {
    case MessageType.SetChunkSize:
      return { type: 'set-chunk-size', size: readChunkSize(payload) };
    case MessageType.Abort:
      return { type: 'abort', csid: readAbortCsid(payload) };
    case MessageType.Acknowledgement:
      if (payload.length < 4) throw malformed(message, 'Acknowledgement', 4);
      return { type: 'acknowledgement', sequenceNumber: payload.readUInt32BE(0) };
    case MessageType.WindowAckSize:
      if (payload.length < 4) throw malformed(message, 'Window Acknowledgement Size', 4);
      return { type: 'window-ack-size', size: payload.readUInt32BE(0) };
    case MessageType.SetPeerBandwidth:
      if (payload.length < 5) throw malformed(message, 'Set Peer Bandwidth', 5);
      return { type: 'set-peer-bandwidth', size: payload.readUInt32BE(0), limitType: payload[4] as number };
    case MessageType.UserControl: {
      if (payload.length < 2) throw malformed(message, 'User Control', 2);
      const event = payload.readUInt16BE(0);
      if (event === UserControlEvent.SetBufferLength) {
        if (payload.length < 10) throw malformed(message, 'User Control SetBufferLength', 10);
        return { type: 'user-control', event, value: payload.readUInt32BE(2), extra: payload.readUInt32BE(6) };
      }
      if (FOUR_BYTE_EVENTS.has(event)) {
        if (payload.length < 6) throw malformed(message, `User Control event ${event}`, 6);
        return { type: 'user-control', event, value: payload.readUInt32BE(2) };
      }
      return { type: 'user-control', event, value: payload.length >= 6 ? payload.readUInt32BE(2) : 0 };
    }
    default:
      throw new BugError(`parseControlMessage called with message type ${message.typeId}; it takes types 1-6`);
  }
}
