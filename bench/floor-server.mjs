// The join floor: an HTTP server that answers every GET with the least any server must send a joining HTTP-FLV
// viewer (the clip's FLV header, metadata, sequence headers and a keyframe, prepared once in memory) and then
// holds the connection. N viewers joining it at once time the clients and the kernel, not a streaming server.
// usage: node bench/floor-server.mjs <port> <clip.flv>

import { readFileSync } from 'node:fs';
import http from 'node:http';
import { FlvTagReader, TAG, isKeyframePicture, isSequenceHeader } from './flv-stream.mjs';

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
export function joinPrefix(file) {
  const tags = [];
  new FlvTagReader({ keepPayload: true, onTag: (t) => tags.push(t) }).push(file);
  const headers = tags.filter((t) => t.type === TAG.SCRIPT || isSequenceHeader(t.type, t.head));
  const keyframes = tags.filter((t) => t.type === TAG.VIDEO && isKeyframePicture(t.head)).sort((a, b) => a.size - b.size);
  if (!keyframes.length) throw new Error('no keyframe in the clip');
  const keyframe = keyframes[keyframes.length >> 1];
  return Buffer.concat([file.subarray(0, FILE_HEADER_BYTES), ...headers.map(flvTag), flvTag({ ...keyframe, timestamp: 0 })]);
}

if (process.argv[1]?.endsWith('floor-server.mjs')) {
  const [port, clipPath] = process.argv.slice(2);
  const prefix = joinPrefix(readFileSync(clipPath));
  const server = http.createServer((req, res) => {
    req.socket.setNoDelay(true);
    res.writeHead(200, { 'Content-Type': 'video/x-flv', 'Cache-Control': 'no-store' });
    res.write(prefix);
  });
  server.listen(Number(port), '127.0.0.1');
  const stop = () => process.exit(0);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
