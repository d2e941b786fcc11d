// A publisher process, driven over IPC: replays the clip to N streams with rtmp-publisher.mjs (one process instead of
// N ffmpegs, which would eat the two cores the server needs).
//
// messages in:  { cmd: 'start', clipPath, targets: [{ host, port, app, key }] }   { cmd: 'stats' }   { cmd: 'stop' }
// messages out: { type: 'publishing' }  { type: 'stats', ... }  { type: 'stopped' }

import { readFlvFile } from './flv-stream.mjs';
import { RtmpPublisher, prepareClip } from './rtmp-publisher.mjs';

/** @type {RtmpPublisher[]} */
let publishers = [];
const send = (msg) => process.send?.(msg);

process.on('message', async (msg) => {
  if (msg.cmd === 'start') {
    try {
      const clip = prepareClip(readFlvFile(msg.clipPath));
      publishers = msg.targets.map((t) => new RtmpPublisher(t, clip));
      await Promise.all(publishers.map((p) => p.start()));
      send({ type: 'publishing', loopMs: clip.loopMs });
    } catch (err) {
      send({ type: 'error', message: String(err?.message ?? err) });
    }
  } else if (msg.cmd === 'stats') {
    const cpu = process.cpuUsage();
    send({
      type: 'stats',
      at: performance.now(),
      cpuS: (cpu.user + cpu.system) / 1e6,
      publishing: publishers.filter((p) => p.phase === 'publishing').length,
      bytesSent: publishers.reduce((n, p) => n + p.bytesSent, 0),
      closeReasons: publishers.filter((p) => p.phase !== 'publishing').map((p) => p.closeReason),
    });
  } else if (msg.cmd === 'stop') {
    for (const p of publishers) p.stop();
    send({ type: 'stopped' });
    setTimeout(() => process.exit(0), 50);
  }
});
process.on('disconnect', () => process.exit(0));
