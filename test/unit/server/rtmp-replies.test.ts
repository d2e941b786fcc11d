import { describe, expect, it } from 'vitest';
import { decodeAmf0 } from '../../../src/protocol/amf0/index.js';
import { ChunkReader } from '../../../src/protocol/rtmp/chunk-reader.js';
import { MessageType } from '../../../src/protocol/rtmp/message-types.js';
import { RTMP_REPLY_CACHE_MAX_ENTRIES } from '../../../src/server/limits.js';
import { OUT_CHUNK_SIZE, RtmpReplies } from '../../../src/server/rtmp-replies.js';

/** The messages in `bytes` as a player's chunk reader sees them (it takes Set Chunk Size as it goes). */
function read(bytes: Buffer) {
  const reader = new ChunkReader();
  const messages = reader.push(bytes);
  return { messages, chunkSize: reader.chunkSize };
}

describe('RtmpReplies', () => {
  it("connect: window ack size, peer bandwidth, chunk size, then _result with the client's transaction id and encoding", () => {
    const { messages, chunkSize } = read(new RtmpReplies().connect(1, 3));
    expect(messages.map((m) => m.typeId)).toEqual([
      MessageType.WindowAckSize,
      MessageType.SetPeerBandwidth,
      MessageType.SetChunkSize,
      MessageType.CommandAmf0,
    ]);
    expect(chunkSize).toBe(OUT_CHUNK_SIZE);
    expect(messages[0]?.payload.readUInt32BE(0)).toBe(5_000_000);
    expect([...(messages[1]?.payload ?? [])]).toEqual([0x00, 0x4c, 0x4b, 0x40, 2]);
    const [name, transactionId, properties, info] = decodeAmf0(messages[3]?.payload ?? Buffer.alloc(0));
    expect([name, transactionId]).toEqual(['_result', 1]);
    expect(properties).toMatchObject({ fmsVer: 'FMS/3,5,7,7009', capabilities: 31, mode: 1 });
    expect(info).toMatchObject({ level: 'status', code: 'NetConnection.Connect.Success', objectEncoding: 3 });
  });

  it('play: StreamBegin, Play.Reset, Play.Start and |RtmpSampleAccess on the stream asked for, naming the path', () => {
    const replies = new RtmpReplies();
    // A player reads play's replies after connect's, at the chunk size connect announced.
    const reader = new ChunkReader();
    reader.push(replies.connect(1, 0));
    const messages = reader.push(replies.play(7, 'live/movie'));
    expect(messages.map((m) => [m.typeId, m.streamId])).toEqual([
      [MessageType.UserControl, 0],
      [MessageType.CommandAmf0, 7],
      [MessageType.CommandAmf0, 7],
      [MessageType.DataAmf0, 7],
    ]);
    expect([...(messages[0]?.payload ?? [])]).toEqual([0, 0, 0, 0, 0, 7]);
    const statuses = messages.slice(1, 3).map((m) => decodeAmf0(m.payload)[3]);
    expect(statuses).toEqual([
      { level: 'status', code: 'NetStream.Play.Reset', description: 'Playing and resetting live/movie.' },
      { level: 'status', code: 'NetStream.Play.Start', description: 'Started playing live/movie.' },
    ]);
    expect(decodeAmf0(messages[3]?.payload ?? Buffer.alloc(0))).toEqual(['|RtmpSampleAccess', true, true]);
  });

  it('hands the same bytes to every connection that asks the same way, and new ones to one that asks differently', () => {
    const replies = new RtmpReplies();
    expect(replies.play(1, 'live/a')).toBe(replies.play(1, 'live/a'));
    expect(replies.connect(1, 0)).toBe(replies.connect(1, 0));
    expect(replies.play(1, 'live/b')).not.toEqual(replies.play(1, 'live/a'));
    expect(replies.connect(2, 0)).not.toEqual(replies.connect(1, 0));
    expect(replies.size).toBe(4);
  });

  it(`keeps at most ${RTMP_REPLY_CACHE_MAX_ENTRIES} replies however many ways clients ask`, () => {
    const replies = new RtmpReplies();
    let most = 0;
    for (let streamId = 1; streamId <= RTMP_REPLY_CACHE_MAX_ENTRIES * 3; streamId++) {
      const bytes = replies.play(streamId, 'live/a');
      expect(read(Buffer.concat([replies.connect(1, 0), bytes])).messages[1 + 4]?.streamId).toBe(streamId);
      most = Math.max(most, replies.size);
    }
    expect(most).toBe(RTMP_REPLY_CACHE_MAX_ENTRIES);
    expect(replies.size).toBeLessThanOrEqual(RTMP_REPLY_CACHE_MAX_ENTRIES);
  });
});
