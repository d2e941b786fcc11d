export {
  CONTROL_CSID,
  DEFAULT_CHUNK_SIZE,
  EXTENDED_TIMESTAMP,
  MAX_CHUNK_SIZE,
  MAX_CHUNK_STREAMS,
  MAX_CSID,
  MAX_MESSAGE_LENGTH,
  MIN_CSID,
  MessageType,
  UserControlEvent,
} from './message-types.js';
export type { RtmpMessage } from './message-types.js';
export { ChunkReader, MAX_PENDING_MESSAGES_FACTOR } from './chunk-reader.js';
export type { ChunkReaderOptions } from './chunk-reader.js';
export { writeMessage, writeMessageParts } from './chunk-writer.js';
export {
  abortMessage,
  acknowledgement,
  parseControlMessage,
  setChunkSize,
  setPeerBandwidth,
  userControl,
  windowAckSize,
} from './control-messages.js';
export type { ControlMessage } from './control-messages.js';
export { ClientHandshake, HANDSHAKE_SIZE, RTMP_VERSION, ServerHandshake } from './handshake.js';
export type { ClientHandshakeOptions, HandshakeStep, ServerHandshakeOptions } from './handshake.js';
