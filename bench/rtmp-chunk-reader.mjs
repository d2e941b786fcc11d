// An incremental RTMP chunk-stream reader for the benchmark clients (Adobe RTMP 1.0 §5.3), hand-rolled like
// rtmp-wire.mjs. Control and command messages are always kept whole; media messages are kept whole only with
// `keepMedia` (the latency probe), otherwise skimmed: the reader copies their first bytes (for the keyframe test) and
// skips the rest, which keeps a load generator with hundreds of viewers cheap.

import { HeaderBodyReader } from './byte-reader.mjs';
import { DEFAULT_CHUNK_SIZE, EXTENDED_TIMESTAMP, MSG } from './rtmp-wire.mjs';
import { HEAD_BYTES } from './flv-stream.mjs';

const MESSAGE_HEADER_BYTES = [11, 7, 3, 0]; // by fmt, §5.3.1.2
/** Longest message a peer may announce here: the clip's keyframes are a few hundred kB. */
const MAX_MESSAGE_LENGTH = 16 * 1024 * 1024;
const isMedia = (type) => type === MSG.AUDIO || type === MSG.VIDEO;

export class RtmpChunkReader extends HeaderBodyReader {
  /** @param {{ onMessage: (m: { type: number, streamId: number, timestamp: number, length: number, head: Buffer, payload?: Buffer }) => void, keepMedia?: boolean }} options */
  constructor({ onMessage, keepMedia = false }) {
    super(3 + 11 + 4, 1); // §5.3.1: basic header, message header, extended timestamp
    this.onMessage = onMessage;
    this.keepMedia = keepMedia;
    this.chunkSize = DEFAULT_CHUNK_SIZE;
    /** csid -> the state of its message in progress and the header fields later chunks inherit */
    this.streams = new Map();
    this.current = null; // the chunk stream whose chunk payload is being read
    this.chunkLeft = 0;
  }

  /** Works out, from the header bytes so far, how many it needs; starts the chunk's payload once they are all here. */
  headerProgress() {
    const h = this.header;
    const fmt = h[0] >> 6;
    const basic = (h[0] & 0x3f) === 0 ? 2 : (h[0] & 0x3f) === 1 ? 3 : 1; // §5.3.1.1
    const upToMessageHeader = basic + MESSAGE_HEADER_BYTES[fmt];
    if (this.headerLen < upToMessageHeader) {
      this.headerWant = upToMessageHeader;
      return;
    }
    const csid = basic === 1 ? h[0] & 0x3f : basic === 2 ? 64 + h[1] : 64 + h[1] + h[2] * 256;
    let st = this.streams.get(csid);
    if (!st) {
      if (fmt !== 0) throw new Error(`chunk stream ${csid} starts with a fmt ${fmt} header`);
      st = { type: 0, length: 0, streamId: 0, timestamp: 0, delta: 0, extended: false, got: 0, head: null, parts: null };
      this.streams.set(csid, st);
    }
    const field = fmt <= 2 ? h.readUIntBE(basic, 3) : 0;
    const extended = fmt <= 2 ? field === EXTENDED_TIMESTAMP : st.extended;
    const total = upToMessageHeader + (extended ? 4 : 0);
    if (this.headerLen < total) {
      this.headerWant = total;
      return;
    }
    const value = extended ? h.readUInt32BE(upToMessageHeader) : field;
    if (st.got === 0) {
      // the first chunk of a message: its header sets (fmt 0) or moves (fmt 1, 2, 3) the timestamp, §5.3.1.2
      if (fmt <= 1) {
        st.length = h.readUIntBE(basic + 3, 3);
        st.type = h[basic + 6];
        if (st.length > MAX_MESSAGE_LENGTH) throw new Error(`message of ${st.length} bytes announced`);
      }
      if (fmt === 0) {
        st.streamId = h.readUInt32LE(basic + 7);
        st.timestamp = value;
        st.delta = value; // a fmt 3 header that starts the next message adds this again (as ffmpeg reads it)
      } else if (fmt <= 2) {
        st.delta = value;
        st.timestamp += value;
      } else {
        st.timestamp += st.delta;
      }
      st.timestamp %= 0x100000000;
      const keep = !isMedia(st.type) || this.keepMedia;
      st.head = Buffer.alloc(Math.min(HEAD_BYTES, st.length));
      st.parts = keep ? [] : null;
    }
    if (fmt <= 2) st.extended = extended;
    this.inBody = true;
    this.current = st;
    this.chunkLeft = Math.min(this.chunkSize, st.length - st.got);
    if (this.chunkLeft === 0) this.chunkDone();
  }

  body(buf, i) {
    const st = this.current;
    const n = Math.min(this.chunkLeft, buf.length - i);
    if (st.got < st.head.length) buf.copy(st.head, st.got, i, i + Math.min(n, st.head.length - st.got));
    if (st.parts) st.parts.push(buf.subarray(i, i + n));
    st.got += n;
    this.chunkLeft -= n;
    if (this.chunkLeft === 0) this.chunkDone();
    return i + n;
  }

  chunkDone() {
    const st = this.current;
    this.current = null;
    this.nextHeader(1);
    if (st.got < st.length) return;
    st.got = 0;
    const payload = st.parts ? (st.parts.length === 1 ? st.parts[0] : Buffer.concat(st.parts)) : undefined;
    st.parts = null;
    if (st.type === MSG.SET_CHUNK_SIZE) this.chunkSize = payload.readUInt32BE(0) & 0x7fffffff;
    if (st.type === MSG.ABORT) this.abort(payload.readUInt32BE(0));
    this.onMessage({ type: st.type, streamId: st.streamId, timestamp: st.timestamp, length: st.length, head: st.head, payload });
  }

  /** Abort Message (§5.4.2): the message in progress on `csid` is dropped. */
  abort(csid) {
    const st = this.streams.get(csid);
    if (!st) return;
    st.got = 0;
    st.parts = null;
  }
}
