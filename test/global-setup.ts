import { readFileSync } from 'node:fs';
import { removeStaleScratchDirs, scratchDirOwners } from './helpers/media.js';
import { ensureBuilt } from './helpers/server.js';

/**
 * Builds dist/ once per test run when src changed since the last build, so the e2e tests drive the CLI that the
 * current sources produce. A failed build does not stop the run: unit and integration tests do not need dist, and
 * the e2e tests call requireBuilt() and fail with the compiler output.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const r = await ensureBuilt();
  if (!r.ok) console.warn(`[global-setup] the build failed; e2e tests will fail:\n${r.output}`);
  return teardown;
}

/**
 * Workers can be ended without running their exit handlers, so their scratch directories (clips, peer output) are
 * removed here, once our workers are gone. Directories of other live processes (another test run) are left alone.
 */
async function teardown(): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (scratchDirOwners().some((pid) => parentPid(pid) === process.pid) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  removeStaleScratchDirs();
}

/** The parent of `pid` from /proc (Linux), or undefined. */
function parentPid(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}
