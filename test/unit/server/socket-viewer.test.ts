import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Channel, FLUSH_MIN_INTERVAL_MS } from '../../../src/media/channel.js';
import type { MediaPacket } from '../../../src/media/media-packet.js';
import type { Viewer } from '../../../src/media/viewer.js';
import { DEFAULT_QUEUE_LIMITS } from '../../../src/media/viewer-queue.js';
import { FlvViewer } from '../../../src/server/flv-viewer.js';
import { JOIN_REST_QUIET_MS, JoinRests } from '../../../src/server/join-rests.js';
import { silentLogger } from '../../../src/util/logger.js';
import { AAC, AAC_HEADER, AVC_HEADER, INTER, KEY } from '../../helpers/media-payloads.js';


/** A socket that always has room and keeps what is written, for reading back as FLV tags. */
class RoomySocket extends EventEmitter {
  readonly chunks: Buffer[] = [];
  writableLength = 0;
  destroyed = false;
  writable = true;
  remoteAddress = '127.0.0.1';
  remotePort = 5000;
  write(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    return true;
  }
  ended = false;
  cork(): void {}
  uncork(): void {}
  end(): void {
    this.ended = true;
  }
  /** The tags written, as "kind@timestamp". */
  tags(): string[] {
    const bytes = Buffer.concat(this.chunks);
    const tags: string[] = [];
    for (let at = 0; at + 11 <= bytes.length; ) {
      const size = bytes.readUIntBE(at + 1, 3);
      const timestamp = bytes.readUIntBE(at + 4, 3) | (bytes[at + 7]! << 24);
      tags.push(`${bytes[at] === 8 ? 'audio' : bytes[at] === 9 ? 'video' : 'data'}@${timestamp}`);
      at += 11 + size + 4;
    }
    return tags;
  }
}

class RecordingViewer implements Viewer {
  readonly protocol = 'http-flv' as const;
  readonly id = 'reference';
  readonly remoteAddress = '127.0.0.1:1';
  readonly since = 0;
  readonly bytesSent = 0;
  readonly droppedFrames = 0;
  readonly packets: MediaPacket[] = [];
  deliver(packet: MediaPacket): void {
    this.packets.push(packet);
  }
  deliverBurst(packets: readonly MediaPacket[]): void {
    this.packets.push(...packets);
  }
  finish(): void {}
  tags(): string[] {
    return this.packets.map((p) => `${p.kind}@${p.timestamp}`);
  }
}

/** Long enough for JoinRests to let a lone joiner's rest go. */
const restsGo = () => new Promise<void>((resolve) => setTimeout(resolve, JOIN_REST_QUIET_MS * 4));

/** An FLV viewer that can stop wanting audio, as an RTMP viewer does after receiveAudio(false). */
class ChoosyViewer extends FlvViewer {
  audio = true;
  protected override wants(packet: MediaPacket): boolean {
    return this.audio || packet.kind !== 'audio' || packet.sequenceHeader;
  }
  protected override wantsEverything(): boolean {
    return this.audio;
  }
}

function setup(): { channel: Channel; socket: RoomySocket; viewer: ChoosyViewer; reference: RecordingViewer; advance: (ms: number) => void } {
  let ms = 0;
  const clock = { now: () => ms, monotonic: () => ms };
  const channel = new Channel('live', 'movie', { address: '127.0.0.1:9', protocol: 'rtmp', since: 0 }, { clock });
  channel.pushVideo(0, AVC_HEADER);
  channel.pushAudio(0, AAC_HEADER);
  channel.pushVideo(0, KEY);
  const socket = new RoomySocket();
  const viewer = new ChoosyViewer({
    id: 'flv-1',
    socket: socket as unknown as Socket,
    channel,
    clock,
    queueLimits: DEFAULT_QUEUE_LIMITS,
    rests: new JoinRests(silentLogger),
    onCutOff: () => {
      throw new Error('cut off');
    },
  });
  return { channel, socket, viewer, reference: new RecordingViewer(), advance: (by) => (ms += by) };
}

/** The viewer (and the reference) join a GOP of a keyframe and one more frame: the burst has a head and a rest. */
function joinedMidGop(): ReturnType<typeof setup> {
  const joined = setup();
  joined.advance(40);
  joined.channel.pushVideo(40, INTER);
  joined.channel.addViewer(joined.reference);
  joined.channel.addViewer(joined.viewer);
  return joined;
}

