import { describe, expect, it } from 'vitest';
import { terminalProgress } from '../../../src/cli/probe-progress.js';

function fakeStream(isTTY: boolean, columns = 30) {
  const written: string[] = [];
  return { stream: { isTTY, columns, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream, written };
}

describe('probing progress', () => {
  it('rewrites one line on a terminal, cut to its width, and clears it when done', () => {
    const { stream, written } = fakeStream(true);
    const progress = terminalProgress(stream);
    progress.onProgress?.({ number: 12, total: 40, name: 'Amélie.mkv' });
    progress.onProgress?.({ number: 13, total: 40, name: 'The.Big.Lebowski.1998.1080p.mkv' });
    progress.done();
    expect(written).toEqual(['\r\x1b[2Kprobing 12/40: Amélie.mkv', '\r\x1b[2Kprobing 13/40: The.Big.Lebow…', '\r\x1b[2K']);
  });

  it('prints nothing on a pipe', () => {
    const { stream, written } = fakeStream(false);
    const progress = terminalProgress(stream);
    expect(progress.onProgress).toBeUndefined();
    progress.done();
    expect(written).toEqual([]);
  });
});
