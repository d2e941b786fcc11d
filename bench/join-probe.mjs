// Sequential joins of one extra viewer, in a process of its own so that the busy load generators' event loops do not
// add to the measured time.
// message in: { cmd: 'joins', spec: { protocol, endpoints }, count, gapMs, timeoutMs }
// message out: { type: 'joins', results: [{ keyframeMs, firstByteMs }], errors: string[] }

import { timeToKeyframe } from './viewers.mjs';

process.on('message', async (msg) => {
  if (msg.cmd !== 'joins') return;
  const results = [];
  const errors = [];
  for (let i = 0; i < msg.count; i++) {
    try {
      results.push(await timeToKeyframe(msg.spec, msg.timeoutMs));
    } catch (err) {
      errors.push(String(err?.message ?? err));
    }
    // vary the gap so joins land at different points of the GOP (and of the server's GOP cache)
    await new Promise((r) => setTimeout(r, msg.gapMs + ((i * 337) % 1000)));
  }
  process.send?.({ type: 'joins', results, errors });
});
process.on('disconnect', () => process.exit(0));
