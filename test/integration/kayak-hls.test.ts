import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeClip } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { ffprobeStreams, httpRequest, publishFfmpeg } from '../helpers/players.js';
import { trackProcesses } from '../helpers/processes.js';
import { type RunningKayak, startKayak, waitForLive } from '../helpers/server.js';

describeWithPeers(['ffmpeg', 'ffprobe'], 'HLS from kayak-cast', () => {
  trackProcesses();
  let kayak: RunningKayak;

  beforeAll(async () => {
    const clip = await makeClip({ seconds: 5, width: 640, height: 360, fps: 25, gopSeconds: 1 });
    kayak = await startKayak();
    publishFfmpeg(kayak.rtmpUrl('movie'), clip, { loop: true });
    await waitForLive(kayak, 'movie');
  }, 60_000);

  afterAll(async () => {
    await kayak?.stop();
  });

  it('serves playlists', async () => {
    const master = await httpRequest('GET', kayak.httpUrl('/live/movie.m3u8'));
    console.log(master.status, master.headers, master.body);
    const media = await httpRequest('GET', kayak.httpUrl('/live/movie/index.m3u8'));
    console.log(media.status, media.headers, media.body);
    const streams = await ffprobeStreams(kayak.httpUrl('/live/movie.m3u8'));
    console.log(streams.map((s) => [s.codec_name, s.width, s.sample_rate]));
  });
});
