// A paced RTMP publisher that replays an FLV file's tags, looped, like `ffmpeg -re -stream_loop -1 -c copy -f flv`
// but cheap enough to run twenty in one process, and able to say when each message left (the latency probe).
// Hand-rolled on rtmp-wire.mjs; the command sequence is ffmpeg's: connect, releaseStream, FCPublish, createStream,
// publish, then @setDataFrame onMetaData and the media.

import net from 'node:net';
import { TAG, isSequenceHeader } from './flv-stream.mjs';
import { RtmpChunkReader } from './rtmp-chunk-reader.mjs';
import {
  HANDSHAKE_SIZE, MSG, amf0Decode, amf0Encode, c0c1, encodeMessage, pingResponse, setChunkSizeMessage,
} from './rtmp-wire.mjs';

const S0S1S2 = 1 + 2 * HANDSHAKE_SIZE;
const CHUNK_SIZE = 4096; // what ffmpeg sends
const CSID = { [TAG.AUDIO]: 4, [TAG.VIDEO]: 6, [TAG.SCRIPT]: 5 };
const PING_REQUEST = 6; // User Control event, §7.1.7

/**
 * The clip as a publisher replays it: the metadata, the sequence headers (sent once), the media tags in file order,
 * and the loop length (last timestamp + one frame interval).
 */
export function prepareClip(tags) {
  const metadata = tags.find((t) => t.type === TAG.SCRIPT);
  const headers = tags.filter((t) => isSequenceHeader(t.type, t.head));
  const media = tags.filter((t) => (t.type === TAG.AUDIO || t.type === TAG.VIDEO) && !isSequenceHeader(t.type, t.head));
  const video = media.filter((t) => t.type === TAG.VIDEO);
  const frameMs = video.length > 1 ? (video.at(-1).timestamp - video[0].timestamp) / (video.length - 1) : 33;
  const loopMs = Math.round(Math.max(...media.map((t) => t.timestamp)) + frameMs);
  return { metadata, headers, media, loopMs, frameMs };
}

export class RtmpPublisher {
  /**
   * @param {{ host: string, port: number, app: string, key: string }} target
   * @param {ReturnType<typeof prepareClip>} clip
   * @param {{ onSend?: (tag: { type: number, payload: Buffer }, at: number) => void }} hooks
   */
  constructor(target, clip, { onSend } = {}) {
    this.target = target;
    this.clip = clip;
    this.onSend = onSend;
    this.phase = 'handshake';
    this.handshake = [];
    this.handshakeBytes = 0;
    this.streamId = 0;
    this.bytesSent = 0;
    this.messagesSent = 0;
    this.closeReason = '';
    this.timer = undefined;
    this.reader = new RtmpChunkReader({ onMessage: (m) => this.onMessage(m) });
  }

  /** Resolves when the server has answered NetStream.Publish.Start and the media has started; rejects on failure. */
  start() {
    return new Promise((resolve, reject) => {
      this.resolveStart = resolve;
      this.rejectStart = reject;
      const s = net.connect({ host: this.target.host, port: this.target.port });
      this.socket = s;
      s.setNoDelay(true);
      s.on('connect', () => s.write(c0c1()));
      s.on('data', (buf) => this.onData(buf));
      s.on('error', (err) => { this.closeReason ||= err.code || err.message; });
      s.on('close', () => {
        clearTimeout(this.timer);
        this.closeReason ||= `closed by server while ${this.phase}`;
        this.phase = 'closed';
        this.rejectStart?.(new Error(this.closeReason));
      });
    });
  }

  stop() {
    this.closeReason ||= 'stopped';
    clearTimeout(this.timer);
    this.socket?.destroy();
  }

