import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { locateFfmpeg } from '../../src/playout/ffmpeg-locate.js';
import { ProbeError } from '../../src/playout/ffmpeg-probe.js';
import type { MediaProbe } from '../../src/playout/media-probe.js';
import { PROBE_CONCURRENCY, probeEach, progressLine } from '../../src/playout/probe-pool.js';
import { scratchSubdir } from '../helpers/media.js';
import { ffmpegTo } from '../helpers/movie-night.js';
import { describeWithPeers } from '../helpers/peers.js';
import { trackProcesses } from '../helpers/processes.js';

describeWithPeers(['ffmpeg', 'ffprobe'], 'probing many files', () => {
  trackProcesses();

  it('probes each file once, a few at a time, says which it is at, and skips what is already known', async () => {
    const dir = scratchSubdir('probe-pool');
    const clip = ['-f', 'lavfi', '-i', 'testsrc2=size=64x36:rate=5:duration=1', '-c:v', 'libx264', '-preset', 'ultrafast'];
    const files = await Promise.all(['Amélie.mkv', 'b.mp4', 'c.mp4', 'd.mp4', 'e.mp4', 'f.mp4'].map((name) => ffmpegTo(clip, join(dir, name))));
    const broken = join(dir, 'broken.mp4');
    writeFileSync(broken, 'no movie here');
    const cache = new Map<string, MediaProbe>();
    const lines: string[] = [];
    const tools = await locateFfmpeg();
    const first = await probeEach(tools, [...files.slice(0, 2), broken, files[0] as string], { cache, onProgress: (p) => lines.push(progressLine(p)) });
    expect(lines).toEqual(['probing 1/3: Amélie.mkv', 'probing 2/3: b.mp4', 'probing 3/3: broken.mp4']);
    expect(first[0]).toBe(first[3]);
    expect(first[2]).toBeInstanceOf(ProbeError);
    expect(cache.size).toBe(2);
    lines.length = 0;
    const all = await probeEach(tools, files, { cache, onProgress: (p) => lines.push(progressLine(p)) });
    expect(lines).toHaveLength(files.length - 2);
    expect(all.every((probe) => !(probe instanceof ProbeError) && probe.video?.width === 64)).toBe(true);
    expect(PROBE_CONCURRENCY).toBeLessThanOrEqual(4);
  });
});
