import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeClip } from '../helpers/media.js';
import { describeWithPeers } from '../helpers/peers.js';
import { type HttpFlvViewer, httpFlvView, httpRequest, publishFfmpeg, waitForVideoFrames } from '../helpers/players.js';
import type { ManagedProcess } from '../helpers/processes.js';
import { trackProcesses, waitFor } from '../helpers/processes.js';
import { type RunningKayak, startKayak, waitForLive } from '../helpers/server.js';
import { STATUS_VERSION, type StatusSnapshot } from '../../src/status/status-snapshot.js';

/**
 * The admin API: GETs read (addresses only for a local caller or the admin token), POSTs act and need the token
 * whoever sends them; CORS never lets another site read addresses or act.
 */

const TOKEN = 'admin-token-for-tests-0000';

describeWithPeers(['ffmpeg'], 'the admin API', () => {
  trackProcesses();
  let kayak: RunningKayak;
  let publisher: ManagedProcess;
  let viewer: HttpFlvViewer;
  const auth = { Authorization: `Bearer ${TOKEN}` };
  // What a request through a reverse proxy on this machine looks like: from loopback, with X-Forwarded-For.
  const proxied = { 'X-Forwarded-For': '203.0.113.9' };

  const request = (method: string, path: string, headers: Record<string, string> = {}) => httpRequest(method, kayak.httpUrl(path), { headers });
  const snapshotAs = async (headers: Record<string, string>) => {
    const r = await request('GET', '/api/status', headers);
    return { body: JSON.parse(r.body) as StatusSnapshot, cors: r.headers['access-control-allow-origin'] };
  };

  beforeAll(async () => {
    const clip = await makeClip({ seconds: 4, width: 320, height: 240, fps: 25 });
    kayak = await startKayak({ adminToken: TOKEN });
    publisher = publishFfmpeg(kayak.rtmpUrl('admin'), clip, { loop: true });
    await waitForLive(kayak, 'admin');
    viewer = httpFlvView(kayak.flvUrl('admin'));
    await waitForVideoFrames(viewer, 5);
  }, 60_000);

  afterAll(async () => {
    viewer?.close();
    await kayak?.stop();
  });

  it('/api/status: a local caller and the admin token see addresses; anyone else sees counts, with CORS', async () => {
    const local = await snapshotAs({});
    expect(local.body).toMatchObject({ version: STATUS_VERSION, view: 'full' });
    expect(local.body.viewers[0]?.remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(local.body.streams[0]?.publisher?.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(local.cors, 'addresses are never readable by another site').toBeUndefined();

    const outsider = await snapshotAs(proxied);
    expect(outsider.body.view).toBe('public');
    expect(outsider.body.viewers).toEqual([]);
    expect(outsider.body.streams[0]?.publisher?.address).toBeNull();
    expect(outsider.body.streams[0]?.viewers.total).toBe(1);
    expect(outsider.body.access?.publishAllow).toEqual([]);
    expect(outsider.cors).toBe('*');
    expect(JSON.stringify(outsider.body)).not.toMatch(/127\.0\.0\.1|203\.0\.113/);

    const withToken = await snapshotAs({ ...proxied, ...auth });
    expect(withToken.body.view).toBe('full');
    expect(withToken.body.viewers).toHaveLength(1);
    // A page that rebinds its own name to 127.0.0.1 is not a local caller.
    expect((await snapshotAs({ Host: 'evil.example:80' })).body.view).toBe('public');

    const stream = JSON.parse((await request('GET', '/api/streams/live/admin', proxied)).body) as Record<string, unknown>;
    expect(stream['viewerList']).toBeUndefined();
    expect((await request('GET', '/api/events', proxied)).status).toBe(403);
    const events = JSON.parse((await request('GET', '/api/events', auth)).body) as { events: { message: string }[] };
    expect(events.events.some((e) => /live\/admin: live/.test(e.message))).toBe(true);
    expect((JSON.parse((await request('GET', '/api/history', proxied)).body) as { history: unknown }).history).toBeDefined();
  });

  it('actions need the token, from anywhere (this machine included); no preflight allows them', async () => {
    for (const headers of [{}, { Authorization: 'Bearer wrong-token-wrong-token' }, proxied] as Record<string, string>[]) {
      const r = await request('POST', '/api/skip', headers);
      expect(r.status).toBe(401);
      expect(r.headers['x-kayak-refusal']).toBe('admin-token');
    }
    const preflight = await request('OPTIONS', '/api/skip', { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' });
    expect(preflight.headers['access-control-allow-methods']).not.toMatch(/POST/);
    expect(preflight.headers['access-control-allow-headers']).toBeUndefined();
    expect(kayak.server.status.snapshot().access?.refusals['admin-token']).toBe(3);
    // GET endpoints stay read-only.
    expect((await request('POST', '/api/status', auth)).status).toBe(405);
  });

  it('skip and shutdown answer 409 where the server has no playout or no way to stop', async () => {
    expect((await request('POST', '/api/skip', auth)).status).toBe(409);
    expect((await request('POST', '/api/shutdown', auth)).status).toBe(409);
    let skipped = 0;
    kayak.server.admin.onSkip(() => skipped++);
    expect((await request('POST', '/api/skip', auth)).status).toBe(200);
    expect(skipped).toBe(1);
    kayak.server.admin.onSkip(undefined);
  });

  it('kick disconnects a viewer and keeps its address out; stop-stream ends the stream and its publisher', async () => {
    const id = kayak.server.status.snapshot().viewers[0]?.id as string;
    expect((await request('POST', '/api/viewers/nobody-1/kick', auth)).status).toBe(404);
    const kicked = await request('POST', `/api/viewers/${id}/kick`, auth);
    expect(kicked.status, kicked.body).toBe(200);
    expect(await viewer.finished).toBe('end');
    const again = await httpRequest('GET', kayak.flvUrl('admin'));
    expect(again.status).toBe(403);
    expect(again.headers['x-kayak-refusal']).toBe('kicked');
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(500);

    const stopped = await request('POST', '/api/streams/live/admin/stop', auth);
    expect(stopped.status, stopped.body).toBe(200);
    await waitFor(() => publisher.exit !== null, { timeoutMs: 10_000, what: 'the publisher to be disconnected' });
    expect(kayak.server.status.snapshot().streams).toEqual([]);
    expect((await request('POST', '/api/streams/live/admin/stop', auth)).status).toBe(404);
    expect(kayak.logger.text()).not.toContain(TOKEN);
  });
});
