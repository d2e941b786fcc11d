import { describe, expect, it } from 'vitest';
import { BugError, ProtocolError } from '../../../../src/errors.js';
import {
  abortMessage,
  acknowledgement,
  parseControlMessage,
  setChunkSize,
  setPeerBandwidth,
  userControl,
  windowAckSize,
} from '../../../../src/protocol/rtmp/control-messages.js';
import {
  MAX_CHUNK_SIZE,
  MessageType,
  type RtmpMessage,
  UserControlEvent,
} from '../../../../src/protocol/rtmp/message-types.js';
import { BufferBuilder } from '../../../helpers/buffer-builder.js';

function incoming(typeId: number, payload: Buffer): RtmpMessage {
  return { csid: 2, timestamp: 0, typeId, streamId: 0, payload };
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
  return undefined;
}

describe('control message builders (spec 5.4, 6.2)', () => {
  it('put every control message on csid 2, stream 0, timestamp 0', () => {
    for (const m of [
      setChunkSize(4096),
      abortMessage(6),
      acknowledgement(1),
      windowAckSize(2_500_000),
      setPeerBandwidth(2_500_000, 2),
      userControl(UserControlEvent.StreamBegin, 1),
    ]) {
      expect([m.csid, m.streamId, m.timestamp]).toEqual([2, 0, 0]);
    }
  });

  it('encode their payloads', () => {
    expect(setChunkSize(4096)).toMatchObject({ typeId: 1, payload: new BufferBuilder().u32be(4096).build() });
    expect(abortMessage(6)).toMatchObject({ typeId: 2, payload: new BufferBuilder().u32be(6).build() });
    expect(acknowledgement(2 ** 32 + 3)).toMatchObject({ typeId: 3, payload: new BufferBuilder().u32be(3).build() });
    expect(windowAckSize(2_500_000)).toMatchObject({
      typeId: 5,
      payload: new BufferBuilder().u32be(2_500_000).build(),
    });
    expect(setPeerBandwidth(2_500_000, 2)).toMatchObject({
      typeId: 6,
      payload: new BufferBuilder().u32be(2_500_000).u8(2).build(),
    });
    expect(userControl(UserControlEvent.PingResponse, 0xdeadbeef)).toMatchObject({
      typeId: 4,
      payload: new BufferBuilder().u16be(7).u32be(0xdeadbeef).build(),
    });
    expect(userControl(UserControlEvent.SetBufferLength, 1, 3000)).toMatchObject({
      typeId: 4,
      payload: new BufferBuilder().u16be(3).u32be(1).u32be(3000).build(),
    });
  });

  it('refuse a chunk size a peer would refuse', () => {
    expect(() => setChunkSize(0)).toThrow(BugError);
    expect(() => setChunkSize(MAX_CHUNK_SIZE + 1)).toThrow(BugError);
    expect(setChunkSize(MAX_CHUNK_SIZE).payload.readUInt32BE(0)).toBe(MAX_CHUNK_SIZE);
  });
});

describe('parseControlMessage', () => {
  it('round-trips every builder', () => {
    expect(parseControlMessage(setChunkSize(4096))).toEqual({ type: 'set-chunk-size', size: 4096 });
    expect(parseControlMessage(abortMessage(70))).toEqual({ type: 'abort', csid: 70 });
    expect(parseControlMessage(acknowledgement(0xffffffff))).toEqual({
      type: 'acknowledgement',
      sequenceNumber: 0xffffffff,
    });
    expect(parseControlMessage(windowAckSize(5_000_000))).toEqual({ type: 'window-ack-size', size: 5_000_000 });
    expect(parseControlMessage(setPeerBandwidth(5_000_000, 1))).toEqual({
      type: 'set-peer-bandwidth',
      size: 5_000_000,
      limitType: 1,
    });
    for (const event of [0, 1, 2, 4, 6, 7]) {
      expect(parseControlMessage(userControl(event, 12345))).toEqual({ type: 'user-control', event, value: 12345 });
    }
    expect(parseControlMessage(userControl(UserControlEvent.SetBufferLength, 1, 3000))).toEqual({
      type: 'user-control',
      event: 3,
      value: 1,
      extra: 3000,
    });
  });

  it('parses hand-built payloads and ignores trailing bytes', () => {
    const ping = incoming(MessageType.UserControl, new BufferBuilder().u16be(6).u32be(99).u8(0).build());
    expect(parseControlMessage(ping)).toEqual({ type: 'user-control', event: 6, value: 99 });
    const ack = incoming(MessageType.Acknowledgement, new BufferBuilder().u32be(1234).zeros(3).build());
    expect(parseControlMessage(ack)).toEqual({ type: 'acknowledgement', sequenceNumber: 1234 });
  });

  it('masks the top bit of Set Chunk Size and refuses 0 or above MAX_CHUNK_SIZE', () => {
    const size = (value: number) => incoming(MessageType.SetChunkSize, new BufferBuilder().u32be(value).build());
    expect(parseControlMessage(size(0x80001000))).toEqual({ type: 'set-chunk-size', size: 0x1000 });
    expect(codeOf(() => parseControlMessage(size(0)))).toBe('CHUNK_SIZE');
    expect(codeOf(() => parseControlMessage(size(MAX_CHUNK_SIZE + 1)))).toBe('CHUNK_SIZE');
  });

  it('refuses short payloads with MESSAGE_MALFORMED', () => {
    const short: [number, Buffer][] = [
      [MessageType.SetChunkSize, Buffer.alloc(3)],
      [MessageType.Abort, Buffer.alloc(3)],
      [MessageType.Acknowledgement, Buffer.alloc(3)],
      [MessageType.WindowAckSize, Buffer.alloc(0)],
      [MessageType.SetPeerBandwidth, Buffer.alloc(4)],
      [MessageType.UserControl, Buffer.alloc(1)],
      [MessageType.UserControl, new BufferBuilder().u16be(0).u24be(1).build()],
      [MessageType.UserControl, new BufferBuilder().u16be(6).build()],
      [MessageType.UserControl, new BufferBuilder().u16be(3).u32be(1).u24be(0).build()],
    ];
    for (const [typeId, payload] of short) {
      const code = codeOf(() => parseControlMessage(incoming(typeId, payload)));
      expect(code, `type ${typeId}, ${payload.length} bytes`).toBe('MESSAGE_MALFORMED');
    }
  });

  it('accepts user control events the spec does not define', () => {
    expect(parseControlMessage(incoming(4, new BufferBuilder().u16be(26).build()))).toEqual({
      type: 'user-control',
      event: 26,
      value: 0,
    });
    expect(parseControlMessage(incoming(4, new BufferBuilder().u16be(31).u32be(1).build()))).toEqual({
      type: 'user-control',
      event: 31,
      value: 1,
    });
  });

  it('is not for other message types', () => {
    expect(() => parseControlMessage(incoming(MessageType.Audio, Buffer.alloc(4)))).toThrow(BugError);
  });
});
