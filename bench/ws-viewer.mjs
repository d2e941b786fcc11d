// A WebSocket-FLV viewer: an HTTP upgrade on the FLV URL, then binary messages whose payloads, end to end, are the
// same FLV stream as HTTP-FLV. Answers pings; skims the tags like the HTTP-FLV viewer.

import http from 'node:http';
import { FlvTagReader, TAG } from './flv-stream.mjs';
import { Viewer } from './viewer-base.mjs';
import { OPCODE, WsFrameReader, acceptFor, clientFrame, newKey } from './ws-frames.mjs';

export class WsViewer extends Viewer {
  /** @param {string} url ws://host:port/app/key.flv  @param {ConstructorParameters<typeof Viewer>[1]} hooks */
  constructor(url, hooks = {}) {
    super('ws', hooks);
    this.url = url.replace(/^ws:/, 'http:');
    const tags = new FlvTagReader({
      keepPayload: this.keepPayload,
      onTag: (t) => {
        if (t.type === TAG.AUDIO || t.type === TAG.VIDEO) this.media(t.type, t.timestamp, t.head, t.payload);
      },
    });
    this.frames = new WsFrameReader({
      onData: (part) => tags.push(part),
      onControl: (opcode, payload) => {
        if (opcode === OPCODE.PING) this.socket.write(clientFrame(OPCODE.PONG, payload));
        else if (opcode === OPCODE.CLOSE) this.fail(`closed by server (${payload.length >= 2 ? payload.readUInt16BE(0) : 'no code'}: ${payload.toString('utf8', 2)})`);
      },
    });
  }

  start() {
    this.begin();
    const key = newKey();
    const req = http.get(this.url, {
      agent: false,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': key },
    });
    this.req = req;
    req.on('response', (res) => {
      res.resume();
      this.fail(`HTTP ${res.statusCode} instead of an upgrade`);
    });
    req.on('upgrade', (res, socket, head) => {
      this.socket = socket;
      socket.on('close', () => this.closed());
      socket.on('error', (err) => { this.closeReason ||= err.code || err.message; });
      if (res.headers['sec-websocket-accept'] !== acceptFor(key)) return this.fail('wrong Sec-WebSocket-Accept');
      socket.on('data', (buf) => this.onData(buf));
      if (head.length) this.onData(head);
    });
    req.on('error', (err) => { this.closeReason ||= err.code || err.message; });
    req.on('close', () => { if (!this.socket) this.closed(); });
  }

  onData(buf) {
    this.bytes += buf.length;
    this.playing();
    try {
      this.frames.push(buf);
    } catch (err) {
      this.fail(`ws-flv: ${err.message}`);
    }
  }

  destroy() {
    if (this.socket) this.socket.destroy();
    else if (this.req) this.req.destroy();
    else this.closed();
  }
}
