// An HTTP-FLV viewer: one GET, then the body is an FLV stream; its tags are skimmed (or kept whole for the latency
// probe) as they arrive.

import http from 'node:http';
import { FlvTagReader, TAG } from './flv-stream.mjs';
import { Viewer } from './viewer-base.mjs';

export class FlvViewer extends Viewer {
  /** @param {string} url  @param {ConstructorParameters<typeof Viewer>[1]} hooks */
  constructor(url, hooks = {}) {
    super('flv', hooks);
    this.url = url;
    this.reader = new FlvTagReader({
      keepPayload: this.keepPayload,
      onTag: (t) => {
        if (t.type === TAG.AUDIO || t.type === TAG.VIDEO) this.media(t.type, t.timestamp, t.head, t.payload);
      },
    });
  }

  start() {
    this.begin();
    const req = http.get(this.url, { agent: false }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return this.fail(`HTTP ${res.statusCode}`);
      }
      res.on('data', (chunk) => {
        this.bytes += chunk.length;
        this.playing();
        try {
          this.reader.push(chunk);
        } catch (err) {
          this.fail(`flv: ${err.message}`);
        }
      });
      res.on('end', () => { this.closeReason ||= `response ended while ${this.state}`; });
    });
    this.req = req;
    req.on('error', (err) => { this.closeReason ||= err.code || err.message; });
    req.on('close', () => this.closed());
  }

  destroy() {
    if (this.req) this.req.destroy();
    else this.closed();
  }
}
