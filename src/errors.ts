/**
 * The error hierarchy. Every error a user can cause has a message that names what was wrong and,
 * where there is one, the next step; only BugError means the fault is ours.
 */
export class KayakError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Codes for malformed or hostile protocol input. Tests assert on the code, logs print the message. */
export type ProtocolErrorCode =
  | 'AMF_TRUNCATED'
  | 'AMF_UNKNOWN_MARKER'
  | 'AMF_TOO_DEEP'
  | 'AMF_TOO_LONG'
  | 'AMF_BAD_OBJECT'
  | 'HANDSHAKE_VERSION'
  | 'HANDSHAKE_TIMEOUT'
  | 'CHUNK_SIZE'
  | 'CHUNK_STREAM_UNKNOWN'
  | 'CHUNK_STREAM_LIMIT'
  | 'MESSAGE_TOO_LARGE'
  | 'MESSAGE_MALFORMED'
  | 'COMMAND_MALFORMED'
  | 'FLV_BAD_HEADER'
  | 'FLV_TAG_TOO_LARGE'
  | 'FLV_BAD_TAG'
  | 'IDLE_TIMEOUT';

/** Malformed or hostile input on the wire. The connection that sent it is closed; nothing else is affected. */
export class ProtocolError extends KayakError {
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A mistake the user can fix (a flag, a port in use, a file). `nextStep` says how, in words. */
export class UserError extends KayakError {
  constructor(
    message: string,
    readonly nextStep?: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Something that should never happen: a fault in kayak-cast itself. */
export class BugError extends KayakError {}
