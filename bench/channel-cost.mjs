#!/usr/bin/env node
// The JavaScript cost of kayak-cast's own fan-out, without the kernel: one channel, N RTMP viewers in step on
// sockets that take every write at once and keep nothing, fed a 2.5 Mb/s stream's worth of packets (30 video frames
// and about 47 AAC frames a second) as fast as the process can. It prints the main thread's CPU per second of
// stream and per GB delivered. The write system call and Node's stream machinery are not in it (they are in the
// fan-out suite of bench.mjs): this is what the channel, the batches and the viewers' queue policy cost.
//
//   node bench/channel-cost.mjs [--viewers 300] [--seconds 60] [--rounds 5] [--repo DIR]
//
// --repo: the checkout whose dist/ is measured (another build, for an A/B of two commits).

import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: flags } = parseArgs({
  options: {
    viewers: { type: 'string', default: '300' },
    seconds: { type: 'string', default: '60' },
    rounds: { type: 'string', default: '5' },
    repo: { type: 'string', default: resolve(import.meta.dirname, '..') },
  },
});
const viewers = Number(flags.viewers);
const seconds = Number(flags.seconds);
const rounds = Number(flags.rounds);
const dist = (path) => import(pathToFileURL(resolve(flags.repo, 'dist', path)).href);

const { Channel } = await dist('media/channel.js');
const { RtmpViewer } = await dist('server/rtmp-viewer.js');
const { JoinRests } = await dist('server/join-rests.js');
const { DEFAULT_QUEUE_LIMITS } = await dist('media/viewer-queue.js');

/** A socket with room for everything: counts what it is given and keeps nothing. */
class NullSocket extends EventEmitter {
  writableLength = 0;
  destroyed = false;
  writable = true;
  remoteAddress = '127.0.0.1';
  remotePort = 5000;
  bytes = 0;
  write(chunk) {
    this.bytes += chunk.length;
    return true;
  }
  cork() {}
  uncork() {}
  end() {}
}

const VIDEO_BYTES = Math.round((2.5e6 / 8 - 47 * 400) / 30);
const frame = (key) => {
  const payload = Buffer.alloc(VIDEO_BYTES, 0xab);
  payload[0] = key ? 0x17 : 0x27;
  payload[1] = 1;
  return payload;
};
const KEY = frame(true);
const INTER = frame(false);
const AAC = Buffer.alloc(400, 0xcd);
AAC[0] = 0xaf;
AAC[1] = 1;
const AVC_HEADER = Buffer.from([0x17, 0x00, 0, 0, 0, 0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0, 0]);
const AAC_HEADER = Buffer.from([0xaf, 0x00, 0x12, 0x10]);

/** A channel with `viewers` in-step viewers; `advance` moves its clock. */
async function setup() {
  let ms = 0;
  const clock = { now: () => ms, monotonic: () => ms };
  const channel = new Channel('live', 'bench', { address: '127.0.0.1:9', protocol: 'rtmp', since: 0 }, { clock });
  channel.pushVideo(0, AVC_HEADER);
  channel.pushAudio(0, AAC_HEADER);
  channel.pushVideo(0, KEY);
  const rests = new JoinRests({ info() {}, warn() {}, error() {}, debug() {} });
  const sockets = [];
  for (let i = 0; i < viewers; i++) {
    const socket = new NullSocket();
    sockets.push(socket);
    const options = { id: `v${i}`, socket, channel, clock, queueLimits: DEFAULT_QUEUE_LIMITS, rests, onCutOff: () => {} };
    channel.addViewer(new RtmpViewer(options, 1, 4096));
  }
  await new Promise((r) => setTimeout(r, 200)); // the joins' rests go
  return { channel, sockets, advance: (by) => (ms += by) };
}

/** `seconds` of stream: 30 frames a second (a keyframe every 2 s), the AAC frames between them. */
function play(channel, advance, startMs) {
  let audioAt = startMs;
  for (let f = 1; f <= seconds * 30; f++) {
    const at = startMs + (f * 1000) / 30;
    while (audioAt + 1024 / 48 <= at) {
      audioAt += 1024 / 48;
      channel.pushAudio(Math.round(audioAt), AAC);
    }
    advance(1000 / 30);
    channel.pushVideo(Math.round(at), f % 60 === 0 ? KEY : INTER);
  }
}

const { channel, sockets, advance } = await setup();
const results = [];
let startMs = 0;
for (let round = 0; round <= rounds; round++) {
  const bytesBefore = sockets.reduce((sum, s) => sum + s.bytes, 0);
  const cpu = process.cpuUsage();
  play(channel, advance, startMs);
  const used = process.cpuUsage(cpu);
  startMs += seconds * 1000;
  const bytes = sockets.reduce((sum, s) => sum + s.bytes, 0) - bytesBefore;
  const ms = (used.user + used.system) / 1000;
  // Round 0 warms the compiler up and is not counted.
  if (round > 0) results.push({ msPerStreamSecond: ms / seconds, sPerGB: ms / 1000 / (bytes / 1e9) });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const perSecond = results.map((r) => r.msPerStreamSecond);
console.log(
  `${viewers} in-step RTMP viewers, ${rounds} rounds of ${seconds} s of stream (${flags.repo}):`,
  `median ${median(perSecond).toFixed(2)} ms of CPU per second of stream`,
  `(${perSecond.map((x) => x.toFixed(2)).join(', ')}),`,
  `${median(results.map((r) => r.sPerGB)).toFixed(4)} s/GB`,
);
channel.end('done');
