import { describe, expect, it } from 'vitest';
import { ChunkReader } from '../../../../src/protocol/rtmp/chunk-reader.js';
import { writeMessage, writeMessageParts } from '../../../../src/protocol/rtmp/chunk-writer.js';
import { setChunkSize } from '../../../../src/protocol/rtmp/control-messages.js';

describe('writeMessageParts', () => {
  const payload = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 251));

  for (const chunkSize of [1, 128, 4096, 65536]) {
    for (const size of [0, 1, chunkSize, chunkSize + 1, 3 * chunkSize + 7]) {
      for (const timestamp of [0, 40, 0xffffff, 0x12345678]) {
        it(`equals writeMessage byte for byte (chunk ${chunkSize}, payload ${size}, ts ${timestamp})`, () => {
          const message = { csid: 6, timestamp, typeId: 9, streamId: 1, payload: payload.subarray(0, Math.min(size, payload.length)) };
          expect(Buffer.concat(writeMessageParts(message, chunkSize))).toEqual(writeMessage(message, chunkSize));
        });
      }
    }
  }

  it('does not copy the payload: its parts are views of it', () => {
    const parts = writeMessageParts({ csid: 6, timestamp: 0, typeId: 9, streamId: 1, payload }, 4096);
    expect(parts.filter((p) => p.buffer === payload.buffer)).toHaveLength(3);
  });

  it('reads back through the chunk reader', () => {
    const reader = new ChunkReader();
    const bytes = Buffer.concat([
      writeMessage(setChunkSize(4096), 128),
      ...writeMessageParts({ csid: 320, timestamp: 0x1000000, typeId: 9, streamId: 1, payload }, 4096),
    ]);
    const messages = reader.push(bytes);
    expect(messages.at(-1)?.payload).toEqual(payload);
    expect(messages.at(-1)?.timestamp).toBe(0x1000000);
  });
});
