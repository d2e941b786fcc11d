import { afterAll, beforeAll, expect, it } from 'vitest';
import { MAX_MESSAGE_LENGTH, MessageType } from '../../src/protocol/rtmp/message-types.js';
import { describeWithPeers } from '../helpers/peers.js';
import { BufferBuilder } from '../helpers/buffer-builder.js';
import { ffprobeStreams } from '../helpers/players.js';
import { MB, mb, residentBreakdown } from '../helpers/proc.js';
import { RawClient, amfString, chunked } from '../helpers/raw-rtmp.js';
import { trackProcesses, waitFor } from '../helpers/processes.js';
import { requireBuilt } from '../helpers/server.js';
import { type SteadyStream, startSteadyStream } from '../helpers/steady-stream.js';

/**
 * The C heap after a publisher's large messages (issue 8: the fuzz run's RSS that stayed). glibc's malloc serves a
 * request of its mmap threshold or more with a mapping of its own, and by default raises that threshold to the size
 * of any such block when it is freed, up to 32 MiB, and the trim threshold to twice that: after one 8 MiB message,
 * everything below 8 MiB came from the brk heap and up to 16 MiB of free space at its top was kept for good. The
 * launcher pins the threshold (MALLOC_MMAP_THRESHOLD_ in bin/kayak-cast.js's shebang), so a large message is mapped
 * and unmapped on its own whatever came before. The server here is the built bin, as a user runs it.
 */

/** Chunk size the hostile publisher announces (spec 5.4.1), so that its megabytes go in few chunks. */
const CHUNK_SIZE = 65_536;
/** Messages of this size, one after the other: each would have left its bytes in the brk heap. */
const MEDIUM_MESSAGE = 6 * MB;
const MEDIUM_MESSAGES = 3;
/** What the brk heap may keep after all of it (allocator noise of the steady stream; the old way kept ~10 MB). */
const ALLOWED_HEAP_GROWTH = 4 * MB;

function amfCommand(build: (b: BufferBuilder) => BufferBuilder): Buffer {
  return build(new BufferBuilder()).build();
}

/** A video message (FLV video tag body, an AVC inter frame) of `length` bytes: not cached as a keyframe. */
function interFrame(length: number): Buffer {
  const payload = Buffer.alloc(length);
  payload[0] = 0x27;
  payload[1] = 0x01;
  return payload;
}

async function publishRaw(port: number, key: string): Promise<RawClient> {
  const client = await RawClient.open(port);
  await client.handshake();
  const setChunkSize = new BufferBuilder().u32be(CHUNK_SIZE).build();
  client.write(chunked(2, MessageType.SetChunkSize, setChunkSize));
  const connect = amfCommand((b) => amfString(b, 'connect').u8(0x00).f64be(1).u8(0x03).u16be(3).utf8('app').u8(0x02).u16be(4).utf8('live').u16be(0).u8(0x09));
  client.write(chunked(3, MessageType.CommandAmf0, connect, CHUNK_SIZE));
  const publish = amfCommand((b) => amfString(amfString(amfString(b, 'publish').u8(0x00).f64be(0).u8(0x05), key), 'live'));
  client.write(chunked(3, MessageType.CommandAmf0, publish, CHUNK_SIZE));
  await waitFor(() => client.received.includes('NetStream.Publish.Start'), { timeoutMs: 5_000, intervalMs: 20, what: 'NetStream.Publish.Start' });
  return client;
}

describeWithPeers(['ffmpeg', 'ffprobe'], 'fault: a publisher sends messages of megabytes', () => {
  trackProcesses();
  let steady: SteadyStream;

  beforeAll(async () => {
    await requireBuilt();
    steady = await startSteadyStream({ server: { args: ['--grace', '1'] } });
  }, 60_000);
  afterAll(async () => steady?.stop());

  it('gives their memory back to the system: the brk heap does not keep it', async () => {
    const { server } = steady;
    const heap = () => residentBreakdown(server.pid)?.brkHeap ?? NaN;
    const before = heap();
    const client = await publishRaw(server.rtmpPort, 'megabytes');
    // The largest message a publisher may send, complete: with the default allocator it raised the mmap threshold.
    client.write(chunked(4, MessageType.Video, interFrame(MAX_MESSAGE_LENGTH), CHUNK_SIZE));
    for (let i = 0; i < MEDIUM_MESSAGES; i++) client.write(chunked(4, MessageType.Video, interFrame(MEDIUM_MESSAGE), CHUNK_SIZE));
    // And one left unfinished: the reader's copy grows as the bytes arrive and is dropped with the connection.
    client.write(chunked(4, MessageType.Video, interFrame(MEDIUM_MESSAGE), CHUNK_SIZE).subarray(0, MEDIUM_MESSAGE / 2));
    await waitFor(() => client.socket.writableLength === 0, { timeoutMs: 20_000, intervalMs: 50, what: 'the messages to be sent' });
    client.destroy();
    await client.closed;
    // The process frees the blocks when the session ends; the heap is read until it is back (or the wait ends).
    await waitFor(() => heap() - before < ALLOWED_HEAP_GROWTH, { timeoutMs: 5_000, intervalMs: 200 }).catch(() => undefined);
    const after = heap();
    console.info(`[faults] brk heap ${mb(before)} before the large messages, ${mb(after)} after`);
    expect(after - before, `brk heap ${mb(before)} before, ${mb(after)} after`).toBeLessThan(ALLOWED_HEAP_GROWTH);

    // The steady publisher and viewer never noticed, and a new player still gets the stream.
    await steady.moreFrames(10);
    expect(steady.problems()).toEqual([]);
    expect((await ffprobeStreams(server.rtmpUrl(steady.key))).map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
  }, 90_000);
});
