import { FlvTagType, writeFlvTag } from '../protocol/flv/flv-tag.js';
import { MessageType, type RtmpMessage } from '../protocol/rtmp/message-types.js';
import { writeMessage } from '../protocol/rtmp/chunk-writer.js';

export type PacketKind = 'audio' | 'video' | 'data';

/** Chunk stream ids we send media on: one per kind, as Flash Media Server did, so headers compress per kind. */
const CSID: Record<PacketKind, number> = { data: 5, audio: 4, video: 6 };
const FLV_TYPE: Record<PacketKind, number> = { audio: FlvTagType.Audio, video: FlvTagType.Video, data: FlvTagType.Script };
const RTMP_TYPE: Record<PacketKind, number> = { audio: MessageType.Audio, video: MessageType.Video, data: MessageType.DataAmf0 };

/**
 * One media message on the channel's timeline. It is parsed once at the source and serialised at most once per
 * output format; every viewer of that format is handed the same Buffer.
 */
export class MediaPacket {
  private flv: Buffer | undefined;
  private rtmp: Buffer | undefined;
  private rtmpChunkSize = 0;
  private rtmpStreamId = 0;

  constructor(
    readonly kind: PacketKind,
    /** Milliseconds on the channel's continuous timeline. */
    readonly timestamp: number,
    readonly payload: Buffer,
    readonly keyframe = false,
    readonly sequenceHeader = false,
  ) {}

  get isVideoKeyframe(): boolean {
    return this.kind === 'video' && this.keyframe && !this.sequenceHeader;
  }

  /** The same packet at another time on the timeline (headers replayed to a viewer that joins later). */
  at(timestamp: number): MediaPacket {
    return timestamp === this.timestamp
      ? this
      : new MediaPacket(this.kind, timestamp, this.payload, this.keyframe, this.sequenceHeader);
  }

  flvTag(): Buffer {
    this.flv ??= writeFlvTag(FLV_TYPE[this.kind], this.timestamp >>> 0, this.payload);
    return this.flv;
  }

  /**
   * The packet as RTMP chunks. Every viewer of a server shares one outgoing chunk size and, in practice, the
   * message stream id 1, so a single cached slot serves them all.
   */
  rtmpChunks(chunkSize: number, streamId: number): Buffer {
    if (this.rtmp !== undefined && this.rtmpChunkSize === chunkSize && this.rtmpStreamId === streamId) {
      return this.rtmp;
    }
    const message: RtmpMessage = {
      csid: CSID[this.kind],
      timestamp: this.timestamp >>> 0,
      typeId: RTMP_TYPE[this.kind],
      streamId,
      payload: this.payload,
    };
    const chunks = writeMessage(message, chunkSize);
    this.rtmp = chunks;
    this.rtmpChunkSize = chunkSize;
    this.rtmpStreamId = streamId;
    return chunks;
  }
}