describe('SocketViewer', () => {
  it('sends every packet exactly once when the channel flushes between its join and the rest of its burst', async () => {
    const { channel, socket, reference, advance } = joinedMidGop();
    // Before its rest goes: a frame flushes the channel's batch (held for this viewer behind its rest), then an audio
    // packet and a frame too soon after the flush to flush again; the rest and all of these go in order after it.
    advance(40);
    channel.pushVideo(80, INTER);
    channel.pushAudio(85, AAC);
    advance(FLUSH_MIN_INTERVAL_MS - 1);
    channel.pushVideo(120, INTER);
    await restsGo();
    advance(40);
    channel.pushVideo(160, INTER);
    advance(40);
    channel.pushVideo(200, INTER);
    await restsGo();
    expect(socket.tags()).toEqual(reference.tags());
  });

  it('sends every packet exactly once when it catches up at a flush before its socket says it drained', async () => {
    const { channel, socket, viewer, reference, advance } = setup();
    channel.addViewer(reference);
    channel.addViewer(viewer);
    await restsGo();
    // The socket is full at a flush: the batch waits in the viewer's own queue until 'drain'.
    socket.writableLength = 200 * 1024;
    advance(40);
    channel.pushVideo(40, INTER);
    // Room again before the event: the next flush writes everything and the viewer is back in step.
    socket.writableLength = 0;
    advance(40);
    channel.pushVideo(80, INTER);
    channel.pushAudio(85, AAC);
    socket.emit('drain');
    advance(40);
    channel.pushVideo(120, INTER);
    await restsGo();
    expect(socket.tags()).toEqual(reference.tags());
  });

  it('writes the burst up to its keyframe at once, and the rest and what followed only when JoinRests lets it go', async () => {
    const { channel, socket, reference, advance } = joinedMidGop();
    expect(socket.tags()).toEqual(['video@0', 'audio@0', 'video@0']);
    // The channel's flushes in the meantime write nothing more to this viewer.
    advance(40);
    channel.pushVideo(80, INTER);
    advance(40);
    channel.pushAudio(100, AAC);
    channel.pushVideo(120, INTER);
    expect(socket.tags()).toEqual(['video@0', 'audio@0', 'video@0']);
    await restsGo();
    expect(socket.tags()).toEqual(reference.tags());
    // Back in step with the channel after it.
    advance(40);
    channel.pushVideo(160, INTER);
    expect(socket.tags()).toEqual(reference.tags());
  });

  it('sends the held rest and what followed when the channel ends before JoinRests lets it go', () => {
    const { channel, socket, reference, advance } = joinedMidGop();
    advance(40);
    channel.pushVideo(80, INTER);
    channel.end('the publisher stopped');
    expect(socket.tags()).toEqual(reference.tags());
    expect(socket.ended).toBe(true);
  });

  it('judges a batch it is in step with at the flush: over its limit it skips to the next keyframe, then goes on', async () => {
    const { channel, socket, viewer, reference, advance } = setup();
    channel.addViewer(viewer);
    await restsGo();
    channel.addViewer(reference);
    // In step; by the next flush the socket holds more than the viewer may have waiting: the frame is dropped.
    socket.writableLength = DEFAULT_QUEUE_LIMITS.maxBytes;
    advance(40);
    channel.pushAudio(35, AAC);
    channel.pushVideo(40, INTER);
    expect(viewer.droppedFrames).toBe(1);
    // Drained: inter frames are still skipped, the keyframe resumes it and it is in step again after that.
    socket.writableLength = 0;
    socket.emit('drain');
    advance(40);
    channel.pushVideo(80, INTER);
    advance(40);
    channel.pushVideo(120, KEY);
    advance(40);
    channel.pushVideo(160, INTER);
    expect(viewer.droppedFrames).toBe(2);
    const sent = socket.tags();
    expect(sent.slice(-2)).toEqual(['video@120', 'video@160']);
    expect(sent).not.toContain('video@40');
    expect(sent).not.toContain('video@80');
    expect(viewer.inStepWith).toBe(channel.batch.seq);
  });

  it('leaves out the kinds of packets it no longer wants while in step (RTMP receiveAudio false)', async () => {
    const { channel, socket, viewer, advance } = setup();
    channel.addViewer(viewer);
    await restsGo();
    advance(40);
    channel.pushAudio(35, AAC);
    channel.pushVideo(40, INTER);
    viewer.audio = false;
    advance(40);
    channel.pushAudio(75, AAC);
    channel.pushVideo(80, INTER);
    advance(40);
    channel.pushAudio(115, AAC);
    channel.pushVideo(120, INTER);
    expect(socket.tags().slice(3)).toEqual(['audio@35', 'video@40', 'video@80', 'video@120']);
  });

  it("takes its 'drain' listener with it when it leaves (an RTMP connection may play and stop again and again)", async () => {
    const { channel, socket, viewer, advance } = setup();
    channel.addViewer(viewer);
    await restsGo();
    socket.writableLength = 200 * 1024;
    advance(40);
    channel.pushVideo(40, INTER);
    expect(socket.listenerCount('drain')).toBe(1);
    channel.removeViewer(viewer);
    expect(socket.listenerCount('drain')).toBe(0);
  });
});

