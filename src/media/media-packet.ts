import { FlvTagType, writeFlvTag, writeFlvTagParts } from '../protocol/flv/flv-tag.js';
import { writeMessage, writeMessageParts } from '../protocol/rtmp/chunk-writer.js';
import { MessageType, type RtmpMessage } from '../protocol/rtmp/message-types.js';
import { wsBinaryFrameHeader } from '../protocol/websocket/ws-frame.js';

export type PacketKind = 'audio' | 'video' | 'data';

/** Chunk stream ids we send media on: one per kind, as Flash Media Server did. */
const CSID: Record<PacketKind, number> = { data: 5, audio: 4, video: 6 };
const FLV_TYPE: Record<PacketKind, number> = { audio: FlvTagType.Audio, video: FlvTagType.Video, data: FlvTagType.Script };
const RTMP_TYPE: Record<PacketKind, number> = { audio: MessageType.Audio, video: MessageType.Video, data: MessageType.DataAmf0 };
/**
 * Payloads from this size up are framed without copying: the wire form is a list of small headers and views of
 * the payload. Below it one contiguous Buffer is cheaper to write than several.
 */
export const ZERO_COPY_MIN_BYTES = 2048;

/** A packet in one output format: the Buffers to write, in order. Shared by every viewer of that format. */
export type WireParts = readonly Buffer[];

/**
 * One media message on the channel's timeline. It is parsed once at the source and framed at most once per
 * output format; every viewer of that format is handed the same Buffers.
 */
export class MediaPacket {
  private flv: WireParts | undefined;
  private ws: WireParts | undefined;
  private rtmp: WireParts | undefined;
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

  flvTag(): WireParts {
    if (this.flv === undefined) {
      const type = FLV_TYPE[this.kind];
      this.flv =
        this.payload.length >= ZERO_COPY_MIN_BYTES
          ? writeFlvTagParts(type, this.timestamp, this.payload)
          : [writeFlvTag(type, this.timestamp, this.payload)];
    }
    return this.flv;
  }

  /** The FLV tag as one binary WebSocket message (WebSocket-FLV): a frame header before the tag's parts. */
  wsFrame(): WireParts {
    if (this.ws === undefined) {
      const tag = this.flvTag();
      let length = 0;
      for (const part of tag) length += part.length;
      this.ws = [wsBinaryFrameHeader(length), ...tag];
    }
    return this.ws;
  }

  /**
   * The packet as RTMP chunks. Every viewer of a server shares one outgoing chunk size and, in practice, the
   * message stream id 1, so a single cached slot serves them all.
   */
  rtmpChunks(chunkSize: number, streamId: number): WireParts {
    if (this.rtmp !== undefined && this.rtmpChunkSize === chunkSize && this.rtmpStreamId === streamId) {
      return this.rtmp;
    }
    const message: RtmpMessage = {
      csid: CSID[this.kind],
      timestamp: this.timestamp,
      typeId: RTMP_TYPE[this.kind],
      streamId,
      payload: this.payload,
    };
    this.rtmp =
      this.payload.length >= ZERO_COPY_MIN_BYTES ? writeMessageParts(message, chunkSize) : [writeMessage(message, chunkSize)];
    this.rtmpChunkSize = chunkSize;
    this.rtmpStreamId = streamId;
    return this.rtmp;
  }
}
