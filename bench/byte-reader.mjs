// The loop the benchmark's incremental readers share (FLV tags, RTMP chunks, WebSocket frames): header bytes are
// collected, across pushes, until `headerWant` of them are in `header` (headerProgress() may then ask for more);
// body bytes go to body(buf, i) while `inBody`; `skip` bytes are passed over.

export class HeaderBodyReader {
  /** @param {number} maxHeader the longest header  @param {number} firstWant the bytes the first header needs */
  constructor(maxHeader, firstWant) {
    this.header = Buffer.alloc(maxHeader);
    this.headerLen = 0;
    this.headerWant = firstWant;
    this.inBody = false;
    this.skip = 0;
  }

  push(buf) {
    let i = 0;
    while (i < buf.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, buf.length - i);
        this.skip -= n;
        i += n;
      } else if (this.inBody) {
        i = this.body(buf, i);
      } else {
        const n = Math.min(this.headerWant - this.headerLen, buf.length - i);
        buf.copy(this.header, this.headerLen, i, i + n);
        this.headerLen += n;
        i += n;
        if (this.headerLen === this.headerWant) this.headerProgress();
      }
    }
  }

  /** Starts the next header, of `want` bytes at first. */
  nextHeader(want) {
    this.inBody = false;
    this.headerLen = 0;
    this.headerWant = want;
  }

  /** Called when headerWant bytes are in; either asks for more (headerWant) or starts a body (inBody). */
  headerProgress() {
    throw new Error('headerProgress: not implemented');
  }

  /** Consumes body bytes from buf at i; returns the new i. */
  body() {
    throw new Error('body: not implemented');
  }
}
