// How the benchmark starts kayak-cast: through its bin, so the runtime flags of the shebang apply, as they do for
// `npx kayak-cast`. When extra node flags are wanted (--cpu-prof), the shebang is read and its environment and node
// flags are kept, with the extra flags after them.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The shebang `#!/usr/bin/env -S A=1 node --flag` as `{ env: { A: '1' }, nodeFlags: ['--flag'] }`; a shebang that
 * runs node directly (`#!/usr/bin/node --flag`) works too.
 */
export function readShebang(binPath) {
  const first = readFileSync(binPath, 'utf8').split('\n', 1)[0];
  if (!first.startsWith('#!')) return { env: {}, nodeFlags: [] };
  const words = first.slice(2).trim().split(/\s+/);
  const env = {};
  const nodeAt = words.findIndex((w) => /(^|\/)node$/.test(w));
  if (nodeAt < 0) throw new Error(`${binPath}: the shebang does not run node: ${first}`);
  for (const w of words.slice(0, nodeAt)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(w);
    if (m) env[m[1]] = m[2];
  }
  return { env, nodeFlags: words.slice(nodeAt + 1) };
}

/**
 * The command that starts `kayak-cast <args>`: `{ cmd, args, env }`.
 * - no options: the bin itself (its shebang applies);
 * - `replaceNodeFlags`: node with these flags instead of the shebang's (the shebang's environment stays);
 * - `cpuProfDir`: the same, plus `--cpu-prof --cpu-prof-dir=<dir>` (the profile is written when the process exits).
 */
export function kayakCommand(repoDir, args, { replaceNodeFlags = [], cpuProfDir = null } = {}) {
  const bin = join(repoDir, 'bin/kayak-cast.js');
  if (!replaceNodeFlags.length && !cpuProfDir) return { cmd: bin, args, env: process.env };
  const shebang = readShebang(bin);
  const flags = replaceNodeFlags.length ? replaceNodeFlags : shebang.nodeFlags;
  const prof = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [];
  return { cmd: process.execPath, args: [...flags, ...prof, bin, ...args], env: { ...process.env, ...shebang.env } };
}
