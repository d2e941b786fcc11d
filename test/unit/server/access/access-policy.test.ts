import { describe, expect, it } from 'vitest';
import { type AccessConfig, checkSecret, defaultAccess } from '../../../../src/server/access/access-config.js';
import { decidePlay, decidePublish, type ExistingStream, type StreamRequest } from '../../../../src/server/access/access-policy.js';
import { decideAdmission, decideConnection } from '../../../../src/server/access/admission.js';
import { credentialsFrom } from '../../../../src/server/access/credentials.js';
import { NetworkList } from '../../../../src/server/access/networks.js';
import { signPath } from '../../../../src/server/access/signed-token.js';

const NOW = Date.parse('2026-11-27T20:00:00Z');
const SECRET = 'publish-secret-1234';
const PLAY = 'play-secret-5678';

function config(patch: Partial<AccessConfig> = {}): AccessConfig {
  return { ...defaultAccess(), publishSecret: SECRET, ...patch };
}

function request(patch: Partial<StreamRequest> = {}): StreamRequest {
  return { app: 'live', key: 'movie', address: '127.0.0.1', credentials: {}, ...patch };
}

const none: ExistingStream[] = [];

describe('decidePublish', () => {
  it('lets loopback publish by default, and nobody else without credentials', () => {
    expect(decidePublish(request(), config(), none, NOW)).toEqual({ allow: true, via: 'trusted-network' });
    expect(decidePublish(request({ address: '::1' }), config(), none, NOW)).toMatchObject({ allow: true });
    const stranger = decidePublish(request({ address: '203.0.113.9' }), config(), none, NOW);
    expect(stranger).toMatchObject({ allow: false, reason: 'publish-not-allowed' });
    expect(stranger.allow === false && stranger.message).toMatch(/203\.0\.113\.9 may not publish here: present the publish secret/);
    const noSecret = decidePublish(request({ address: '203.0.113.9' }), config({ publishSecret: undefined }), none, NOW);
    expect(noSecret.allow === false && noSecret.message).toMatch(/allowed networks only/);
  });

  it('takes the secret from the key, the app or the tcUrl query', () => {
    const remote = { address: '203.0.113.9' };
    for (const credentials of [credentialsFrom(`secret=${SECRET}`), credentialsFrom('', `secret=${SECRET}&x=1`), credentialsFrom(undefined, '', `a=b&secret=${SECRET}`)]) {
      expect(decidePublish(request({ ...remote, credentials }), config(), none, NOW)).toEqual({ allow: true, via: 'secret' });
    }
    expect(decidePublish(request({ ...remote, credentials: { secret: 'nope' } }), config(), none, NOW)).toMatchObject({ allow: false, reason: 'wrong-secret' });
  });

  it('publish-allow none makes loopback present the secret too', () => {
    const strict = config({ publishAllow: NetworkList.parse('none') });
    expect(decidePublish(request(), strict, none, NOW)).toMatchObject({ allow: false, reason: 'publish-not-allowed' });
    expect(decidePublish(request({ credentials: { secret: SECRET } }), strict, none, NOW)).toMatchObject({ allow: true, via: 'secret' });
  });

  it('accepts a valid signed link; refuses an expired, tampered or play link', () => {
    const remote = { address: '198.51.100.7' };
    const sign = signPath(SECRET, 'publish', 'live/movie', NOW / 1000 + 60);
    expect(decidePublish(request({ ...remote, credentials: { sign } }), config(), none, NOW)).toEqual({ allow: true, via: 'signed-link' });
    expect(decidePublish(request({ ...remote, credentials: { sign } }), config(), none, NOW + 61_000)).toMatchObject({ reason: 'link-expired' });
    expect(decidePublish(request({ ...remote, key: 'other', credentials: { sign } }), config(), none, NOW)).toMatchObject({ reason: 'link-invalid' });
    const playLink = signPath(SECRET, 'play', 'live/movie', NOW / 1000 + 60);
    expect(decidePublish(request({ ...remote, credentials: { sign: playLink } }), config(), none, NOW)).toMatchObject({ reason: 'link-invalid' });
    // A wrong secret next to a valid link: the link decides.
    expect(decidePublish(request({ ...remote, credentials: { secret: 'wrong', sign } }), config(), none, NOW)).toMatchObject({ allow: true });
  });

  it('refuses a live key and keys that only look like an existing one; a key in grace may come back', () => {
    const existing = [{ key: 'Good', live: true }, { key: 'resting', live: false }];
    expect(decidePublish(request({ key: 'Good' }), config(), existing, NOW)).toMatchObject({ reason: 'key-in-use' });
    expect(decidePublish(request({ key: 'good' }), config(), existing, NOW)).toMatchObject({ reason: 'look-alike-key' });
    expect(decidePublish(request({ key: 'ＧＯＯＤ' }), config(), existing, NOW)).toMatchObject({ reason: 'look-alike-key' });
    expect(decidePublish(request({ key: 'Resting' }), config(), existing, NOW)).toMatchObject({ reason: 'look-alike-key' });
    expect(decidePublish(request({ key: 'resting' }), config(), existing, NOW)).toMatchObject({ allow: true });
  });

  it('a returning publisher passes the same check as a new one', () => {
    const grace = [{ key: 'movie', live: false }];
    expect(decidePublish(request({ address: '203.0.113.9' }), config(), grace, NOW)).toMatchObject({ allow: false, reason: 'publish-not-allowed' });
    expect(decidePublish(request({ address: '203.0.113.9', credentials: { secret: SECRET } }), config(), grace, NOW)).toMatchObject({ allow: true });
  });

  it('names the key rule a key broke', () => {
    for (const [key, rule] of [['good ', 'edge-whitespace'], ['good\u200b', 'invisible-character'], ['a\u202eb', 'invisible-character'], ['a\u2066b', 'invisible-character'], ['a\u00a0b', 'unusual-space'], ['a\u0085b', 'control-character']] as const) {
      const decision = decidePublish(request({ key }), config(), none, NOW);
      expect(decision, JSON.stringify(key)).toMatchObject({ allow: false, reason: 'bad-key' });
      expect(decision.allow === false && decision.message).toContain(`(rule: ${rule})`);
    }
  });
});

