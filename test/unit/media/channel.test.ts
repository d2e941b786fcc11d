import { describe, expect, it } from 'vitest';
import { Channel, GOP_CACHE_MAX_PACKETS } from '../../../src/media/channel.js';
import type { JoinBurst } from '../../../src/media/join-burst.js';
import type { MediaPacket } from '../../../src/media/media-packet.js';
import type { Viewer } from '../../../src/media/viewer.js';
import { AAC, AAC_HEADER, AVC_HEADER, INTER, KEY } from '../../helpers/media-payloads.js';


class RecordingViewer implements Viewer {
  readonly protocol = 'http-flv' as const;
  readonly remoteAddress = '127.0.0.1:1';
  readonly since = 0;
  readonly bytesSent = 0;
  readonly droppedFrames = 0;
  readonly packets: MediaPacket[] = [];
  finished: string | undefined;
  shared: JoinBurst | undefined;
  constructor(readonly id = 'v') {}
  deliver(packet: MediaPacket): void {
    this.packets.push(packet);
  }
  deliverBurst(packets: readonly MediaPacket[], _hasVideo: boolean, shared?: JoinBurst): void {
    this.packets.push(...packets);
    this.shared = shared;
  }
  finish(reason: string): void {
    this.finished = reason;
  }
}

const publisher = { address: '127.0.0.1:9', protocol: 'rtmp' as const, since: 0 };

function liveChannel(): Channel {
  const channel = new Channel('live', 'movie', publisher, { clock: { now: () => 0, monotonic: () => 0 } });
  channel.pushVideo(0, AVC_HEADER);
  channel.pushAudio(0, AAC_HEADER);
  return channel;
}