  onData(buf) {
    if (this.phase === 'handshake') {
      this.handshake.push(buf);
      this.handshakeBytes += buf.length;
      if (this.handshakeBytes < S0S1S2) return;
      const all = Buffer.concat(this.handshake);
      this.handshake = null;
      this.socket.write(all.subarray(1, 1 + HANDSHAKE_SIZE)); // C2 echoes S1, §5.2.4
      this.socket.write(setChunkSizeMessage(CHUNK_SIZE));
      const { host, port, app } = this.target;
      this.command(0, ['connect', 1, { app, type: 'nonprivate', flashVer: 'FMLE/3.0 (compatible; kayak-bench)', tcUrl: `rtmp://${host}:${port}/${app}` }]);
      this.phase = 'connect';
      if (all.length === S0S1S2) return;
      buf = all.subarray(S0S1S2);
    }
    try {
      this.reader.push(buf);
    } catch (err) {
      this.fail(`rtmp: ${err.message}`);
    }
  }

  /** Commands go in CHUNK_SIZE chunks too: the Set Chunk Size went first. */
  command(streamId, values) {
    this.socket.write(encodeMessage({ csid: 3, type: MSG.COMMAND_AMF0, streamId, payload: amf0Encode(values), chunkSize: CHUNK_SIZE }));
  }

  onMessage({ type, payload }) {
    if (type === MSG.USER_CONTROL && payload.readUInt16BE(0) === PING_REQUEST) {
      this.socket.write(pingResponse(payload.subarray(2, 6)));
      return;
    }
    if (type !== MSG.COMMAND_AMF0) return;
    let values;
    try {
      values = amf0Decode(payload);
    } catch (err) {
      return this.fail(`amf0: ${err.message}`);
    }
    const [name, tx] = values;
    if (name === '_result' && tx === 1 && this.phase === 'connect') {
      const { key } = this.target;
      this.command(0, ['releaseStream', 2, null, key]);
      this.command(0, ['FCPublish', 3, null, key]);
      this.command(0, ['createStream', 4, null]);
      this.phase = 'createStream';
    } else if (name === '_result' && tx === 4 && this.phase === 'createStream') {
      this.streamId = typeof values[3] === 'number' ? values[3] : 1;
      this.command(this.streamId, ['publish', 5, null, this.target.key, 'live']);
      this.phase = 'publish';
    } else if (name === 'onStatus' && this.phase === 'publish') {
      const info = values[3] ?? {};
      if (info.code === 'NetStream.Publish.Start') this.beginMedia();
      else if (info.level === 'error') this.fail(`onStatus ${info.code}`);
    } else if (name === '_error' && tx !== 2 && tx !== 3) {
      // releaseStream and FCPublish are optional: some servers answer them with _error
      this.fail(`_error in ${this.phase}: ${JSON.stringify(values[3] ?? null)}`);
    }
  }

  fail(reason) {
    this.closeReason ||= reason;
    this.socket.destroy();
  }

  beginMedia() {
    this.phase = 'publishing';
    const { metadata, headers } = this.clip;
    if (metadata) this.send(TAG.SCRIPT, Buffer.concat([amf0Encode(['@setDataFrame']), metadata.payload]), 0);
    for (const h of headers) this.send(h.type, h.payload, 0);
    this.t0 = performance.now();
    this.loop = 0;
    this.index = 0;
    this.pace();
    this.resolveStart?.();
    this.rejectStart = null;
  }

  /** Sends every tag that is due (its timestamp on the wall clock since the start), then sleeps until the next one. */
  pace() {
    const { media, loopMs } = this.clip;
    const now = performance.now() - this.t0;
    for (;;) {
      const tag = media[this.index];
      const ts = tag.timestamp + this.loop * loopMs;
      if (ts > now) {
        this.timer = setTimeout(() => this.pace(), ts - now);
        return;
      }
      this.send(tag.type, tag.payload, ts);
      if (++this.index === media.length) {
        this.index = 0;
        this.loop++;
      }
    }
  }

  send(type, payload, timestamp) {
    if (this.phase === 'closed') return;
    const msg = encodeMessage({ csid: CSID[type], type, streamId: this.streamId, payload, chunkSize: CHUNK_SIZE, timestamp });
    this.onSend?.({ type, payload }, performance.now());
    this.socket.write(msg);
    this.bytesSent += msg.length;
    this.messagesSent++;
  }
}
