import type { MediaPacket, WireParts } from '../media/media-packet.js';
import { writeMessage } from '../protocol/rtmp/chunk-writer.js';
import { userControl } from '../protocol/rtmp/control-messages.js';
import { UserControlEvent } from '../protocol/rtmp/message-types.js';
import { onStatusMessage } from './rtmp-commands.js';
import { SocketViewer, type SocketViewerOptions } from './socket-viewer.js';

/** A play session on an RTMP connection, on message stream `streamId`. */
export class RtmpViewer extends SocketViewer {
  readonly protocol = 'rtmp' as const;
  protected readonly wireFormat: string;
  receiveAudio = true;
  receiveVideo = true;

  constructor(
    options: SocketViewerOptions,
    readonly streamId: number,
    private readonly chunkSize: number,
  ) {
    super(options);
    this.wireFormat = `rtmp:${chunkSize}:${streamId}`;
  }

  /** Spec 7.2.2.1 / 6.2: NetStream.Play.Stop and StreamEOF tell the player the stream is over; then we close. */
  protected endStream(reason: string): void {
    if (this.socket.destroyed) return;
    const messages = [
      onStatusMessage(this.streamId, 'status', 'NetStream.Play.UnpublishNotify', `${this.channel.path} ${reason}`),
      onStatusMessage(this.streamId, 'status', 'NetStream.Play.Stop', `Stopped playing ${this.channel.path}.`),
      userControl(UserControlEvent.StreamEof, this.streamId),
    ];
    for (const message of messages) this.socket.write(writeMessage(message, this.chunkSize));
    this.socket.end();
  }

  protected override serialise(packet: MediaPacket): WireParts {
    return packet.rtmpChunks(this.chunkSize, this.streamId);
  }

  protected override wantsEverything(): boolean {
    return this.receiveAudio && this.receiveVideo;
  }

  protected override wants(packet: MediaPacket): boolean {
    if (packet.kind === 'audio') return this.receiveAudio || packet.sequenceHeader;
    if (packet.kind === 'video') return this.receiveVideo || packet.sequenceHeader;
    return true;
  }
}
