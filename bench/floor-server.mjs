// The join floor: servers that send a joining viewer the least any server must (the clip's FLV header, metadata,
// sequence headers and a keyframe, prepared once in memory), each answer in one write, and then hold the connection.
// N viewers joining at once time the clients and the kernel, not a streaming server. Per protocol:
// - HTTP-FLV: every GET is answered with the response head and those bytes;
// - WS-FLV: every upgrade on the same port with the 101 answer and those bytes as one binary message;
// - RTMP (with a third argument): the plain handshake (S0 S1 S2), then one prepared reply to each of connect,
//   createStream and play (the play reply carries the messages of the join), the round trips a player makes.
// `acceptPublisher` (bench/read-floor.mjs) is the same RTMP door for a publisher: after publish it only reads.
// usage: node bench/floor-server.mjs <http-port> <clip.flv> [<rtmp-port>]

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { FlvTagReader, TAG, isKeyframePicture, isSequenceHeader } from './flv-stream.mjs';
import { RtmpChunkReader } from './rtmp-chunk-reader.mjs';
import { HANDSHAKE_SIZE, MSG, ackMessage, amf0Decode, amf0Encode, encodeMessage } from './rtmp-wire.mjs';

const FILE_HEADER_BYTES = 9 + 4; // FLV spec E.2 header + PreviousTagSize0

/** One FLV tag (E.4.1) with its PreviousTagSize. */
function flvTag({ type, timestamp, payload }) {
  const out = Buffer.alloc(11 + payload.length + 4);
  out[0] = type;
  out.writeUIntBE(payload.length, 1, 3);
  out.writeUIntBE(timestamp & 0xffffff, 4, 3);
  out[7] = Math.floor(timestamp / 0x1000000) & 0xff;
  payload.copy(out, 11);
  out.writeUInt32BE(11 + payload.length, 11 + payload.length);
  return out;
}

/**
 * What a joining viewer needs before its first picture: the file header, the metadata and sequence headers, and a
 * keyframe; the keyframe of median size among the clip's (the first one of an encode is often smaller).
 */
export function joinTags(file) {
  const tags = [];
  new FlvTagReader({ keepPayload: true, onTag: (t) => tags.push(t) }).push(file);
  const headers = tags.filter((t) => t.type === TAG.SCRIPT || isSequenceHeader(t.type, t.head));
  const keyframes = tags.filter((t) => t.type === TAG.VIDEO && isKeyframePicture(t.head)).sort((a, b) => a.size - b.size);
  if (!keyframes.length) throw new Error('no keyframe in the clip');
  const keyframe = keyframes[keyframes.length >> 1];
  return [...headers.map((t) => ({ ...t, timestamp: 0 })), { ...keyframe, timestamp: 0 }];
}

export function joinPrefix(file) {
  return Buffer.concat([file.subarray(0, FILE_HEADER_BYTES), ...joinTags(file).map(flvTag)]);
}

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'; // RFC 6455 1.3

/** One unmasked final binary frame (RFC 6455 5.2) carrying `payload`. */
function wsBinaryFrame(payload) {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x82, n]) : n < 0x10000 ? Buffer.from([0x82, 126, n >> 8, n & 0xff]) : Buffer.alloc(10);
  if (n >= 0x10000) {
    head[0] = 0x82;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([head, payload]);
}

const OUT_CHUNK_SIZE = 4096;
const RTMP_TYPE = { [TAG.AUDIO]: MSG.AUDIO, [TAG.VIDEO]: MSG.VIDEO, [TAG.SCRIPT]: MSG.DATA_AMF0 };
const RTMP_CSID = { [TAG.AUDIO]: 4, [TAG.VIDEO]: 6, [TAG.SCRIPT]: 5 };

function control(type, payload) {
  return encodeMessage({ csid: 2, type, streamId: 0, payload });
}

function u32(n) {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
}

/** The window we announce, and after which a publisher is sent an Acknowledgement (spec 5.4.3, 5.4.4). */
const WINDOW_ACK_SIZE = 5_000_000;

/** The replies of an RTMP server that wastes nothing: one write per command the player (or publisher) waits on. */
function rtmpReplies(tags = []) {
  const command = (streamId, values) => encodeMessage({ csid: 3, type: MSG.COMMAND_AMF0, streamId, payload: amf0Encode(values), chunkSize: OUT_CHUNK_SIZE });
  const status = (code) => command(1, ['onStatus', 0, null, { level: 'status', code, description: code }]);
  const streamBegin = Buffer.alloc(6); // User Control StreamBegin (event 0) of stream 1, spec 7.1.7
  streamBegin.writeUInt32BE(1, 2);
  return {
    connect: (tx) => Buffer.concat([
      control(MSG.WINDOW_ACK_SIZE, u32(WINDOW_ACK_SIZE)),
      control(MSG.SET_PEER_BANDWIDTH, Buffer.concat([u32(WINDOW_ACK_SIZE), Buffer.from([2])])),
      control(MSG.SET_CHUNK_SIZE, u32(OUT_CHUNK_SIZE)),
      command(0, ['_result', tx, { fmsVer: 'FMS/3,5,7,7009', capabilities: 31 }, { level: 'status', code: 'NetConnection.Connect.Success', description: 'ok' }]),
    ]),
    createStream: (tx) => command(0, ['_result', tx, null, 1]),
    publish: status('NetStream.Publish.Start'),
    play: Buffer.concat([
      control(MSG.USER_CONTROL, streamBegin),
      status('NetStream.Play.Reset'),
      status('NetStream.Play.Start'),
      ...tags.map((t) => encodeMessage({ csid: RTMP_CSID[t.type], type: RTMP_TYPE[t.type], streamId: 1, payload: t.payload, chunkSize: OUT_CHUNK_SIZE })),
    ]),
  };
}

