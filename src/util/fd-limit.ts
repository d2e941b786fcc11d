import { readFileSync } from 'node:fs';

/**
 * The process's soft limit on open file descriptors (`ulimit -n`), read from /proc/self/limits on Linux. Node has no
 * getrlimit; elsewhere this returns undefined and callers keep their own default.
 */
export function openFileLimit(read: () => string = () => readFileSync('/proc/self/limits', 'utf8')): number | undefined {
  let text: string;
  try {
    text = read();
  } catch {
    return undefined;
  }
  // "Max open files            1024                 1048576              files"
  const match = /^Max open files\s+(\d+|unlimited)\s/m.exec(text);
  if (match === null) return undefined;
  return match[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[1]);
}
