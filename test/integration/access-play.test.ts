import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signPath } from '../../src/server/access/signed-token.js';
import { makeClip, mediaFrames } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { type HttpFlvViewer, ffprobeStreams, httpFlvView, httpRequest, publishFfmpeg, rtmpdumpPlay, waitForVideoFrames } from '../helpers/players.js';
import { sleep, trackProcesses, waitFor } from '../helpers/processes.js';
import { type RunningKayak, startKayak, waitForLive } from '../helpers/server.js';
import { wsRefusalAnswer, wsView } from '../helpers/ws-client.js';

/**
 * Who may watch and how many: a private show on every play path (RTMP, HTTP-FLV, WS-FLV, the watch page) with the
 * secret or a signed link; a viewer cap and an upload budget that turn the next viewer away with 503 / Play.Failed
 * while the admitted ones keep every frame; a per-address connection cap.
 */

const PLAY = 'play-secret-for-tests-5678';

/** ffprobe's error for a refused RTMP play (it prints the server's onStatus description). */
async function rtmpRefusal(url: string): Promise<string> {
  try {
    await ffprobeStreams(url, 15_000);
  } catch (error) {
    return String(error);
  }
  throw new Error(`${url} was played`);
}

describeWithPeers(['ffmpeg', 'ffprobe', 'rtmpdump'], 'a private show', () => {
  trackProcesses();
  let kayak: RunningKayak;
  const viewers: HttpFlvViewer[] = [];
  const inADay = () => Date.now() / 1000 + 86_400;

  beforeAll(async () => {
    const clip = await makeClip({ seconds: 4, width: 320, height: 240, fps: 25 });
    kayak = await startKayak({ access: { playSecret: PLAY } });
    publishFfmpeg(kayak.rtmpUrl('show'), clip, { loop: true });
    await waitForLive(kayak, 'show');
  }, 60_000);

  afterEach(() => {
    for (const viewer of viewers.splice(0)) viewer.close();
  });

  afterAll(async () => {
    await kayak?.stop();
  });

  it('HTTP-FLV: 403 without credentials or with an expired link; plays with the secret or a signed link', async () => {
    const bare = await httpRequest('GET', kayak.flvUrl('show'));
    expect(bare.status).toBe(403);
    expect(bare.headers['x-kayak-refusal']).toBe('private-show');
    expect(bare.body).toMatch(/this show is private/);
    const expired = signPath(PLAY, 'play', 'live/show', Date.now() / 1000 - 5);
    expect((await httpRequest('GET', `${kayak.flvUrl('show')}?sign=${expired}`)).headers['x-kayak-refusal']).toBe('link-expired');
    for (const query of [`secret=${PLAY}`, `sign=${signPath(PLAY, 'play', 'live/show', inADay())}`]) {
      const viewer = httpFlvView(`${kayak.flvUrl('show')}?${query}`);
      viewers.push(viewer);
      await waitForVideoFrames(viewer, 10);
    }
  });

  it('WebSocket-FLV: refused without, plays with a signed link', async () => {
    const url = `ws://127.0.0.1:${kayak.httpPort}/live/show.flv`;
    const answer = await wsRefusalAnswer(url);
    expect(answer.status).toBe(403);
    expect(answer.headers['x-kayak-refusal']).toBe('private-show');
    const view = wsView(`${url}?sign=${signPath(PLAY, 'play', 'live/show', inADay())}`);
    await waitFor(() => mediaFrames(view.walker.tags, 'video').length >= 10, { timeoutMs: 15_000, what: 'frames over WebSocket-FLV' });
    view.ws.close();
  });

  it('RTMP: refused without (ffprobe), plays with the signed link in the key (ffprobe) or the secret (rtmpdump)', async () => {
    expect(await rtmpRefusal(kayak.rtmpUrl('show'))).toMatch(/this show is private/);
    const streams = await ffprobeStreams(`${kayak.rtmpUrl('show')}?sign=${signPath(PLAY, 'play', 'live/show', inADay())}`);
    expect(streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
    const dump = await rtmpdumpPlay(`${kayak.rtmpUrl('show')}?secret=${PLAY}`, 3);
    expect(mediaFrames(dump.tags, 'video').length, dump.stderr).toBeGreaterThan(10);
  }, 60_000);

  it('the watch page needs the link too; the index lists the show without its URLs', async () => {
    expect((await httpRequest('GET', kayak.httpUrl('/live/show.html'))).status).toBe(403);
    const page = await httpRequest('GET', kayak.httpUrl(`/live/show.html?sign=${signPath(PLAY, 'play', 'live/show', inADay())}`));
    expect(page.status).toBe(200);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const index = await httpRequest('GET', kayak.httpUrl('/'));
    expect(index.body).toMatch(/private/);
  });

  it('no secret or link reaches the log or the status; refusals are counted', () => {
    const everything = `${kayak.logger.text()}\n${JSON.stringify(kayak.server.status.snapshot())}`;
    expect(everything).not.toContain(PLAY);
    expect(everything).not.toMatch(/sign=\d+-[0-9a-f]{64}/);
    const refusals = kayak.server.status.snapshot().access?.refusals ?? {};
    expect(refusals['private-show']).toBeGreaterThanOrEqual(4);
    expect(refusals['link-expired']).toBe(1);
  });
});

describeWithPeers(['ffmpeg', 'ffprobe'], 'admission', () => {
  trackProcesses();
  let clip: string;

  beforeAll(async () => {
    clip = await makeClip({ seconds: 4, width: 320, height: 240, fps: 25 });
  });

  it('--max-viewers 2 turns the third away with 503 and Retry-After (RTMP: NetStream.Play.Failed); a seat that frees up is taken', async () => {
    const kayak = await startKayak({ access: { maxViewers: 2 } });
    try {
      publishFfmpeg(kayak.rtmpUrl('room'), clip, { loop: true });
      await waitForLive(kayak, 'room');
      const seated = [httpFlvView(kayak.flvUrl('room')), httpFlvView(kayak.flvUrl('room'))];
      await Promise.all(seated.map((v) => waitForVideoFrames(v, 5)));
      const third = await httpRequest('GET', kayak.flvUrl('room'));
      expect(third.status).toBe(503);
      expect(third.headers['retry-after']).toBe('15');
      expect(third.headers['x-kayak-refusal']).toBe('max-viewers');
      expect(third.body.trim()).toBe('the room is full: 2 of 2 viewers are watching; try again later');
      expect(await rtmpRefusal(kayak.rtmpUrl('room'))).toMatch(/the room is full/);
      expect((await wsRefusalAnswer(`ws://127.0.0.1:${kayak.httpPort}/live/room.flv`)).status).toBe(503);
      // HEAD asks without taking a seat or counting a refusal.
      expect((await httpRequest('HEAD', kayak.flvUrl('room'))).status).toBe(503);
      expect(kayak.server.status.snapshot().access?.refusals['max-viewers']).toBe(3);

      seated[0]?.close();
      await waitFor(() => kayak.server.status.snapshot().viewers.length === 1, { what: 'the seat to free up' });
      const next = httpFlvView(kayak.flvUrl('room'));
      await waitForVideoFrames(next, 5);
      next.close();
      seated[1]?.close();
    } finally {
      await kayak.stop();
    }
  }, 60_000);

  it('an upload budget admits viewers while their bitrate fits, refuses the next, and the admitted keep every frame', async () => {
    const kayak = await startKayak();
    try {
      publishFfmpeg(kayak.rtmpUrl('budget'), clip, { loop: true });
      await waitForLive(kayak, 'budget');
      // Wait for the incoming bitrate's 5-second average, then set the budget to two and a half copies of it.
      const bitrate = await waitFor(() => {
        const s = kayak.server.status.snapshot().streams.find((x) => x.key === 'budget');
        return s !== undefined && s.bitrateIn > 0 && Date.now() - Date.parse(s.since) > 6_000 ? s.bitrateIn : undefined;
      }, { timeoutMs: 20_000, what: 'the stream bitrate' });
      kayak.server.access.config.maxBandwidthBps = Math.round(bitrate * 2.5);
      const admitted = [httpFlvView(kayak.flvUrl('budget')), httpFlvView(kayak.flvUrl('budget'))];
      await Promise.all(admitted.map((v) => waitForVideoFrames(v, 5)));
      const third = await httpRequest('GET', kayak.flvUrl('budget'));
      expect(third.status, third.body).toBe(503);
      expect(third.headers['x-kayak-refusal']).toBe('max-bandwidth');
      expect(third.body).toMatch(/upload budget is in use and this stream needs/);
      expect(await rtmpRefusal(kayak.rtmpUrl('budget'))).toMatch(/the room is full/);

      // Full rate for the admitted: over the next seconds both receive the same frames, and none is dropped.
      const start = mediaFrames(admitted[0]?.tags ?? [], 'video').length;
      await waitForVideoFrames(admitted[0] as HttpFlvViewer, start + 75, 15_000);
      await sleep(500);
      const stamps = (v: HttpFlvViewer) => mediaFrames(v.tags, 'video').map((t) => t.timestamp);
      const [a, b] = admitted.map(stamps) as [number[], number[]];
      const common = a.filter((t) => t >= (b[0] ?? 0) && t <= (b.at(-1) ?? 0));
      expect(common.length).toBeGreaterThan(75);
      expect(b.filter((t) => t >= (common[0] ?? 0) && t <= (common.at(-1) ?? 0))).toEqual(common);
      expect(kayak.server.status.snapshot().viewers.map((v) => v.droppedFrames)).toEqual([0, 0]);
      for (const v of admitted) v.close();
    } finally {
      await kayak.stop();
    }
  }, 90_000);
});

describe('the per-address connection cap', () => {
  it('closes the third connection from one address at once, on both ports; a trusted proxy is not capped', async () => {
    const kayak = await startKayak({ access: { maxConnectionsPerIp: 2 } });
    const sockets: ReturnType<typeof connect>[] = [];
    const open = (port: number, localAddress: string) =>
      new Promise<{ closedWithin: (ms: number) => Promise<boolean> }>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port, localAddress });
        sockets.push(socket);
        const closed = new Promise<void>((done) => socket.once('close', () => done()));
        socket.on('error', () => {});
        socket.once('connect', () => resolve({ closedWithin: (ms) => Promise.race([closed.then(() => true), sleep(ms).then(() => false)]) }));
      });
    try {
      const first = await open(kayak.rtmpPort, '127.0.0.2');
      const second = await open(kayak.httpPort, '127.0.0.2');
      const third = await open(kayak.rtmpPort, '127.0.0.2');
      const fourth = await open(kayak.httpPort, '127.0.0.2');
      expect(await third.closedWithin(2_000)).toBe(true);
      expect(await fourth.closedWithin(2_000)).toBe(true);
      expect(await first.closedWithin(300)).toBe(false);
      expect(await second.closedWithin(10)).toBe(false);
      // 127.0.0.1 is where a reverse proxy on this machine connects from: not capped.
      const local = await Promise.all([0, 1, 2, 3].map(() => open(kayak.httpPort, '127.0.0.1')));
      for (const socket of local) expect(await socket.closedWithin(100)).toBe(false);
      expect(kayak.server.status.snapshot().access?.refusals['max-connections-per-ip']).toBe(2);
      expect(kayak.logger.text()).toMatch(/rtmp 127\.0\.0\.2: refused \(max-connections-per-ip\)/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await kayak.stop();
    }
  });
});