describe('Channel', () => {
  it('gives a joining viewer the headers and the GOP so its first frame is a keyframe', () => {
    const channel = liveChannel();
    channel.pushVideo(0, KEY);
    channel.pushVideo(40, INTER);
    channel.pushAudio(45, AAC);
    channel.pushVideo(80, KEY);
    channel.pushVideo(120, INTER);
    const viewer = new RecordingViewer();
    channel.addViewer(viewer);
    const media = viewer.packets.filter((p) => !p.sequenceHeader);
    expect(viewer.packets.filter((p) => p.sequenceHeader).map((p) => p.kind)).toEqual(['video', 'audio']);
    expect(media[0]?.isVideoKeyframe).toBe(true);
    expect(media.map((p) => p.timestamp)).toEqual([80, 120]);
    // Headers are stamped at the start of the GOP so the viewer's timeline does not jump back.
    expect(viewer.packets[0]?.timestamp).toBe(80);
  });

  it('sends every later packet to every viewer as the same object', () => {
    const channel = liveChannel();
    const a = new RecordingViewer('a');
    const b = new RecordingViewer('b');
    channel.addViewer(a);
    channel.addViewer(b);
    channel.pushVideo(0, KEY);
    expect(a.packets.at(-1)).toBe(b.packets.at(-1));
  });

  it('hands viewers joining between two packets one shared burst: head up to the keyframe, then the rest', () => {
    const channel = liveChannel();
    channel.pushData(0, Buffer.from([0x02, 0x00, 0x0a, ...Buffer.from('onMetaData'), 0x05]), true);
    channel.pushVideo(0, KEY);
    channel.pushVideo(40, INTER);
    channel.pushAudio(45, AAC);
    const [a, b, c] = [new RecordingViewer('a'), new RecordingViewer('b'), new RecordingViewer('c')];
    channel.addViewer(a);
    channel.addViewer(b);
    expect(a.shared).toBeDefined();
    expect(b.shared).toBe(a.shared);
    const burst = a.shared as JoinBurst;
    expect(burst.packets).toEqual(a.packets);
    expect(burst.head.packets.map((p) => [p.kind, p.sequenceHeader])).toEqual([['data', false], ['video', true], ['audio', true], ['video', false]]);
    expect(burst.head.packets.at(-1)?.isVideoKeyframe).toBe(true);
    expect(burst.rest.packets.map((p) => p.timestamp)).toEqual([40, 45]);
    // One list per wire format, whoever asks: the packets' own shared Buffers, not copies.
    const flv = (p: MediaPacket) => p.flvTag();
    const wire = burst.head.wire('flv', flv);
    expect(burst.head.wire('flv', flv)).toBe(wire);
    const tagParts = burst.head.packets.flatMap((p) => [...p.flvTag()]);
    wire.parts.forEach((part, i) => expect(part).toBe(tagParts[i]));
    expect(wire.bytes).toBe(Buffer.concat(tagParts).length);
    // A new packet changes what a joiner needs: the next joiner gets a new burst with it.
    channel.pushVideo(80, INTER);
    channel.addViewer(c);
    expect(c.shared).not.toBe(a.shared);
    expect(c.shared?.rest.packets.map((p) => p.timestamp)).toEqual([40, 45, 80]);
  });

  it('puts the whole burst of an audio-only stream in its head', () => {
    const channel = new Channel('live', 'radio', publisher, { clock: { now: () => 0, monotonic: () => 0 } });
    channel.pushAudio(0, AAC_HEADER);
    channel.pushAudio(0, AAC);
    channel.pushAudio(23, AAC);
    const viewer = new RecordingViewer();
    channel.addViewer(viewer);
    expect(viewer.shared?.head.packets).toHaveLength(3);
    expect(viewer.shared?.rest.packets).toEqual([]);
  });

  it('sends onMetaData at time 0', () => {
    const channel = liveChannel();
    channel.pushVideo(5000, KEY);
    channel.pushData(5000, Buffer.from([0x02, 0x00, 0x0a, ...Buffer.from('onMetaData'), 0x05]), true);
    const viewer = new RecordingViewer();
    channel.addViewer(viewer);
    expect(viewer.packets[0]?.kind).toBe('data');
    expect(viewer.packets[0]?.timestamp).toBe(0);
  });

  it('does not cache a GOP longer than the cap (joiners then wait for the next keyframe)', () => {
    const channel = liveChannel();
    channel.pushVideo(0, KEY);
    for (let i = 1; i <= GOP_CACHE_MAX_PACKETS; i++) channel.pushVideo(i, INTER);
    const viewer = new RecordingViewer();
    channel.addViewer(viewer);
    expect(viewer.packets.filter((p) => !p.sequenceHeader)).toEqual([]);
  });

  it('continues the timeline when a publisher comes back: never back to 0, new headers forwarded', () => {
    const channel = liveChannel();
    const viewer = new RecordingViewer();
    channel.addViewer(viewer);
    for (let t = 0; t <= 4000; t += 40) channel.pushVideo(t, t % 2000 === 0 ? KEY : INTER);
    channel.detachPublisher();
    expect(channel.state).toBe('grace');
    channel.attachPublisher({ ...publisher, since: 1 });
    channel.pushVideo(0, AVC_HEADER);
    channel.pushAudio(0, AAC_HEADER);
    channel.pushVideo(0, KEY);
    channel.pushVideo(40, INTER);
    const times = viewer.packets.filter((p) => p.kind === 'video' && !p.sequenceHeader).map((p) => p.timestamp);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1] as number);
    expect(times.at(-2)).toBeGreaterThan(4000);
    expect(times.at(-2)! - 4000).toBeLessThanOrEqual(40);
    expect(viewer.packets.filter((p) => p.sequenceHeader)).toHaveLength(4);
  });

  it('ends with a clean finish for every viewer', () => {
    const channel = liveChannel();
    const viewer = new RecordingViewer();
    channel.addViewer(viewer);
    channel.end('the publisher did not come back');
    expect(viewer.finished).toBe('the publisher did not come back');
    expect(channel.viewerList.size).toBe(0);
  });

  it('reads codec facts from the sequence headers, and drops payloads too short to be tags', () => {
    const channel = liveChannel();
    channel.pushVideo(0, Buffer.alloc(0));
    expect(channel.video?.codec).toBe('h264');
    expect(channel.audio).toMatchObject({ codec: 'aac', sampleRate: 44100, channels: 2 });
  });
});
