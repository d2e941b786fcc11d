// Watches an FLV byte stream as a player would: walks the tags as they arrive and keeps what a soak needs to
// judge it: frames, the longest wall-clock wait between tags, and whether the video timestamps run on one
// continuous timeline (never back, no step larger than a few frames).

const FLV_HEADER_BYTES = 9 + 4; // FLV spec E.2 header + PreviousTagSize0
const TAG_HEADER_BYTES = 11; // E.4.1

export class FlvWatch {
  constructor() {
    this.pending = Buffer.alloc(0);
    this.headerDone = false;
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

  push(chunk) {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let pos = 0;
    if (!this.headerDone) {
      if (this.pending.length < FLV_HEADER_BYTES) return;
      if (this.pending.toString('latin1', 0, 3) !== 'FLV') throw new Error('not an FLV stream');
      pos = this.pending.readUInt32BE(5) + 4;
      this.headerDone = true;
    }
    const now = performance.now();
    while (this.pending.length - pos >= TAG_HEADER_BYTES) {
      const type = this.pending[pos] & 0x1f;
      const size = this.pending.readUIntBE(pos + 1, 3);
      const total = TAG_HEADER_BYTES + size + 4;
      if (this.pending.length - pos < total) break;
      const ts = (this.pending.readUIntBE(pos + 4, 3) | (this.pending[pos + 7] << 24)) >>> 0;
      this.tags++;
      this.arrived(now);
      const b0 = this.pending[pos + TAG_HEADER_BYTES];
      const b1 = this.pending[pos + TAG_HEADER_BYTES + 1];
      // Video frames (AVC NALU, E.4.3.1), not sequence headers or end-of-sequence markers.
      if (type === 9 && size >= 2 && !((b0 & 0x0f) === 7 && b1 !== 1)) {
        this.frames++;
        if (this.lastVideoTs >= 0) {
          if (ts < this.lastVideoTs) this.regressions++;
          else this.maxVideoStep = Math.max(this.maxVideoStep, ts - this.lastVideoTs);
        }
        this.lastVideoTs = ts;
      }
      pos += total;
    }
    this.pending = this.pending.subarray(pos);
  }

  arrived(now) {
    if (this.lastArrival > 0 && now >= this.gapsFrom) this.maxGapMs = Math.max(this.maxGapMs, now - Math.max(this.lastArrival, this.gapsFrom));
    const since = this.lastArrival > 0 ? this.lastArrival : this.window.from;
    if (now - since > this.window.ms) this.window = { ms: now - since, from: since };
    this.lastArrival = now;
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

  /** The wait still going on counts too. */
  currentGapMs(now = performance.now()) {
    return now >= this.gapsFrom && this.lastArrival > 0 ? now - Math.max(this.lastArrival, this.gapsFrom) : 0;
  }
}
