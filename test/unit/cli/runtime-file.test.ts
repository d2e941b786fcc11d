import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRunningServer, removeRuntimeFile, stateDirectory, writeRuntimeFile } from '../../../src/cli/runtime-file.js';

const info = (pid: number, startedAt: string) => ({ pid, rtmpPort: 1935, httpPort: 8000, host: '0.0.0.0', app: 'live', startedAt });

describe('runtime file', () => {
  it('lives under XDG_STATE_HOME when set', () => {
    expect(stateDirectory({ XDG_STATE_HOME: '/tmp/state' })).toBe('/tmp/state/kayak-cast');
    expect(stateDirectory({})).toMatch(/\.local\/state\/kayak-cast$/);
  });

  it('finds the newest live server and cleans up stale files of dead pids', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kayak-state-'));
    writeRuntimeFile(info(process.pid, '2026-01-01T00:00:00.000Z'), dir);
    writeRuntimeFile(info(2 ** 22 + 12345, '2026-02-01T00:00:00.000Z'), dir); // above pid_max: never alive
    expect(findRunningServer(dir)?.pid).toBe(process.pid);
    expect(readdirSync(dir)).toEqual([`server-${process.pid}.json`]);
  });

  it('finds nothing in a missing directory or after removal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kayak-state-'));
    expect(findRunningServer(join(dir, 'nope'))).toBeUndefined();
    const file = writeRuntimeFile(info(process.pid, '2026-01-01T00:00:00.000Z'), dir);
    removeRuntimeFile(file);
    expect(findRunningServer(dir)).toBeUndefined();
  });
});

describe('runtime file permissions', () => {
  it('is 0600 in a 0700 directory, also when the directory existed with looser permissions', () => {
    const base = mkdtempSync(join(tmpdir(), 'kayak-state-'));
    const dir = join(base, 'kayak-cast');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const file = writeRuntimeFile({ ...info(process.pid, '2026-01-01T00:00:00.000Z'), adminToken: 'abc' }, dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Written again (a restart with the same pid), it is still 0600.
    chmodSync(file, 0o644);
    writeRuntimeFile(info(process.pid, '2026-01-01T00:00:00.000Z'), dir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(findRunningServer(dir)?.adminToken).toBeUndefined();
  });
});
