import { expect } from 'vitest';
import { mediaFrames } from './media.js';
import { type HttpFlvViewer, waitForVideoFrames } from './players.js';
import type { ManagedProcess } from './processes.js';

/**
 * The check hostile-input tests make after each attack: the steady publisher and viewer are still going (more
 * frames arrive, nobody was disconnected).
 */
export async function expectSteadyStreamUnharmed(publisher: ManagedProcess, watcher: HttpFlvViewer): Promise<void> {
  const before = mediaFrames(watcher.tags, 'video').length;
  await waitForVideoFrames(watcher, before + 10, 10_000);
  expect(publisher.exit, publisher.output()).toBeNull();
  expect(watcher.finish).toBeUndefined();
}
