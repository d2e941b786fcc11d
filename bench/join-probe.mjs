// Sequential joins of one extra HTTP-FLV viewer, in a process of its own so that the busy load
// generator's event loop does not add to the measured time.
// message in: { cmd: 'joins', url, count, gapMs, timeoutMs }  out: { type: 'joins', results, errors }

import { timeFirstKeyframe } from './flv-viewer.mjs';

process.on('message', async (msg) => {
  if (msg.cmd !== 'joins') return;
  const results = [];
  const errors = [];
  for (let i = 0; i < msg.count; i++) {
    try {
      results.push(await timeFirstKeyframe(msg.url, msg.timeoutMs));
    } catch (err) {
      errors.push(String(err?.message ?? err));
    }
    // vary the gap so joins land at different points of the GOP (and of the server's GOP cache)
    await new Promise((r) => setTimeout(r, msg.gapMs + ((i * 337) % 1000)));
  }
  process.send?.({ type: 'joins', results, errors });
});
process.on('disconnect', () => process.exit(0));
