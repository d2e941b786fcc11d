import type { ChannelSink } from '../../media/channel-sink.js';
import type { MediaPacket } from '../../media/media-packet.js';
import type { Logger } from '../../util/logger.js';
import { type RelaySample, RtmpPublishClient, parseRtmpUrl } from '../rtmp-publish-client.js';

/**
 * One channel pushed to one target: a sink of the channel, fed the same packets as its viewers (so a playlist's
 * items and a returning publisher arrive at the target as one continuous publish), through its own RTMP client with
 * its own bounded queue and backoff. A dead or slow target costs nothing to anyone else.
 */
export class RelayPush implements ChannelSink {
  private readonly client: RtmpPublishClient;

  constructor(
    readonly path: string,
    url: string,
    logger: Logger,
  ) {
    this.client = new RtmpPublishClient(parseRtmpUrl(url), logger);
    // start() resolves on the first successful publish; failures are retried and reported in status().
    this.client.start().catch(() => {});
  }

  deliver(packet: MediaPacket): void {
    if (packet.kind === 'video') this.client.pushVideo(packet.timestamp, packet.payload);
    else if (packet.kind === 'audio') this.client.pushAudio(packet.timestamp, packet.payload);
    else this.client.pushData(packet.timestamp, packet.payload, packet.timestamp === 0 && isMetadata(packet.payload));
  }

  deliverBurst(packets: readonly MediaPacket[]): void {
    // The target wants headers and a keyframe to start: the client keeps the headers and waits for a keyframe itself.
    for (const packet of packets) this.deliver(packet);
  }

  finish(): void {
    this.client.close();
  }

  status(): RelaySample {
    return this.client.status();
  }
}

/** An AMF0 data message whose name is `onMetaData` (string marker, u16 length, name). */
function isMetadata(payload: Buffer): boolean {
  return payload.length > 13 && payload[0] === 0x02 && payload.readUInt16BE(1) === 10 && payload.toString('latin1', 3, 13) === 'onMetaData';
}
