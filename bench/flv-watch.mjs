// Watches an FLV byte stream as a player would (tags read by flv-stream.mjs's FlvTagReader) and keeps what a soak needs
// to judge it: frames, the longest wall-clock wait between tags, and whether the video timestamps run on one
// continuous timeline (never back, no step larger than a few frames).

import { FlvTagReader, TAG } from './flv-stream.mjs';

/** A video tag that carries a picture: AVC NALU (AVCPacketType 1, E.4.3.1), not a sequence header or end of sequence. */
function isVideoFrame(type, head) {
  return type === TAG.VIDEO && head.length >= 2 && ((head[0] & 0x0f) !== 7 || head[1] === 1);
}

export class FlvWatch {
  constructor() {
    this.reader = new FlvTagReader({ onTag: ({ type, timestamp, head }) => this.onTag(type, timestamp, head) });
    this.tags = 0;
    this.frames = 0;
    this.lastVideoTs = -1;
    this.regressions = 0;
    this.maxVideoStep = 0;
    this.lastArrival = 0;
    this.maxGapMs = 0;
    /** Gaps count toward maxGapMs from here on (a soak sets it after warm-up); the window gap always counts. */
    this.gapsFrom = Infinity;
    this.window = { ms: 0, from: performance.now() };
  }

  /** Throws on bytes that are not FLV. */
  push(chunk) {
    this.reader.push(chunk);
  }

  onTag(type, timestamp, head) {
    this.tags++;
    this.arrived(performance.now());
    if (!isVideoFrame(type, head)) return;
    this.frames++;
    if (this.lastVideoTs >= 0) {
      if (timestamp < this.lastVideoTs) this.regressions++;
      else this.maxVideoStep = Math.max(this.maxVideoStep, timestamp - this.lastVideoTs);
    }
    this.lastVideoTs = timestamp;
  }

  arrived(now) {
    if (this.lastArrival > 0 && now >= this.gapsFrom) this.maxGapMs = Math.max(this.maxGapMs, now - Math.max(this.lastArrival, this.gapsFrom));
    const since = this.lastArrival > 0 ? this.lastArrival : this.window.from;
    if (now - since > this.window.ms) this.window = { ms: now - since, from: since };
    this.lastArrival = now;
  }

  /** The wait still going on counts too. */
  currentGapMs(now = performance.now()) {
    return now >= this.gapsFrom && this.lastArrival > 0 ? now - Math.max(this.lastArrival, this.gapsFrom) : 0;
  }

  /**
   * The longest wait since the last call (a wait still going on included), with when it began (performance.now()
   * time), and starts a new window.
   */
  takeWindow(now = performance.now()) {
    const since = this.lastArrival > 0 ? this.lastArrival : this.window.from;
    const gap = now - since > this.window.ms ? { ms: now - since, from: since } : this.window;
    this.window = { ms: 0, from: now };
    return gap;
  }
}
