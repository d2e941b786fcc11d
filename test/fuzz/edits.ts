/**
 * A session is a list of writes (Buffers sent one `write` each). Mutations are planned as edits against the original
 * bytes and applied together: patches first (they keep every offset valid), then insertions from the back (so earlier
 * offsets stay valid), then a truncation, then edits of the write list itself (drop, duplicate, reorder, split).
 */

export type Edit =
  | { kind: 'patch'; at: number; bytes: Buffer }
  | { kind: 'insert'; at: number; bytes: Buffer }
  | { kind: 'truncate'; at: number }
  | { kind: 'writes'; apply: (writes: Buffer[]) => Buffer[] };

export function totalBytes(writes: readonly Buffer[]): number {
  return writes.reduce((n, w) => n + w.length, 0);
}

export function applyEdits(original: readonly Buffer[], edits: readonly Edit[]): Buffer[] {
  let writes = [...original];
  for (const e of edits) if (e.kind === 'patch') writes = patch(writes, e.at, e.bytes);
  const inserts = edits.filter((e): e is Extract<Edit, { kind: 'insert' }> => e.kind === 'insert').sort((a, b) => b.at - a.at);
  for (const e of inserts) writes = insert(writes, e.at, e.bytes);
  const cuts = edits.filter((e): e is Extract<Edit, { kind: 'truncate' }> => e.kind === 'truncate').map((e) => e.at);
  if (cuts.length > 0) writes = truncate(writes, Math.min(...cuts));
  // An edit of the write list may meet a list that a truncation emptied: what it makes of nothing is dropped.
  for (const e of edits) if (e.kind === 'writes' && writes.length > 0) writes = e.apply(writes).filter((w): w is Buffer => w !== undefined);
  return writes.filter((w) => w.length > 0);
}

/** Overwrites bytes at an absolute offset, across write boundaries; the touched writes are copied, never changed. */
function patch(writes: Buffer[], at: number, bytes: Buffer): Buffer[] {
  const out = [...writes];
  let base = 0;
  for (let i = 0; i < out.length && base < at + bytes.length; i++) {
    const w = out[i] as Buffer;
    const from = Math.max(at, base);
    const to = Math.min(at + bytes.length, base + w.length);
    if (from < to) {
      const copy = Buffer.from(w);
      bytes.copy(copy, from - base, from - at, to - at);
      out[i] = copy;
    }
    base += w.length;
  }
  return out;
}

/** Inserts `bytes` as a write of its own at an absolute offset (splitting the write it falls in). */
function insert(writes: Buffer[], at: number, bytes: Buffer): Buffer[] {
  let base = 0;
  for (let i = 0; i < writes.length; i++) {
    const w = writes[i] as Buffer;
    if (at <= base + w.length) {
      const cut = at - base;
      return [...writes.slice(0, i), w.subarray(0, cut), bytes, w.subarray(cut), ...writes.slice(i + 1)];
    }
    base += w.length;
  }
  return [...writes, bytes];
}

function truncate(writes: Buffer[], at: number): Buffer[] {
  const out: Buffer[] = [];
  let base = 0;
  for (const w of writes) {
    if (base >= at) break;
    out.push(w.subarray(0, Math.max(0, at - base)));
    base += w.length;
  }
  return out;
}
