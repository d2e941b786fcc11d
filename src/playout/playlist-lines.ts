/**
 * Where a field of a YAML document is, for messages (`movies.yaml:12: items[2].in: ...`), and the "did you mean"
 * of an unknown field.
 */
import { isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Document, Node } from 'yaml';

/** `['items', 2, 'in']` → `items[2].in` */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/** Offset of the deepest node along `path` (the value when present, else its key, else the closest parent). */
export function nodeOffset(doc: Document, path: readonly PropertyKey[]): number | undefined {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((candidate) => isScalar(candidate.key) && candidate.key.value === segment);
      if (!pair) break;
      offset = rangeStart(pair.value) ?? rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      const start = isPair(item) ? rangeStart(item.key) : rangeStart(item);
      if (start === undefined) break;
      offset = start;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

export function keyOffset(doc: Document, path: readonly PropertyKey[], key: string): number | undefined {
  let node: unknown = doc.contents;
  for (const segment of path) {
    if (isMap(node)) node = node.items.find((pair) => isScalar(pair.key) && pair.key.value === segment)?.value;
    else if (isSeq(node) && typeof segment === 'number') node = node.items[segment];
    else return nodeOffset(doc, path);
  }
  if (!isMap(node)) return nodeOffset(doc, path);
  const pair = node.items.find((candidate) => isScalar(candidate.key) && String(candidate.key.value) === key);
  return rangeStart(pair?.key) ?? nodeOffset(doc, path);
}

function rangeStart(node: unknown): number | undefined {
  return node !== null && typeof node === 'object' && 'range' in node ? (node as Node).range?.[0] : undefined;
}

/** ` (did you mean 'title'?)` when one known key is a typo away. */
export function suggestion(key: string, known: readonly string[]): string {
  const close = known.filter((candidate) => editDistance(key.toLowerCase(), candidate) <= 2);
  return close.length === 1 ? ` (did you mean '${close[0]}'?)` : '';
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
