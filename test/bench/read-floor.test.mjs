// bench/read-floor.mjs sets kayak-cast's cost of taking in one publisher beside Node's own cost of reading the same
// publisher: both readers must take the publish and read the stream's rate from ffmpeg, or the comparison
// (bench/RESULTS.md, 2026-12-02) rests on nothing.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { beforeAll, expect, it } from 'vitest';
import { probeClip } from '../../bench/clip.mjs';
import { makeClip } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { requireBuilt } from '../helpers/server.js';

const run = promisify(execFile);

describeWithPeers(['ffmpeg', 'ffprobe'], 'bench/read-floor.mjs', () => {
  let clip;

  beforeAll(async () => {
    await requireBuilt();
    clip = await makeClip({ seconds: 4, width: 320, height: 240, fps: 25, gopSeconds: 1, audioRate: 48_000 });
  }, 240_000);

  it('the floor and kayak-cast both take the publish and read the stream at its rate', async () => {
    const { stdout } = await run(process.execPath, [
      'bench/read-floor.mjs', '--clip', clip, '--settle', '3', '--seconds', '3', '--rounds', '1',
    ], { timeout: 90_000 });
    const jsonPath = /raw: (\S+)/.exec(stdout)?.[1];
    expect(jsonPath).toBeDefined();
    const { results } = JSON.parse(readFileSync(jsonPath, 'utf8'));
    expect(results.map((r) => r.target)).toEqual(['floor', 'kayak']);
    const clipKbPerS = probeClip(clip).bytesPerSecond / 1000;
    for (const r of results) {
      // ffmpeg -re sends the file's bytes in real time, in RTMP chunks (their headers on top)
      expect(r.kbPerS).toBeGreaterThan(clipKbPerS * 0.8);
      expect(r.kbPerS).toBeLessThan(clipKbPerS * 1.5);
      expect(r.readsPerS).toBeGreaterThan(10);
      expect(r.userMsPerS).toBeGreaterThan(0);
    }
  }, 120_000);
});
