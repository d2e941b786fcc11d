// The client side of one RTMP connection, shared by the benchmark's viewer and publisher: TCP connect, the plain
// handshake (§5.2), the chunk stream in both directions, Acknowledgements (§5.4.3) and PingResponses (§7.1.7); the
// owner hears of the end of the handshake, of commands (AMF0 decoded) and of media messages.

import net from 'node:net';
import { RtmpChunkReader } from './rtmp-chunk-reader.mjs';
import {
  DEFAULT_CHUNK_SIZE, HANDSHAKE_SIZE, MSG, ackMessage, amf0Decode, amf0Encode, c0c1, encodeMessage, pingResponse,
} from './rtmp-wire.mjs';

const S0S1S2 = 1 + 2 * HANDSHAKE_SIZE;
const DEFAULT_ACK_WINDOW = 2_500_000;
const PING_REQUEST = 6; // User Control event, §7.1.7
/** Distinct commands kept encoded (a process's viewers send a handful; the cache starts over past this). */
const COMMAND_CACHE_ENTRIES = 64;
/** @type {Map<string, Buffer>} shared by every connection of the process */
const commandCache = new Map();

export class RtmpConnection {
  /**
   * @param {{ host: string, port: number }} target
   * @param {{ keepMedia?: boolean, onReady: () => void, onCommand: (head: any[], whole: () => any[]) => void,
   *           onMedia?: (m: any) => void, onBytes?: (n: number) => void, onError: (reason: string) => void,
   *           onClose: () => void }} owner
   */
  constructor(target, owner) {
    this.target = target;
    this.owner = owner;
    this.bytes = 0;
    this.ackWindow = DEFAULT_ACK_WINDOW;
    this.ackedAt = 0;
    this.handshake = [];
    this.handshakeBytes = 0;
    this.outChunkSize = DEFAULT_CHUNK_SIZE;
    this.reader = new RtmpChunkReader({ keepMedia: owner.keepMedia ?? false, onMessage: (m) => this.onMessage(m) });
  }

  start() {
    const s = net.connect({ host: this.target.host, port: this.target.port });
    this.socket = s;
    s.setNoDelay(true);
    s.on('connect', () => s.write(c0c1()));
    s.on('data', (buf) => this.onData(buf));
    s.on('error', (err) => this.owner.onError(err.code || err.message));
    s.on('close', () => this.owner.onClose());
  }

  destroy() {
    this.socket?.destroy();
  }

  write(buf) {
    this.socket.write(buf);
  }

  /**
   * A command message, in chunks of the size last announced with setOutChunkSize. The bytes are encoded once per
   * distinct command and reused: a load generator's hundreds of viewers send the same connect, createStream and play,
   * and encoding each afresh was about a sixth of its CPU in a burst of joins (cold code, in a fresh process).
   */
  command(streamId, values) {
    const key = JSON.stringify([streamId, this.outChunkSize, values]);
    let bytes = commandCache.get(key);
    if (!bytes) {
      bytes = encodeMessage({ csid: 3, type: MSG.COMMAND_AMF0, streamId, payload: amf0Encode(values), chunkSize: this.outChunkSize });
      if (commandCache.size >= COMMAND_CACHE_ENTRIES) commandCache.clear();
      commandCache.set(key, bytes);
    }
    this.write(bytes);
  }

  /** Records that a Set Chunk Size (§5.4.1) of `size` was sent: later messages are cut to it. */
  setOutChunkSize(size) {
    this.outChunkSize = size;
  }

  onData(buf) {
    this.bytes += buf.length;
    this.owner.onBytes?.(buf.length);
    if (this.bytes - this.ackedAt >= this.ackWindow / 2) {
      this.ackedAt = this.bytes;
      this.write(ackMessage(this.bytes));
    }
    if (this.handshake) {
      this.handshake.push(buf);
      this.handshakeBytes += buf.length;
      if (this.handshakeBytes < S0S1S2) return;
      const all = Buffer.concat(this.handshake);
      this.handshake = null;
      if (all[0] !== 3) return this.fail(`S0 version ${all[0]}`);
      // C2 and what the owner sends first (connect) leave in one write, as they would from a native client's buffer
      this.socket.cork();
      this.write(all.subarray(1, 1 + HANDSHAKE_SIZE)); // C2 echoes S1, §5.2.4
      this.owner.onReady();
      this.socket.uncork();
      if (all.length === S0S1S2) return;
      buf = all.subarray(S0S1S2);
    }
    try {
      this.reader.push(buf);
    } catch (err) {
      this.fail(`rtmp: ${err.message}`);
    }
  }

  onMessage(m) {
    const { type, payload } = m;
    if (type === MSG.AUDIO || type === MSG.VIDEO) {
      this.owner.onMedia?.(m);
    } else if (type === MSG.WINDOW_ACK_SIZE) {
      this.ackWindow = payload.readUInt32BE(0);
    } else if (type === MSG.USER_CONTROL && payload.readUInt16BE(0) === PING_REQUEST) {
      this.write(pingResponse(payload.subarray(2, 6)));
    } else if (type === MSG.COMMAND_AMF0) {
      // the name and transaction id; the rest is decoded only if the owner asks (most replies need no more)
      let head;
      try {
        head = amf0Decode(payload, 2);
      } catch (err) {
        return this.fail(`amf0: ${err.message}`);
      }
      this.owner.onCommand(head, () => {
        try {
          return amf0Decode(payload);
        } catch (err) {
          this.fail(`amf0: ${err.message}`);
          return head;
        }
      });
    }
  }

  fail(reason) {
    this.owner.onError(reason);
    this.destroy();
  }
}
