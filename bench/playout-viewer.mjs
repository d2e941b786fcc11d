// An HTTP-FLV viewer that records, per video frame, its arrival time (performance.now(), ms) and its FLV
// timestamp, plus every sequence header and script tag, for the drift / gap / stall analysis of playout.

import http from 'node:http';

const FLV_HEADER = 9 + 4; // FLV spec E.2 header (9 bytes) + PreviousTagSize0
const TAG_HEADER = 11; // FLV spec E.4.1

export class RecordingFlvViewer {
  constructor(url) {
    this.url = url;
    this.bytes = 0;
    this.state = 'connecting';
    this.closeReason = '';
    this.connects = 0;
    /** video frames with picture data: arrival ms, FLV timestamp ms, keyframe */
    this.arrival = [];
    this.ts = [];
    this.key = [];
    this.audioFrames = 0;
    this.lastAudioTs = -1;
    this.audioBackwards = 0;
    /** [arrival ms, 'video' | 'audio' | 'script', timestamp] of every sequence header and script tag */
    this.headers = [];
    this.pending = null;
    this.headerDone = false;
  }

  /** Connects, retrying every 200 ms while the stream is not there yet (HTTP 404), until `deadline` (perf ms). */
  start(deadline = performance.now() + 15_000) {
    return new Promise((resolve, reject) => {
      const attempt = () => {
        this.connects++;
        const req = http.get(this.url, { agent: false }, (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            req.destroy();
            if (performance.now() > deadline) return reject(new Error(`HTTP ${res.statusCode} from ${this.url}`));
            setTimeout(attempt, 200);
            return;
          }
          this.state = 'playing';
          this.req = req;
          resolve();
          res.on('data', (chunk) => this.onData(chunk, performance.now()));
          res.on('end', () => { this.closeReason ||= 'response ended'; });
          req.on('close', () => {
            this.state = 'closed';
            this.closedAt = performance.now();
            this.closeReason ||= 'connection closed';
          });
        });
        req.on('error', (err) => {
          if (this.state === 'connecting' && performance.now() < deadline) setTimeout(attempt, 200);
          else if (this.state === 'connecting') reject(err);
          else this.closeReason ||= err.code || err.message;
        });
      };
      attempt();
    });
  }

  onData(chunk, now) {
    this.bytes += chunk.length;
    let buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    let offset = 0;
    if (!this.headerDone) {
      if (buf.length < FLV_HEADER) { this.pending = buf; return; }
      if (buf.toString('latin1', 0, 3) !== 'FLV') throw new Error('not an FLV stream');
      offset = buf.readUInt32BE(5) + 4;
      this.headerDone = true;
    }
    while (buf.length - offset >= TAG_HEADER) {
      const type = buf[offset] & 0x1f;
      const size = buf.readUIntBE(offset + 1, 3);
      const total = TAG_HEADER + size + 4;
      if (buf.length - offset < total) break;
      // FLV spec E.4.1: 24-bit timestamp, then TimestampExtended as the upper 8 bits
      const ts = (buf[offset + 7] * 2 ** 24) + buf.readUIntBE(offset + 4, 3);
      const body = offset + TAG_HEADER;
      if (type === 9 && size >= 2) {
        const b0 = buf[body];
        const isEx = (b0 & 0x80) !== 0; // enhanced RTMP: packet type in the low nibble
        const packetType = isEx ? b0 & 0x0f : buf[body + 1];
        const codecId = b0 & 0x0f;
        const isSeq = isEx ? packetType === 0 : codecId === 7 && packetType === 0;
        const isPicture = isEx ? packetType === 1 || packetType === 3 : codecId !== 7 || packetType === 1;
        if (isSeq) this.headers.push([now, 'video', ts]);
        else if (isPicture) {
          this.arrival.push(now);
          this.ts.push(ts);
          this.key.push(((b0 >> 4) & 0x07) === 1);
        }
      } else if (type === 8 && size >= 2) {
        // FLV spec E.4.2.1: SoundFormat 10 = AAC, AACPacketType 0 = sequence header
        const isAacSeq = (buf[body] >> 4) === 10 && buf[body + 1] === 0;
        if (isAacSeq) this.headers.push([now, 'audio', ts]);
        else {
          this.audioFrames++;
          if (ts < this.lastAudioTs) this.audioBackwards++;
          this.lastAudioTs = ts;
        }
      } else if (type === 18) {
        this.headers.push([now, 'script', ts]);
      }
      offset += total;
    }
    this.pending = offset < buf.length ? buf.subarray(offset) : null;
    if (this.pending && this.pending.length === buf.length - offset && buf === chunk) this.pending = Buffer.from(this.pending);
  }

  stop() {
    this.closeReason ||= 'stopped by the benchmark';
    this.req?.destroy();
  }
}
