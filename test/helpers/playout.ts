import { PacedPlayout, type PacedPlayoutOptions } from '../../src/playout/paced-playout.js';
import { systemClock } from '../../src/util/clock.js';
import { type HttpFlvViewer, httpFlvView } from './players.js';
import type { RunningKayak } from './server.js';

/**
 * A paced playout into a fresh channel `live/<key>` of `kayak`, with an HTTP-FLV viewer already connected (so it sees
 * the stream from its first frame): what the playout integration tests start from.
 */
export async function playoutOnChannel(
  kayak: RunningKayak,
  key: string,
  options: Omit<PacedPlayoutOptions, 'ffmpegPath' | 'sink' | 'clock' | 'logger'>,
  viewerOptions: { keepBytes?: boolean } = {},
): Promise<{ playout: PacedPlayout; viewer: HttpFlvViewer }> {
  const channel = kayak.server.hub.publish('live', key, 'playout');
  if (channel === undefined) throw new Error(`could not claim live/${key}`);
  const viewer = httpFlvView(kayak.flvUrl(key), viewerOptions);
  await viewer.response;
  const playout = new PacedPlayout({ ffmpegPath: 'ffmpeg', sink: channel, clock: systemClock, logger: kayak.logger, ...options });
  return { playout, viewer };
}
