import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, requireBuilt } from '../helpers/server.js';

const LOGGER = join(REPO_ROOT, 'dist', 'cli', 'line-logger.js');

/** Runs `body` (an ES module's text, with LineLogger and printLine imported from the build) in a fresh node. */
function runScript(body: string) {
  const script = `import { LineLogger, printLine } from ${JSON.stringify(LOGGER)};\n${body}`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } });
}

describe('log lines on stdout', () => {
  beforeAll(requireBuilt, 120_000);

  it('keeps log lines and printed lines in order, and writes the waiting ones on exit', () => {
    const r = runScript(`
      const logger = new LineLogger('info');
      for (let i = 0; i < 300; i++) logger.log('info', 'line ' + i);
      printLine('printed');
      logger.log('warn', 'last');
      process.exit(0); // before the loop's next turn: the exit flush writes them
    `);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(302);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d line 0$/);
    expect(lines[299]).toMatch(/ line 299$/);
    expect(lines[300]).toBe('printed');
    expect(lines[301]).toMatch(/ warn: last$/);
  });

  it('writes a turn of the event loop in one system call, and past the batch limit at once', () => {
    // strace is not everywhere; the write count is read from /proc/self/io, which counts write calls.
    const r = runScript(`
      import { readFileSync } from 'node:fs';
      const writes = () => Number(/syscw: (\\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))[1]);
      const logger = new LineLogger('info');
      const before = writes();
      for (let i = 0; i < 300; i++) logger.log('info', 'viewer ' + i + ' joined');
      const queued = writes() - before;
      setImmediate(() => {
        const oneTurn = writes() - before;
        const long = 'x'.repeat(1000);
        const start = writes();
        for (let i = 0; i < 200; i++) printLine(long);
        const big = writes() - start;
        process.stderr.write(JSON.stringify({ queued, oneTurn, big }));
      });
    `);
    expect(r.status).toBe(0);
    const counts = JSON.parse(r.stderr) as { queued: number; oneTurn: number; big: number };
    expect(counts.queued).toBe(0);
    expect(counts.oneTurn).toBe(1);
    // 200 KB of lines: written in 64 KiB batches as they fill, not held until the turn ends (a pipe may take a batch
    // in two writes).
    expect(counts.big).toBeGreaterThanOrEqual(3);
    expect(r.stdout.split('\n').filter((l) => l === 'x'.repeat(1000))).toHaveLength(200);
  });
});
