// A paced RTMP publisher that replays an FLV file's tags, looped, like `ffmpeg -re -stream_loop -1 -c copy -f flv`
// but cheap enough to run twenty in one process, and able to say when each message left (the latency probe).
// Hand-rolled on rtmp-connection.mjs; the command sequence is ffmpeg's: connect, releaseStream, FCPublish, createStream,
// publish, then @setDataFrame onMetaData and the media.

import { TAG, isSequenceHeader } from './flv-stream.mjs';
import { RtmpConnection } from './rtmp-connection.mjs';
import { amf0Encode, encodeMessage, setChunkSizeMessage } from './rtmp-wire.mjs';

const CHUNK_SIZE = 4096; // what ffmpeg sends
const CSID = { [TAG.AUDIO]: 4, [TAG.VIDEO]: 6, [TAG.SCRIPT]: 5 };

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
    this.streamId = 0;
    this.bytesSent = 0;
    this.messagesSent = 0;
    this.closeReason = '';
    this.timer = undefined;
    this.conn = new RtmpConnection(target, {
      onReady: () => this.connect(),
      onCommand: (head, whole) => this.onCommand(whole()),
      onError: (reason) => { this.closeReason ||= reason; },
      onClose: () => {
        clearTimeout(this.timer);
        this.closeReason ||= `closed by server while ${this.phase}`;
        this.phase = 'closed';
        this.rejectStart?.(new Error(this.closeReason));
      },
    });
  }

  /** Resolves when the server has answered NetStream.Publish.Start and the media has started; rejects on failure. */
  start() {
    return new Promise((resolve, reject) => {
      this.resolveStart = resolve;
      this.rejectStart = reject;
      this.conn.start();
    });
  }

  stop() {
    this.closeReason ||= 'stopped';
    clearTimeout(this.timer);
    this.conn.destroy();
  }

  connect() {
    this.conn.write(setChunkSizeMessage(CHUNK_SIZE));
    this.conn.setOutChunkSize(CHUNK_SIZE);
    const { host, port, app } = this.target;
    this.conn.command(0, ['connect', 1, { app, type: 'nonprivate', flashVer: 'FMLE/3.0 (compatible; kayak-bench)', tcUrl: `rtmp://${host}:${port}/${app}` }]);
    this.phase = 'connect';
  }

  onCommand(values) {
    const [name, tx] = values;
    if (name === '_result' && tx === 1 && this.phase === 'connect') {
      const { key } = this.target;
      this.conn.command(0, ['releaseStream', 2, null, key]);
      this.conn.command(0, ['FCPublish', 3, null, key]);
      this.conn.command(0, ['createStream', 4, null]);
      this.phase = 'createStream';
    } else if (name === '_result' && tx === 4 && this.phase === 'createStream') {
      this.streamId = typeof values[3] === 'number' ? values[3] : 1;
      this.conn.command(this.streamId, ['publish', 5, null, this.target.key, 'live']);
      this.phase = 'publish';
    } else if (name === 'onStatus' && this.phase === 'publish') {
      const info = values[3] ?? {};
      if (info.code === 'NetStream.Publish.Start') this.beginMedia();
      else if (info.level === 'error') this.conn.fail(`onStatus ${info.code}`);
    } else if (name === '_error' && tx !== 2 && tx !== 3) {
      // releaseStream and FCPublish are optional: some servers answer them with _error
      this.conn.fail(`_error in ${this.phase}: ${JSON.stringify(values[3] ?? null)}`);
    }
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
    this.conn.write(msg);
    this.bytesSent += msg.length;
    this.messagesSent++;
  }
}
