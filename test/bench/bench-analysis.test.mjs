// The benchmark's arithmetic (bench/*.mjs): CPU profile summaries, window statistics, the command that starts
// kayak-cast with extra node flags, the HLS viewer's playlist reading, and the issue-13 verdicts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { summarizeProfile } from '../../bench/cpuprofile-summary.mjs';
import { parseMediaPlaylist } from '../../bench/hls-viewer.mjs';
import { kayakCommand, readShebang } from '../../bench/kayak-launch.mjs';
import { limitVerdict } from '../../bench/measure.mjs';
import { issueTargets } from '../../bench/targets.mjs';
import { joinStats, summarizeWindow } from '../../bench/window-stats.mjs';

describe('summarizeProfile', () => {
  const frame = (functionName, url = '', lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0, scriptId: '0' });
  // (root) -> a -> b -> a (recursion); (root) -> (idle); (root) -> (garbage collector)
  const profile = {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 5, 6] },
      { id: 2, callFrame: frame('a', 'file:///x/a.js', 9), children: [3] },
      { id: 3, callFrame: frame('b', 'file:///x/b.js', 0), children: [4] },
      { id: 4, callFrame: frame('a', 'file:///x/a.js', 9), children: [] },
      { id: 5, callFrame: frame('(idle)'), children: [] },
      { id: 6, callFrame: frame('(garbage collector)'), children: [] },
    ],
    samples: [3, 4, 4, 5, 6, 2],
    timeDeltas: [10_000, 10_000, 10_000, 100_000, 5_000, 20_000],
  };

  it('splits idle from busy time and ranks self and inclusive time, counting recursion once', () => {
    const s = summarizeProfile(profile, 10);
    expect([s.totalMs, s.idleMs, s.busyMs]).toEqual([155, 100, 55]);
    const row = (list, fn) => list.find((r) => r.fn.startsWith(fn));
    expect(row(s.self, 'a ').ms).toBe(40);
    expect(row(s.self, 'b ').ms).toBe(10);
    expect(row(s.self, '(garbage collector)').ms).toBe(5);
    expect(row(s.inclusive, 'a ').ms).toBe(50); // 20 own at the outer frame + b's 10 + the inner a's 20
    expect(row(s.inclusive, 'b ').ms).toBe(30);
    expect(row(s.self, 'a ').pct).toBeCloseTo((100 * 40) / 55, 5);
    expect(s.self.some((r) => r.fn === '(idle)' || r.fn === '(root)')).toBe(false);
    expect(s.self[0].fn).toMatch(/^a .*a\.js:10$/); // line numbers are 0-based in the profile
  });
});

describe('summarizeWindow', () => {
  const snapshot = (at, viewers, cpu) => ({ at, viewers, playing: viewers.filter((v) => v[4] === 'playing').length, closeReasons: {}, cpuUserS: cpu, cpuSystemS: 0 });
  const a = [
    snapshot(1000, [['rtmp', 0, 0, 0, 'playing'], ['flv', 0, 0, 0, 'playing'], ['flv', 1, 0, 0, 'playing']], 1),
    snapshot(2000, [['ws', 1, 0, 5000, 'playing'], ['ws', 1, 0, -1, 'connecting']], 0),
  ];
  const b = [
    snapshot(11_000, [['rtmp', 0, 3_000_000, 10_000, 'playing'], ['flv', 0, 3_000_000, 9_500, 'playing'], ['flv', 1, 2_400_000, 10_000, 'playing']], 3),
    snapshot(12_000, [['ws', 1, 3_000_000, 15_000, 'playing'], ['ws', 1, 100, 10, 'playing']], 5),
  ];

  it('rates each viewer by its media time and its bytes, and the server by CPU per GB', () => {
    const w = summarizeWindow(a, b, { bytesPerSecond: 300_000 }, { userS: 1.2, sysS: 0.6 });
    expect(w.viewersPlayingStart).toBe(4); // the one still connecting at the start does not count
    expect(w.bytes).toBe(11_400_000);
    expect(w.worstViewer).toMatchObject({ protocol: 'flv', group: 0, media: 0.95 });
    expect(w.byProtocol.flv.worstBytesVsMedian).toBeCloseTo(2.4 / 2.7, 5);
    expect(w.worstBytesVsMedian).toBeCloseTo(2.4 / 2.7, 5);
    expect(w.byProtocol.rtmp.deliveredPct).toBeCloseTo(100, 5);
    expect(w.deliveredPct).toBeCloseTo((100 * 11_400_000) / (300_000 * 10 * 4), 5);
    expect(w.cpuUserSPerGB).toBeCloseTo(1.2 / 0.0114, 5);
    expect(w.cpuTotalSPerGB).toBeCloseTo(1.8 / 0.0114, 5);
    expect(w.load.map((l) => l.cpuPct)).toEqual([20, 50]);
    expect(w.byGroup[1].worstMedia).toBe(1);
  });

  it('says where the client side limits the run', () => {
    expect(limitVerdict({ loadCpuPctMax: 95, machineBusyPct: 60, cores: 2 })[0]).toMatch(/load-generator process used 95 %/);
    expect(limitVerdict({ loadCpuPctMax: 40, machineBusyPct: 99, cores: 2 })[0]).toMatch(/machine was 99 % busy/);
    expect(limitVerdict({ loadCpuPctMax: 40, machineBusyPct: 60, cores: 2 })[0]).toMatch(/no client-side limit/);
  });

  it('summarises join times, counting viewers that never got a keyframe', () => {
    expect(joinStats([10, 20, null, 40])).toMatchObject({ count: 4, ok: 3, medianMs: 20, maxMs: 40 });
  });
});

