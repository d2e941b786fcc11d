// The latency probe, a process of its own driven over IPC: it publishes the clip (rtmp-publisher.mjs) and plays it back
// with a few viewers in the same process, so that the send time of every video message and its arrival time come from
// one clock. A message is recognised on the way out by its content (payloadKey), whatever the server does to
// timestamps. Only messages sent after the viewer's first keyframe count: the GOP cache's replay at a join is old
// on purpose.
//
// messages in:  { cmd: 'publish', clipPath, target: { host, port, app, key } }
//               { cmd: 'probe', probes: [{ protocol, endpoints }], warmupMs, durationMs }
// messages out: { type: 'publishing' }
//               { type: 'latency', byProtocol: { [protocol]: { samples, unmatched, minMs, medianMs, p90Ms, p99Ms,
//                 maxMs } }, loopDelay: { p50Ms, p99Ms, maxMs }, closed }

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { TAG, payloadKey, readFlvFile } from './flv-stream.mjs';
import { RtmpPublisher, prepareClip } from './rtmp-publisher.mjs';
import { createViewer } from './viewers.mjs';
import { quantile } from './window-stats.mjs';

/** How long a send time is remembered: far longer than any latency worth measuring, far shorter than the loop. */
const REMEMBER_MS = 10_000;
/** Messages sent this soon after a viewer's first keyframe may still be the join's catch-up, not live flow. */
const AFTER_KEYFRAME_MS = 200;
/** The histogram's values include its timer's interval, which is subtracted again below. */
const LOOP_DELAY_RESOLUTION_MS = 1;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Send times of the video messages of the last REMEMBER_MS, by payloadKey. */
const sent = new Map();
const order = [];
let publisher;

async function publish({ clipPath, target }) {
  publisher = new RtmpPublisher(target, prepareClip(readFlvFile(clipPath)), {
    onSend: ({ type, payload }, at) => {
      if (type !== TAG.VIDEO) return;
      const key = payloadKey(type, payload);
      sent.set(key, at);
      order.push([key, at]);
      while (order[0][1] < at - REMEMBER_MS) {
        const [oldKey, oldAt] = order.shift();
        if (sent.get(oldKey) === oldAt) sent.delete(oldKey);
      }
    },
  });
  await publisher.start();
}

async function probe({ probes, warmupMs, durationMs }) {
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  const results = new Map(probes.map((p) => [p.protocol, { samples: [], unmatched: 0 }]));
  let recording = false;
  const viewers = probes.map((spec) => createViewer(spec, {
    keepPayload: true,
    onMedia: ({ type, payload }, at, v) => {
      if (!recording || type !== TAG.VIDEO) return;
      const r = results.get(v.protocol);
      const sentAt = sent.get(payloadKey(type, payload));
      if (sentAt === undefined) r.unmatched++;
      else if (sentAt >= v.keyframeAt + AFTER_KEYFRAME_MS) r.samples.push(at - sentAt);
    },
  }));
  for (const v of viewers) v.start();
  await sleep(warmupMs);
  loopDelay.enable();
  recording = true;
  await sleep(durationMs);
  recording = false;
  loopDelay.disable();
  const closed = viewers.filter((v) => v.state === 'closed').map((v) => `${v.protocol}: ${v.closeReason}`);
  for (const v of viewers) v.stop();

  const byProtocol = {};
  for (const [protocol, r] of results) {
    const s = r.samples;
    byProtocol[protocol] = {
      samples: s.length,
      unmatched: r.unmatched,
      minMs: s.length ? Math.min(...s) : null,
      medianMs: quantile(s, 0.5),
      p90Ms: quantile(s, 0.9),
      p99Ms: quantile(s, 0.99),
      maxMs: s.length ? Math.max(...s) : null,
    };
  }
  const ms = (ns) => Math.max(0, ns / 1e6 - LOOP_DELAY_RESOLUTION_MS);
  return {
    byProtocol,
    closed,
    publisherCloseReason: publisher.closeReason === 'stopped' ? '' : publisher.closeReason,
    loopDelay: { p50Ms: ms(loopDelay.percentile(50)), p99Ms: ms(loopDelay.percentile(99)), maxMs: ms(loopDelay.max) },
  };
}

const fail = (err) => process.send?.({ type: 'error', message: String(err?.message ?? err) });
process.on('message', (msg) => {
  if (msg.cmd === 'publish') publish(msg).then(() => process.send?.({ type: 'publishing' }), fail);
  else if (msg.cmd === 'probe') probe(msg).then((result) => process.send?.({ type: 'latency', ...result }), fail);
});
process.on('disconnect', () => process.exit(0));
