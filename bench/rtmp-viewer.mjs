// A cheap RTMP play client: plain handshake, connect / createStream / play, then it only counts
// bytes (and acknowledges them, as every real client does, §5.4.3).

import net from 'node:net';
import {
  HANDSHAKE_SIZE, MSG, SetupChunkParser, ackMessage, amf0Decode, c0c1, commandMessage, pingResponse,
} from './rtmp-wire.mjs';

const S0S1S2 = 1 + 2 * HANDSHAKE_SIZE;
const DEFAULT_ACK_WINDOW = 2_500_000;

export class RtmpViewer {
  /** @param {{ host: string, port: number, app: string, key: string }} target */
  constructor(target, { onPlaying, onClose } = {}) {
    this.target = target;
    this.bytes = 0;
    this.state = 'connecting';
    this.startedAt = 0;
    this.playingAt = 0;
    this.closeReason = '';
    this.onPlaying = onPlaying;
    this.onClose = onClose;
    this.ackWindow = DEFAULT_ACK_WINDOW;
    this.ackedAt = 0;
    this.handshake = [];
    this.handshakeBytes = 0;
    this.parser = new SetupChunkParser();
    this.streamId = 0;
  }

  start() {
    this.startedAt = performance.now();
    const s = net.connect({ host: this.target.host, port: this.target.port });
    this.socket = s;
    s.setNoDelay(true);
    s.on('connect', () => {
      this.state = 'handshake';
      s.write(c0c1());
    });
    s.on('data', (buf) => this.onData(buf));
    s.on('error', (err) => { this.closeReason ||= err.code || err.message; });
    s.on('close', () => {
      const was = this.state;
      this.state = 'closed';
      this.closeReason ||= `closed by server while ${was}`;
      this.onClose?.(this);
    });
  }

  stop() {
    this.closeReason ||= 'stopped';
    this.socket?.destroy();
  }

  onData(buf) {
    this.bytes += buf.length;
    if (this.bytes - this.ackedAt >= this.ackWindow / 2) {
      this.ackedAt = this.bytes;
      this.socket.write(ackMessage(this.bytes));
    }
    if (this.state === 'playing') return;
    if (this.state === 'handshake') {
      this.handshake.push(buf);
      this.handshakeBytes += buf.length;
      if (this.handshakeBytes < S0S1S2) return;
      const all = Buffer.concat(this.handshake);
      this.handshake = [];
      if (all[0] !== 3) return this.fail(`S0 version ${all[0]}`);
      this.socket.write(all.subarray(1, 1 + HANDSHAKE_SIZE)); // C2 echoes S1, §5.2.4
      this.state = 'connect';
      const { host, port, app } = this.target;
      this.socket.write(commandMessage(0, ['connect', 1, { app, tcUrl: `rtmp://${host}:${port}/${app}` }]));
      if (all.length > S0S1S2) this.onSetupBytes(all.subarray(S0S1S2));
      return;
    }
    this.onSetupBytes(buf);
  }

  onSetupBytes(buf) {
    let result;
    try {
      result = this.parser.push(buf);
    } catch (err) {
      return this.fail(`setup parse: ${err.message}`);
    }
    for (const m of result.messages) this.onMessage(m);
    if (result.media && this.state !== 'closed') this.markPlaying();
  }

  onMessage({ type, payload }) {
    if (type === MSG.WINDOW_ACK_SIZE) {
      this.ackWindow = payload.readUInt32BE(0);
    } else if (type === MSG.USER_CONTROL && payload.readUInt16BE(0) === 6) {
      this.socket.write(pingResponse(payload.subarray(2, 6)));
    } else if (type === MSG.COMMAND_AMF0) {
      let values;
      try {
        values = amf0Decode(payload);
      } catch (err) {
        return this.fail(`amf0: ${err.message}`);
      }
      const [name, tx] = values;
      if (name === '_result' && tx === 1 && this.state === 'connect') {
        this.state = 'createStream';
        this.socket.write(commandMessage(0, ['createStream', 2, null]));
      } else if (name === '_result' && tx === 2 && this.state === 'createStream') {
        this.streamId = typeof values[3] === 'number' ? values[3] : 1;
        this.state = 'play';
        this.socket.write(commandMessage(this.streamId, ['play', 0, null, this.target.key]));
      } else if (name === '_error') {
        this.fail(`_error in ${this.state}: ${JSON.stringify(values[3] ?? null)}`);
      } else if (name === 'onStatus') {
        const info = values[3] ?? {};
        if (info.level === 'error') this.fail(`onStatus ${info.code}`);
      }
    }
  }

  markPlaying() {
    this.state = 'playing';
    this.parser = null;
    this.playingAt = performance.now();
    this.onPlaying?.(this);
  }

  fail(reason) {
    this.closeReason ||= reason;
    this.socket.destroy();
  }
}
