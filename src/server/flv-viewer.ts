import type { MediaPacket, WireParts } from '../media/media-packet.js';
import { SocketViewer } from './socket-viewer.js';

/** An HTTP-FLV response: the FLV header was written with the response head; then one FLV tag per packet. */
export class FlvViewer extends SocketViewer {
  readonly protocol = 'http-flv' as const;
  protected readonly wireFormat = 'flv';

  /** The body has no length, so its end is the end of the connection (RFC 9112 6.3). */
  protected endStream(_reason: string): void {
    this.socket.end();
  }

  protected override serialise(packet: MediaPacket): WireParts {
    return packet.flvTag();
  }
}
