import { type Amf0Object, type Amf0Value, asRecord, decodeAmf0, decodeAmf0Value, encodeAmf0 } from '../protocol/amf0/index.js';
import { MessageType, type RtmpMessage } from '../protocol/rtmp/message-types.js';
import { ProtocolError } from '../errors.js';

/** Chunk stream we send command replies on (spec 7.1; any id from 3 up works, 3 is the convention). */
const COMMAND_CSID = 3;
/** Chunk stream for data messages on a NetStream (|RtmpSampleAccess). */
const DATA_CSID = 5;

export interface RtmpCommand {
  name: string;
  /** The message stream the command came on: NetStream commands (publish, play) name their stream this way. */
  streamId: number;
  transactionId: number;
  object: Record<string, Amf0Value> | null;
  args: Amf0Value[];
}

/** Reads an AMF0 command (type 20), or an AMF3 command (type 17), whose body is AMF0 after one format byte. */
export function parseCommand(message: RtmpMessage): RtmpCommand {
  const body = message.typeId === MessageType.CommandAmf3 ? message.payload.subarray(1) : message.payload;
  const [name, transactionId, object, ...args] = decodeAmf0(body);
  if (typeof name !== 'string') throw new ProtocolError('COMMAND_MALFORMED', 'command name is not a string');
  return {
    name,
    streamId: message.streamId,
    transactionId: typeof transactionId === 'number' ? transactionId : 0,
    object: object === undefined || object === null ? null : (asRecord(object) ?? null),
    args,
  };
}

/** A data message body (type 18), with the `@setDataFrame` wrapper of publishers removed. */
export function parseDataMessage(payload: Buffer): { name: string; body: Buffer } {
  const first = decodeAmf0Value(payload, 0);
  if (typeof first.value !== 'string') throw new ProtocolError('COMMAND_MALFORMED', 'data message name is not a string');
  if (first.value !== '@setDataFrame') return { name: first.value, body: payload };
  const body = payload.subarray(first.offset);
  const second = decodeAmf0Value(body, 0);
  return { name: typeof second.value === 'string' ? second.value : '', body };
}

export function commandMessage(streamId: number, ...values: Amf0Value[]): RtmpMessage {
  return { csid: COMMAND_CSID, timestamp: 0, typeId: MessageType.CommandAmf0, streamId, payload: encodeAmf0(...values) };
}

export function dataMessage(streamId: number, ...values: Amf0Value[]): RtmpMessage {
  return { csid: DATA_CSID, timestamp: 0, typeId: MessageType.DataAmf0, streamId, payload: encodeAmf0(...values) };
}

export function resultMessage(transactionId: number, object: Amf0Value, ...args: Amf0Value[]): RtmpMessage {
  return commandMessage(0, '_result', transactionId, object, ...args);
}

export function errorMessage(transactionId: number, code: string, description: string): RtmpMessage {
  return commandMessage(0, '_error', transactionId, null, { level: 'error', code, description });
}

export type StatusLevel = 'status' | 'error' | 'warning';

export function onStatusMessage(streamId: number, level: StatusLevel, code: string, description: string, extra: Amf0Object = {}): RtmpMessage {
  return commandMessage(streamId, 'onStatus', 0, null, { level, code, description, ...extra });
}
