// An HLS viewer that behaves like a live player (RFC 8216 6.3): the multivariant playlist, then its first variant's
// media playlist, reloaded every target duration (half of it when it did not change, 6.3.4), and every new segment
// fetched once in order, on one keep-alive connection. It counts bytes and the media seconds (EXTINF) of the
// segments it has finished; its "keyframe" is the end of its first segment, which starts with one (RFC 8216 3).

import http from 'node:http';
import { Viewer } from './viewer-base.mjs';

/** Where a player starts in a live playlist: three segments from the end (RFC 8216 6.3.3), as hls.js does. */
const START_SEGMENTS_FROM_END = 3;
/** A 503 or a network error is retried after this; the server's Retry-After wins when it gives one. */
const RETRY_MS = 1000;

/** The parts of a media playlist a player needs: target duration, media sequence, segments. */
export function parseMediaPlaylist(text) {
  const lines = text.split(/\r?\n/);
  let targetS = 2;
  let sequence = 0;
  let duration = null;
  const segments = [];
  const variants = [];
  let variantNext = false;
  for (const raw of lines) {
    const line = raw.trim();
    if (line.startsWith('#EXT-X-TARGETDURATION:')) targetS = Number(line.split(':')[1]);
    else if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) sequence = Number(line.split(':')[1]);
    else if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice(8));
    else if (line.startsWith('#EXT-X-STREAM-INF')) variantNext = true;
    else if (line && !line.startsWith('#')) {
      if (variantNext) variants.push(line);
      else segments.push({ sequence: sequence + segments.length, uri: line, durationS: duration ?? 0 });
      variantNext = false;
      duration = null;
    }
  }
  return { targetS, segments, variants, ended: text.includes('#EXT-X-ENDLIST') };
}

export class HlsViewer extends Viewer {
  /** @param {string} url http://host:port/app/key.m3u8  @param {ConstructorParameters<typeof Viewer>[1]} hooks */
  constructor(url, hooks = {}) {
    super('hls', hooks);
    this.url = url;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    this.nextSequence = -1;
    this.mediaMs = 0;
    this.timer = undefined;
    this.segments = 0;
  }

  start() {
    this.begin();
    this.run().catch((err) => this.fail(err.message));
  }

  destroy() {
    clearTimeout(this.timer);
    this.agent.destroy();
    this.closed();
  }

  async run() {
    let url = this.url;
    let list = parseMediaPlaylist(await this.getText(url));
    if (list.variants.length) {
      url = new URL(list.variants[0], url).href;
      list = parseMediaPlaylist(await this.getText(url));
    }
    while (this.state !== 'closed') {
      const fresh = this.pick(list.segments);
      for (const seg of fresh) await this.getSegment(new URL(seg.uri, url).href, seg);
      if (list.ended) return this.fail('the playlist ended');
      await this.sleep((fresh.length ? 1 : 0.5) * list.targetS * 1000);
      list = parseMediaPlaylist(await this.getText(url));
    }
  }

  /** The segments not fetched yet; at the start, the last START_SEGMENTS_FROM_END of them. */
  pick(segments) {
    if (this.nextSequence < 0 && segments.length) {
      this.nextSequence = segments[Math.max(0, segments.length - START_SEGMENTS_FROM_END)].sequence;
    }
    const fresh = segments.filter((s) => s.sequence >= this.nextSequence);
    if (fresh.length) this.nextSequence = fresh.at(-1).sequence + 1;
    return fresh;
  }

  async getSegment(url, seg) {
    await this.get(url, (chunk) => {
      this.bytes += chunk.length;
      this.playing();
    });
    this.segments++;
    this.mediaMs += seg.durationS * 1000;
    this.lastTs = this.mediaMs;
    if (!this.keyframeAt) {
      this.keyframeAt = performance.now();
      this.onKeyframe?.(this);
    }
  }

  async getText(url) {
    const parts = [];
    await this.get(url, (chunk) => parts.push(chunk));
    return Buffer.concat(parts).toString('utf8');
  }

  /** One GET, retried on 503 (the stream's first segment is not ready) and network errors; other answers fail. */
  async get(url, onChunk) {
    for (;;) {
      if (this.state === 'closed') throw new Error(this.closeReason || 'closed');
      const res = await new Promise((resolve, reject) => {
        const req = http.get(url, { agent: this.agent }, (r) => {
          if (r.statusCode !== 200) {
            r.resume();
            return resolve({ status: r.statusCode, retryAfter: Number(r.headers['retry-after']) });
          }
          r.on('data', onChunk);
          r.on('end', () => resolve({ status: 200 }));
          r.on('error', reject);
        });
        req.on('error', reject);
      }).catch((err) => ({ status: 0, error: err }));
      if (res.status === 200) return;
      if (res.status !== 503 && res.status !== 0) throw new Error(`HTTP ${res.status} for ${new URL(url).pathname}`);
      await this.sleep(res.retryAfter > 0 ? res.retryAfter * 1000 : RETRY_MS);
    }
  }

  sleep(ms) {
    return new Promise((resolve) => { this.timer = setTimeout(resolve, ms); });
  }
}