/** `onPublish(socket, received)`: called once the publisher is told to start; the socket's data is its own from then. */
function serveRtmp(socket, replies, onPublish = () => {}) {
  socket.setNoDelay(true);
  socket.on('error', () => {});
  let handshake = Buffer.alloc(0);
  let skipC2 = HANDSHAKE_SIZE;
  const reader = new RtmpChunkReader({
    onMessage: (m) => {
      if (m.type !== MSG.COMMAND_AMF0) return;
      const [name, tx] = amf0Decode(m.payload);
      if (name === 'connect') socket.write(replies.connect(tx));
      else if (name === 'createStream') socket.write(replies.createStream(tx));
      else if (name === 'play') socket.write(replies.play);
      else if (name === 'publish') {
        socket.write(replies.publish);
        socket.removeListener('data', onData);
        onPublish(socket, received);
      }
    },
  });
  let received = 0;
  const onData = (buf) => {
    received += buf.length;
    if (handshake !== null) {
      handshake = Buffer.concat([handshake, buf]);
      if (handshake.length < 1 + HANDSHAKE_SIZE) return;
      const c1 = handshake.subarray(1, 1 + HANDSHAKE_SIZE);
      // S0, S1 (time 0, zero 0, zeros: a plain handshake), S2 echoing C1 (spec 5.2.2-5.2.4)
      socket.write(Buffer.concat([Buffer.from([3]), Buffer.alloc(HANDSHAKE_SIZE), c1]));
      buf = handshake.subarray(1 + HANDSHAKE_SIZE);
      handshake = null;
    }
    const skipped = Math.min(skipC2, buf.length);
    skipC2 -= skipped;
    if (buf.length > skipped) reader.push(buf.subarray(skipped));
  };
  socket.on('data', onData);
}

/**
 * Takes an RTMP publisher on `socket` as a server must (handshake, connect, createStream, publish), then does only
 * what any server reading it must: reads its bytes, counting them to acknowledge each window.
 */
export function acceptPublisher(socket) {
  serveRtmp(socket, rtmpReplies(), (published, before) => {
    let received = before;
    let acked = before;
    published.on('data', (buf) => {
      received += buf.length;
      if (received - acked >= WINDOW_ACK_SIZE) {
        published.write(ackMessage(received));
        acked = received;
      }
    });
  });
}

/**
 * The floor's servers for the clip in `file` (a Buffer), on `host`: HTTP-FLV and WS-FLV on `httpPort`, RTMP on
 * `rtmpPort` when given (0 for any free port). Resolves with `{ httpPort, rtmpPort, close() }` once both listen.
 */
export async function listenFloor({ file, host = '127.0.0.1', httpPort, rtmpPort }) {
  const prefix = joinPrefix(file);
  const wsMessage = wsBinaryFrame(prefix);
  const server = http.createServer((req, res) => {
    req.socket.setNoDelay(true);
    res.writeHead(200, { 'Content-Type': 'video/x-flv', 'Cache-Control': 'no-store' });
    res.write(prefix);
  });
  server.on('upgrade', (req, socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => {});
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}${WS_GUID}`).digest('base64');
    socket.write(Buffer.concat([Buffer.from(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`), wsMessage]));
  });
  const sockets = new Set();
  const track = (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  server.on('connection', track);
  await listen(server, httpPort, host);
  let rtmp;
  if (rtmpPort !== undefined) {
    const replies = rtmpReplies(joinTags(file));
    rtmp = net.createServer((socket) => {
      track(socket);
      serveRtmp(socket, replies);
    });
    await listen(rtmp, rtmpPort, host);
  }
  return {
    httpPort: server.address().port,
    rtmpPort: rtmp?.address().port,
    close() {
      server.close();
      rtmp?.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}

function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

if (process.argv[1]?.endsWith('floor-server.mjs')) {
  const [port, clipPath, rtmpPort] = process.argv.slice(2);
  await listenFloor({ file: readFileSync(clipPath), httpPort: Number(port), rtmpPort: rtmpPort === undefined ? undefined : Number(rtmpPort) });
  const stop = () => process.exit(0);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
