import { getEventListeners } from 'node:events';
import { expect, it } from 'vitest';
import { normalizeCommand } from '../../src/playout/normalize-command.js';
import { runFfmpeg } from '../../src/playout/ffmpeg-run.js';
import { silentLogger } from '../../src/util/logger.js';
import { describeWithPeers } from '../helpers/peers.js';
import { trackProcesses } from '../helpers/processes.js';

const PROFILE = { width: 160, height: 120, fps: 25, videoBitrate: 100_000, audioBitrate: 64_000, sampleRate: 48_000 };

describeWithPeers(['ffmpeg'], 'runFfmpeg over a long show', () => {
  trackProcesses();

  it("lets go of the show's abort signal once each ffmpeg is done (a looping show runs thousands)", async () => {
    const show = new AbortController();
    for (let i = 0; i < 3; i++) {
      const run = runFfmpeg('ffmpeg', normalizeCommand({ kind: 'generated', pattern: 'testsrc2' }, 0, 0.2, PROFILE), silentLogger, show.signal);
      run.stdout.resume();
      await run.done;
    }
    // Each listener's closure holds its ffmpeg (child process, streams, output): none may stay behind.
    expect(getEventListeners(show.signal, 'abort')).toHaveLength(0);
  });
});
