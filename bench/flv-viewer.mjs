// HTTP-FLV viewers: a counting one for the load, and a parsing one that times the first keyframe.

import http from 'node:http';

export class FlvViewer {
  /** @param {string} url */
  constructor(url, { onPlaying, onClose } = {}) {
    this.url = url;
    this.bytes = 0;
    this.state = 'connecting';
    this.startedAt = 0;
    this.playingAt = 0;
    this.closeReason = '';
    this.onPlaying = onPlaying;
    this.onClose = onClose;
  }

  start() {
    this.startedAt = performance.now();
    const req = http.get(this.url, { agent: false }, (res) => {
      if (res.statusCode !== 200) {
        this.closeReason = `HTTP ${res.statusCode}`;
        res.resume();
        req.destroy();
        return;
      }
      res.on('data', (chunk) => {
        this.bytes += chunk.length;
        if (this.state !== 'playing') {
          this.state = 'playing';
          this.playingAt = performance.now();
          this.onPlaying?.(this);
        }
      });
      res.on('end', () => { this.closeReason ||= `response ended while ${this.state}`; });
    });
    this.req = req;
    req.on('error', (err) => { this.closeReason ||= err.code || err.message; });
    req.on('close', () => {
      const was = this.state;
      this.state = 'closed';
      this.closeReason ||= `closed while ${was}`;
      this.onClose?.(this);
    });
  }

  stop() {
    this.closeReason ||= 'stopped';
    this.req?.destroy();
  }
}

const FLV_HEADER = 9 + 4; // FLV spec E.2 header (9 bytes) + PreviousTagSize0
const TAG_HEADER = 11; // FLV spec E.4.1

/**
 * Time from starting the TCP connect to the first complete video tag that is a keyframe with
 * picture data (frame type 1 and, for AVC, AVCPacketType 1: the sequence header is frame type 1
 * too but carries no picture). Resolves with timings in ms; rejects on error or timeout.
 */
export function timeFirstKeyframe(url, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let firstByteAt = 0;
    let seqHeaderAt = 0;
    let buf = Buffer.alloc(0);
    let offset = 0;
    let headerDone = false;
    let tags = 0;
    let done = false;
    const finish = (err, value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      if (err) reject(err);
      else resolve(value);
    };
    const timer = setTimeout(() => finish(new Error(`no keyframe within ${timeoutMs} ms`)), timeoutMs);
    const req = http.get(url, { agent: false }, (res) => {
      if (res.statusCode !== 200) return finish(new Error(`HTTP ${res.statusCode}`));
      res.on('data', (chunk) => {
        if (!firstByteAt) firstByteAt = performance.now();
        buf = offset < buf.length ? Buffer.concat([buf.subarray(offset), chunk]) : chunk;
        offset = 0;
        if (!headerDone) {
          if (buf.length < FLV_HEADER) return;
          if (buf.toString('latin1', 0, 3) !== 'FLV') return finish(new Error('not an FLV stream'));
          offset = buf.readUInt32BE(5) + 4;
          headerDone = true;
        }
        while (buf.length - offset >= TAG_HEADER) {
          const type = buf[offset] & 0x1f;
          const size = buf.readUIntBE(offset + 1, 3);
          const total = TAG_HEADER + size + 4;
          if (buf.length - offset < total) break;
          tags++;
          if (type === 9 && size >= 2) {
            const b0 = buf[offset + TAG_HEADER];
            const frameType = (b0 >> 4) & 0x07;
            const isExHeader = (b0 & 0x80) !== 0; // enhanced RTMP: FourCC follows, packet type in low nibble
            const codecId = b0 & 0x0f;
            const packetType = isExHeader ? codecId : buf[offset + TAG_HEADER + 1];
            const isSequenceStart = isExHeader ? packetType === 0 : codecId === 7 && packetType === 0;
            // AVC NALU (1); enhanced RTMP CodedFrames (1) or CodedFramesX (3); other legacy codecs: any
            const isPicture = isExHeader ? packetType === 1 || packetType === 3 : codecId !== 7 || packetType === 1;
            if (frameType === 1 && isSequenceStart && !seqHeaderAt) seqHeaderAt = performance.now();
            if (frameType === 1 && isPicture) {
              const t = performance.now();
              return finish(null, {
                keyframeMs: t - t0,
                firstByteMs: firstByteAt - t0,
                seqHeaderMs: seqHeaderAt ? seqHeaderAt - t0 : null,
                tagsBefore: tags - 1,
                keyframeBytes: size,
              });
            }
          }
          offset += total;
        }
      });
      res.on('end', () => finish(new Error('stream ended before a keyframe')));
    });
    req.on('error', (err) => finish(err));
  });
}
