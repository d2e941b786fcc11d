import { describe, expect, it } from 'vitest';
import { publicView } from '../../../src/status/status-snapshot.js';
import { oneStreamWithViewers, scheduleStatus } from '../ui/fixtures.js';

describe('publicView', () => {
  it('keeps counts and titles, and drops every address, the push targets and the path of the file playing', () => {
    const snapshot = oneStreamWithViewers(3);
    snapshot.streams[0]!.relays = [
      { url: 'rtmp://edge/live/mov…', state: 'live', retryAt: null, retries: 0, lastError: null, bytesSent: 1, bitrate: 1, droppedFrames: 0, since: new Date(0).toISOString() },
    ];
    snapshot.schedule = scheduleStatus({
      nowPlaying: { title: 'Amélie', file: '/home/me/Movies/Amélie.mkv', startedAt: new Date(0).toISOString(), positionS: 1, durationS: 2, kind: 'file' },
    });
    const view = publicView(snapshot);
    expect(view.view).toBe('public');
    expect(view.viewers).toEqual([]);
    expect(view.streams[0]?.publisher?.address).toBeNull();
    expect(view.streams[0]?.relays).toEqual([]);
    expect(view.streams[0]?.viewers.total).toBe(3);
    expect(view.schedule?.nowPlaying?.title).toBe('Amélie');
    expect(JSON.stringify(view)).not.toContain('/home/me');
  });
});
