import { afterEach, describe, expect, it } from 'vitest';
import { ChannelHub } from '../../../src/media/channel-hub.js';
import { DEFAULT_HLS_OPTIONS, HlsStreams, type HlsOptions } from '../../../src/server/hls-streams.js';
import { silentLogger } from '../../../src/util/logger.js';
import { aacFrame, audioHeader, videoFrame, videoHeader } from '../../helpers/media-packets.js';

/** The segmenters' lifecycle on a real ChannelHub fed with hand-built packets, on a clock the test moves. */
describe('HlsStreams', () => {
  let now = 0;
  const clock = { now: () => 1_800_000_000_000 + now, monotonic: () => now };
  const made: HlsStreams[] = [];

  afterEach(() => {
    for (const streams of made.splice(0)) streams.close();
  });

  function setup(options: Partial<HlsOptions> = {}) {
    now = 0;
    const hub = new ChannelHub({ graceMs: 1_000, clock, onEvent: () => {} });
    const streams = new HlsStreams({ hub, clock, logger: silentLogger, options: { ...DEFAULT_HLS_OPTIONS, ...options } });
    made.push(streams);
    const channel = hub.publish('live', 'k', 'test') as NonNullable<ReturnType<ChannelHub['publish']>>;
    channel.pushVideo(0, videoHeader(0).payload);
    channel.pushAudio(0, audioHeader(0).payload);
    /** 25 fps with a keyframe a second, audio every 23 ms. */
    const play = (from: number, ms: number) => {
      for (let t = from; t < from + ms; t += 40) {
        now = t;
        channel.pushVideo(t, videoFrame(t, t % 1000 === 0).payload);
        channel.pushAudio(t + 5, aacFrame(t + 5).payload);
      }
    };
    return { hub, streams, channel, play };
  }

  it('serves a new segmenter once it has three segments, and counts the client', async () => {
    const { streams, channel, play } = setup();
    play(0, 1_000);
    const stream = streams.touch(channel, 'a', true);
    await streams.segmenterLoaded();
    const waiting = streams.waitUntilPlayable(stream, new AbortController().signal);
    let result: string | undefined;
    void waiting.then((r) => (result = r));
    play(1_000, 5_000);
    await Promise.resolve();
    expect(result).toBeUndefined();
    play(6_000, 1_000);
    expect(await waiting).toBe('ready');
    expect(stream.segmenter?.window.segments.length).toBe(3);
    expect(streams.clientCount(channel)).toBe(1);
    expect(streams.windowBytes(channel)).toBeGreaterThan(0);
  });

  it('tells a waiting request at once when the channel ends', async () => {
    const { hub, streams, channel, play } = setup();
    play(0, 1_000);
    const stream = streams.touch(channel, 'a', true);
    await streams.segmenterLoaded();
    const waiting = streams.waitUntilPlayable(stream, new AbortController().signal);
    hub.close('the server is stopping');
    expect(await waiting).toBe('gone');
  });

  it('starts the first segmenter once its code has loaded, and tells the waiters at once when the channel ended meanwhile', async () => {
    const first = setup();
    first.play(0, 1_000);
    const stream = first.streams.touch(first.channel, 'a', true);
    expect(stream.segmenter).toBeUndefined();
    await first.streams.segmenterLoaded();
    expect(stream.segmenter).toBeDefined();

    const second = setup();
    second.play(0, 1_000);
    const waiting = second.streams.waitUntilPlayable(second.streams.touch(second.channel, 'a', true), new AbortController().signal);
    second.hub.close('the server is stopping');
    const started = performance.now();
    expect(await waiting).toBe('gone');
    expect(performance.now() - started).toBeLessThan(DEFAULT_HLS_OPTIONS.firstPlaylistWaitMs / 2);
  });

  it(`refuses waiters past maxWaitingRequests (default ${DEFAULT_HLS_OPTIONS.maxWaitingRequests})`, async () => {
    const { streams, channel, play } = setup({ maxWaitingRequests: 2 });
    play(0, 1_000);
    const stream = streams.touch(channel, 'a', true);
    await streams.segmenterLoaded();
    const aborts = [new AbortController(), new AbortController()];
    const first = aborts.map((a) => streams.waitUntilPlayable(stream, a.signal));
    expect(await streams.waitUntilPlayable(stream, new AbortController().signal)).toBe('busy');
    for (const a of aborts) a.abort();
    expect(await Promise.all(first)).toEqual(['gone', 'gone']);
    expect(stream.waiters.size).toBe(0);
  });

  it('gives what there is after firstPlaylistWaitMs, and a timeout when there is nothing', async () => {
    const { streams, channel, play } = setup({ firstPlaylistWaitMs: 50 });
    const stream = streams.touch(channel, 'a', true);
    expect(await streams.waitUntilPlayable(stream, new AbortController().signal)).toBe('timeout');
    play(0, 2_100);
    expect(stream.segmenter?.window.segments.length).toBe(1);
    expect(await streams.waitUntilPlayable(stream, new AbortController().signal)).toBe('ready');
  });
});
