import { writeMessage } from '../protocol/rtmp/chunk-writer.js';
import { setChunkSize, setPeerBandwidth, userControl, windowAckSize } from '../protocol/rtmp/control-messages.js';
import { type RtmpMessage, UserControlEvent } from '../protocol/rtmp/message-types.js';
import { RTMP_REPLY_CACHE_MAX_ENTRIES } from './limits.js';
import { dataMessage, onStatusMessage, resultMessage } from './rtmp-commands.js';

/**
 * The chunk size we send players (spec 5.4.1 allows up to 2^31-1): most frames of a movie stream then leave as one
 * chunk, a header and the payload, which a join burst's GOP writes as two parts a frame. SRS sends 60000 by default,
 * so players have met it for years.
 */
export const OUT_CHUNK_SIZE = 60_000;
/** Window Acknowledgement Size and Set Peer Bandwidth we announce (spec 5.4.4, 5.4.5), as common servers do. */
const WINDOW_ACK_SIZE = 5_000_000;

/**
 * The bytes of the replies every player's connection gets (connect's four messages, play's four), chunked and joined
 * into one Buffer, kept and shared: they are the same for every connection that asks the same way, so hundreds
 * joining at once neither encode AMF0 nor chunk messages for them (a fresh server's first burst runs that code in V8's
 * interpreter). Written to sockets as they are, never changed.
 */
export class RtmpReplies {
  private readonly kept = new Map<string, Buffer>();

  /** Window Acknowledgement Size, Set Peer Bandwidth, Set Chunk Size (OUT_CHUNK_SIZE, which the _result uses), _result. */
  connect(transactionId: number, objectEncoding: number): Buffer {
    return this.keep(`connect ${transactionId} ${objectEncoding}`, () => [
      chunked(windowAckSize(WINDOW_ACK_SIZE)),
      chunked(setPeerBandwidth(WINDOW_ACK_SIZE, 2)),
      chunked(setChunkSize(OUT_CHUNK_SIZE)),
      chunked(
        resultMessage(
          transactionId,
          { fmsVer: 'FMS/3,5,7,7009', capabilities: 31, mode: 1 },
          { level: 'status', code: 'NetConnection.Connect.Success', description: 'Connection succeeded.', objectEncoding },
        ),
      ),
    ]);
  }

  /** StreamBegin, NetStream.Play.Reset, NetStream.Play.Start and |RtmpSampleAccess for `path` on `streamId`. */
  play(streamId: number, path: string): Buffer {
    return this.keep(`play ${streamId} ${path}`, () => [
      chunked(userControl(UserControlEvent.StreamBegin, streamId)),
      chunked(onStatusMessage(streamId, 'status', 'NetStream.Play.Reset', `Playing and resetting ${path}.`)),
      chunked(onStatusMessage(streamId, 'status', 'NetStream.Play.Start', `Started playing ${path}.`)),
      chunked(dataMessage(streamId, '|RtmpSampleAccess', true, true)),
    ]);
  }

  /** How many replies are kept now. */
  get size(): number {
    return this.kept.size;
  }

  private keep(key: string, build: () => Buffer[]): Buffer {
    const found = this.kept.get(key);
    if (found !== undefined) return found;
    if (this.kept.size >= RTMP_REPLY_CACHE_MAX_ENTRIES) this.kept.clear();
    const bytes = Buffer.concat(build());
    this.kept.set(key, bytes);
    return bytes;
  }
}

function chunked(message: RtmpMessage): Buffer {
  return writeMessage(message, OUT_CHUNK_SIZE);
}
