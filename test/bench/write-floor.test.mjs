// bench/write-floor.mjs sets kayak-cast's user-space CPU per GB beside Node's own cost for the same writes: both
// writers must deliver the stream's rate to every reader, one write per viewer per video frame, or the comparison
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

describeWithPeers(['ffmpeg', 'ffprobe'], 'bench/write-floor.mjs', () => {
  let clip;

  beforeAll(async () => {
    await requireBuilt();
    clip = await makeClip({ seconds: 4, width: 320, height: 240, fps: 25, gopSeconds: 1, audioRate: 48_000 });
  }, 240_000);

  it('the floor and kayak-cast both deliver the clip to every reader, one write a viewer a frame', async () => {
    const viewers = 20;
    const { stdout } = await run(process.execPath, [
      'bench/write-floor.mjs', '--clip', clip, '--viewers', String(viewers), '--seconds', '3', '--settle', '1', '--rounds', '1',
    ], { timeout: 90_000 });
    const jsonPath = /raw: (\S+)/.exec(stdout)?.[1];
    expect(jsonPath).toBeDefined();
    const { results } = JSON.parse(readFileSync(jsonPath, 'utf8'));
    expect(results.map((r) => r.target)).toEqual(['floor', 'kayak']);
    const { bytesPerSecond, fps } = probeClip(clip);
    const clipMbps = (bytesPerSecond * 8) / 1e6;
    for (const r of results) {
      // each reader gets the stream's rate (kayak-cast: the FLV tags, their headers on top of the file's bytes)
      expect(r.mbpsPerViewer).toBeGreaterThan(clipMbps * 0.8);
      expect(r.mbpsPerViewer).toBeLessThan(clipMbps * 1.3);
      // a write per viewer per video frame, give or take the window's edges (kayak-cast may add one for audio alone)
      expect(r.writesPerViewerS).toBeGreaterThan(fps * 0.8);
      expect(r.writesPerViewerS).toBeLessThan(fps * 1.6);
      expect(r.userPerGb).toBeGreaterThan(0);
      expect(r.threads.main).toBeDefined();
    }
  }, 120_000);
});
