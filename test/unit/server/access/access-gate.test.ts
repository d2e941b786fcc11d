import { describe, expect, it } from 'vitest';
import { type AccessConfig, defaultAccess } from '../../../../src/server/access/access-config.js';
import { AccessGate, MAX_REFUSAL_LINES_PER_MINUTE } from '../../../../src/server/access/access-gate.js';
import type { ViewerLoad } from '../../../../src/server/access/admission.js';
import type { Clock } from '../../../../src/util/clock.js';

function gate(patch: Partial<AccessConfig> = {}, load: ViewerLoad = { viewers: 0, committedBps: 0, streamBps: 0 }) {
  let monotonic = 0;
  const clock: Clock = { now: () => Date.parse('2026-11-27T20:00:00Z') + monotonic, monotonic: () => monotonic };
  const lines: string[] = [];
  const g = new AccessGate({
    config: { ...defaultAccess(), ...patch },
    clock,
    logger: { log: (_level, message) => lines.push(message) },
    streams: () => [],
    load: () => load,
  });
  return { g, lines, advance: (ms: number) => (monotonic += ms) };
}

describe('AccessGate', () => {
  it('caps connections per address and frees a slot when one closes', () => {
    const { g, lines } = gate({ maxConnectionsPerIp: 2 });
    const a = g.admitConnection('203.0.113.9', 'rtmp');
    const b = g.admitConnection('::ffff:203.0.113.9', 'http');
    expect(a.allow && b.allow).toBe(true);
    expect(g.openFrom('203.0.113.9')).toBe(2);
    expect(g.admitConnection('203.0.113.9', 'rtmp')).toMatchObject({ allow: false, reason: 'max-connections-per-ip' });
    expect(g.admitConnection('198.51.100.1', 'rtmp').allow).toBe(true);
    if (a.allow) {
      a.release();
      a.release(); // twice is once
    }
    expect(g.openFrom('203.0.113.9')).toBe(1);
    expect(g.admitConnection('203.0.113.9', 'rtmp').allow).toBe(true);
    expect(lines).toEqual(['rtmp 203.0.113.9: refused (max-connections-per-ip): too many connections from 203.0.113.9 (2 at most)']);
    expect(g.status().refusals).toEqual({ 'max-connections-per-ip': 1 });
  });

  it('does not cap a trusted reverse proxy', () => {
    const { g } = gate({ maxConnectionsPerIp: 1 });
    for (let i = 0; i < 5; i++) expect(g.admitConnection('127.0.0.1', 'http').allow).toBe(true);
    expect(g.admitConnection('127.0.0.2', 'http').allow).toBe(true);
    expect(g.admitConnection('127.0.0.2', 'http').allow).toBe(false);
  });

  it('asks admission only of viewers the show lets in', () => {
    const full = { viewers: 5, committedBps: 0, streamBps: 0 };
    const { g } = gate({ maxViewers: 5, playSecret: 'play-secret-5678' }, full);
    const request = { app: 'live', key: 'movie', address: '203.0.113.9', credentials: {} };
    expect(g.play(request, 'http-flv')).toMatchObject({ reason: 'private-show' });
    expect(g.play({ ...request, credentials: { secret: 'play-secret-5678' } }, 'http-flv')).toMatchObject({ reason: 'max-viewers', retryAfterS: 15 });
    expect(g.status().refusals).toEqual({ 'private-show': 1, 'max-viewers': 1 });
  });

  it(`logs at most ${MAX_REFUSAL_LINES_PER_MINUTE} refusals a minute, then says how many it left out`, () => {
    const { g, lines, advance } = gate({ maxConnectionsPerIp: 0 });
    for (let i = 0; i < MAX_REFUSAL_LINES_PER_MINUTE + 25; i++) g.admitConnection('203.0.113.9', 'rtmp');
    expect(lines).toHaveLength(MAX_REFUSAL_LINES_PER_MINUTE);
    advance(60_000);
    g.admitConnection('203.0.113.9', 'rtmp');
    expect(lines.slice(MAX_REFUSAL_LINES_PER_MINUTE)).toEqual([
      '25 more refusals in the last minute were not logged (see the status for counts)',
      'rtmp 203.0.113.9: refused (max-connections-per-ip): too many connections from 203.0.113.9 (0 at most)',
    ]);
    expect(g.status().refusals['max-connections-per-ip']).toBe(MAX_REFUSAL_LINES_PER_MINUTE + 26);
  });

  it('reports the configuration without any secret', () => {
    const { g } = gate({ publishSecret: 'publish-secret-1234', playSecret: 'play-secret-5678', maxBandwidthBps: 8_000_000 });
    const status = g.status();
    expect(status).toMatchObject({ privateShow: true, publishSecret: true, publishAllow: ['127.0.0.0/8', '::1/128'] });
    expect(status.limits).toEqual({ maxViewers: null, maxBandwidth: 8_000_000, maxConnectionsPerIp: 20, maxConnections: null });
    expect(JSON.stringify(status)).not.toMatch(/secret-/);
  });
});