describe('kayakCommand', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kayak-bench-test-'));
  const SHEBANG = '#!/usr/bin/env -S MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072 node --max-semi-space-size=1\n';
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the environment and node flags of an env -S shebang, and of a direct one', () => {
    const p = join(dir, 'a.js');
    writeFileSync(p, `${SHEBANG}import x;\n`);
    expect(readShebang(p)).toEqual({ env: { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' }, nodeFlags: ['--max-semi-space-size=1'] });
    writeFileSync(p, '#!/usr/local/bin/node --a --b=2\n');
    expect(readShebang(p)).toEqual({ env: {}, nodeFlags: ['--a', '--b=2'] });
  });

  it("runs the bin itself without extra flags, and keeps the shebang's flags before --cpu-prof", () => {
    const repo = mkdtempSync(join(dir, 'repo-'));
    mkdirSync(join(repo, 'bin'));
    const binPath = join(repo, 'bin', 'kayak-cast.js');
    writeFileSync(binPath, SHEBANG);
    expect(kayakCommand(repo, ['serve'])).toMatchObject({ cmd: binPath, args: ['serve'] });
    const prof = kayakCommand(repo, ['serve'], { cpuProfDir: '/p' });
    expect(prof.cmd).toBe(process.execPath);
    expect(prof.args).toEqual(['--max-semi-space-size=1', '--cpu-prof', '--cpu-prof-dir=/p', binPath, 'serve']);
    expect(prof.env.MALLOC_ARENA_MAX).toBe('2');
    expect(prof.env.MALLOC_MMAP_THRESHOLD_).toBe('131072');
    expect(kayakCommand(repo, ['serve'], { replaceNodeFlags: ['--x'] }).args).toEqual(['--x', binPath, 'serve']);
  });
});

describe('parseMediaPlaylist', () => {
  it('finds the variants of a multivariant playlist', () => {
    const text = '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=2600000,RESOLUTION=1280x720\nbench/index.m3u8\n';
    expect(parseMediaPlaylist(text)).toMatchObject({ variants: ['bench/index.m3u8'], segments: [] });
  });

  it('numbers the segments of a live media playlist from its media sequence', () => {
    const text = '#EXTM3U\r\n#EXT-X-TARGETDURATION:2\r\n#EXT-X-MEDIA-SEQUENCE:41\r\n#EXTINF:2.000,\r\nab-41.ts\r\n#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00Z\r\n#EXTINF:1.967,\r\nab-42.ts\r\n';
    const list = parseMediaPlaylist(text);
    expect(list).toMatchObject({ targetS: 2, ended: false, variants: [] });
    expect(list.segments).toEqual([{ sequence: 41, uri: 'ab-41.ts', durationS: 2 }, { sequence: 42, uri: 'ab-42.ts', durationS: 1.967 }]);
  });
});

describe('issueTargets', () => {
  const window = (total, user, extra = {}) => ({ cpuTotalSPerGB: total, cpuUserSPerGB: user, ...extra });
  const row = (server, protocol, total, user, peakMB, joinMs, burstMs) => ({
    server, protocol, window: window(total, user), memory: { peakMB }, joins: { medianMs: joinMs, maxMs: joinMs, ok: 10 }, burst: { medianMs: burstMs, maxMs: burstMs, ok: 300, count: 300 },
  });

  it('judges kayak-cast against nginx-rtmp in the same run, and says n/a at another load', () => {
    const fanout = { suite: 'fanout', viewers: 300, rampS: 0, rows: [row('kayak-cast', 'rtmp', 1.6, 0.4, 60, 5, 80), row('kayak-cast', 'flv', 1.7, 0.5, 63, 5, 120), row('nginx-rtmp', 'rtmp', 2.3, 0.3, 12, 1500, 1500)] };
    const t = issueTargets([fanout]);
    const met = (re) => t.find((x) => re.test(x.target)).met;
    expect(met(/at most 0.8 x nginx/)).toBe(true);
    expect(met(/user-space/)).toBe(true);
    expect(met(/HTTP-FLV CPU s\/GB no higher/)).toBe(false);
    expect(met(/HTTP-FLV: 300 joining/)).toBe(false);
    expect(met(/RTMP: 300 joining/)).toBe(true);
    expect(issueTargets([{ ...fanout, viewers: 40 }]).find((x) => /0.8 x nginx/.test(x.target)).met).toBe(null);
  });
});
