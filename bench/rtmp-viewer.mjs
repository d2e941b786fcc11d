// An RTMP play client: plain handshake, connect / createStream / play, then it reads the chunk stream (skimming media
// messages unless their payloads are wanted) and acknowledges the bytes, as every real client does (§5.4.3).

import net from 'node:net';
import { RtmpChunkReader } from './rtmp-chunk-reader.mjs';
import { HANDSHAKE_SIZE, MSG, ackMessage, amf0Decode, c0c1, commandMessage, pingResponse } from './rtmp-wire.mjs';
import { Viewer } from './viewer-base.mjs';

const S0S1S2 = 1 + 2 * HANDSHAKE_SIZE;
const DEFAULT_ACK_WINDOW = 2_500_000;
const PING_REQUEST = 6; // User Control event, §7.1.7

export class RtmpViewer extends Viewer {
  /** @param {{ host: string, port: number, app: string, key: string }} target  @param {ConstructorParameters<typeof Viewer>[1]} hooks */
  constructor(target, hooks = {}) {
    super('rtmp', hooks);
    this.target = target;
    this.ackWindow = DEFAULT_ACK_WINDOW;
    this.ackedAt = 0;
    this.handshake = [];
    this.handshakeBytes = 0;
    this.phase = 'handshake';
    this.streamId = 0;
    this.reader = new RtmpChunkReader({ keepMedia: this.keepPayload, onMessage: (m) => this.onMessage(m) });
  }

  start() {
    this.begin();
    const s = net.connect({ host: this.target.host, port: this.target.port });
    this.socket = s;
    s.setNoDelay(true);
    s.on('connect', () => s.write(c0c1()));
    s.on('data', (buf) => this.onData(buf));
    s.on('error', (err) => { this.closeReason ||= err.code || err.message; });
    s.on('close', () => this.closed(`closed by server while ${this.phase}`));
  }

  destroy() {
    if (this.socket) this.socket.destroy();
    else this.closed();
  }

  onData(buf) {
    this.bytes += buf.length;
    if (this.bytes - this.ackedAt >= this.ackWindow / 2) {
      this.ackedAt = this.bytes;
      this.socket.write(ackMessage(this.bytes));
    }
    if (this.phase === 'handshake') {
      this.handshake.push(buf);
      this.handshakeBytes += buf.length;
      if (this.handshakeBytes < S0S1S2) return;
      const all = Buffer.concat(this.handshake);
      this.handshake = null;
      if (all[0] !== 3) return this.fail(`S0 version ${all[0]}`);
      this.socket.write(all.subarray(1, 1 + HANDSHAKE_SIZE)); // C2 echoes S1, §5.2.4
      this.phase = 'connect';
      const { host, port, app } = this.target;
      this.socket.write(commandMessage(0, ['connect', 1, { app, tcUrl: `rtmp://${host}:${port}/${app}` }]));
      if (all.length === S0S1S2) return;
      buf = all.subarray(S0S1S2);
    }
    try {
      this.reader.push(buf);
    } catch (err) {
      this.fail(`rtmp: ${err.message}`);
    }
  }

  onMessage({ type, timestamp, head, payload }) {
    if (type === MSG.AUDIO || type === MSG.VIDEO) {
      this.playing();
      this.media(type, timestamp, head, payload);
    } else if (type === MSG.WINDOW_ACK_SIZE) {
      this.ackWindow = payload.readUInt32BE(0);
    } else if (type === MSG.USER_CONTROL && payload.readUInt16BE(0) === PING_REQUEST) {
      this.socket.write(pingResponse(payload.subarray(2, 6)));
    } else if (type === MSG.COMMAND_AMF0) {
      this.onCommand(payload);
    }
  }

  onCommand(payload) {
    let values;
    try {
      values = amf0Decode(payload);
    } catch (err) {
      return this.fail(`amf0: ${err.message}`);
    }
    const [name, tx] = values;
    if (name === '_result' && tx === 1 && this.phase === 'connect') {
      this.phase = 'createStream';
      this.socket.write(commandMessage(0, ['createStream', 2, null]));
    } else if (name === '_result' && tx === 2 && this.phase === 'createStream') {
      this.streamId = typeof values[3] === 'number' ? values[3] : 1;
      this.phase = 'play';
      this.socket.write(commandMessage(this.streamId, ['play', 0, null, this.target.key]));
    } else if (name === '_error') {
      this.fail(`_error in ${this.phase}: ${JSON.stringify(values[3] ?? null)}`);
    } else if (name === 'onStatus' && values[3]?.level === 'error') {
      this.fail(`onStatus ${values[3].code}`);
    }
  }
}