describe('decidePlay', () => {
  it('is public without a play secret', () => {
    expect(decidePlay(request({ address: '203.0.113.9' }), config(), NOW)).toEqual({ allow: true, via: 'public' });
  });

  it('a private show needs the play secret or a signed play link, from anywhere, loopback included', () => {
    const show = config({ playSecret: PLAY });
    expect(decidePlay(request(), show, NOW)).toMatchObject({ allow: false, reason: 'private-show' });
    expect(decidePlay(request({ credentials: { secret: PLAY } }), show, NOW)).toMatchObject({ allow: true, via: 'secret' });
    // The publish secret is not the play secret.
    expect(decidePlay(request({ credentials: { secret: SECRET } }), show, NOW)).toMatchObject({ reason: 'wrong-secret' });
    const sign = signPath(PLAY, 'play', 'live/movie', NOW / 1000 + 3600);
    expect(decidePlay(request({ credentials: { sign } }), show, NOW)).toMatchObject({ allow: true, via: 'signed-link' });
    expect(decidePlay(request({ credentials: { sign } }), show, NOW + 3_601_000)).toMatchObject({ reason: 'link-expired' });
  });
});

describe('admission', () => {
  const limits = config({ maxViewers: 2, maxBandwidthBps: 8_000_000 });

  it('admits while the viewer cap allows', () => {
    expect(decideAdmission({ viewers: 1, committedBps: 0, streamBps: 0 }, limits)).toEqual({ allow: true });
    const full = decideAdmission({ viewers: 2, committedBps: 0, streamBps: 0 }, limits);
    expect(full).toMatchObject({ allow: false, reason: 'max-viewers', retryAfterS: 15 });
    expect(full.allow === false && full.message).toMatch(/the room is full: 2 of 2 viewers/);
  });

  it('admits while the upload budget holds one more copy of the stream', () => {
    const budget = config({ maxBandwidthBps: 8_000_000 });
    expect(decideAdmission({ viewers: 2, committedBps: 5_000_000, streamBps: 2_500_000 }, budget)).toEqual({ allow: true });
    const full = decideAdmission({ viewers: 3, committedBps: 7_500_000, streamBps: 2_500_000 }, budget);
    expect(full).toMatchObject({ allow: false, reason: 'max-bandwidth' });
    expect(full.allow === false && full.message).toMatch(/7\.50 Mb\/s of the 8\.00 Mb\/s upload budget is in use and this stream needs 2\.50 Mb\/s/);
  });

  it('caps connections per address', () => {
    const capped = config({ maxConnectionsPerIp: 2 });
    expect(decideConnection('203.0.113.9', 1, capped)).toEqual({ allow: true });
    expect(decideConnection('203.0.113.9', 2, capped)).toMatchObject({ allow: false, reason: 'max-connections-per-ip' });
  });
});

describe('checkSecret', () => {
  it('wants a long secret of URL-safe characters', () => {
    expect(checkSecret('abcdefghijkl')).toBe('abcdefghijkl');
    expect(() => checkSecret('short')).toThrow(/12 to 256 characters/);
    expect(() => checkSecret('has space in it!')).toThrow(/only letters, digits/);
    expect(() => checkSecret('a&b=c?d#e/f%g')).toThrow(/only letters, digits/);
  });
});
