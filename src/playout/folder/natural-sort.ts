/**
 * File names in the order people expect: numbers compared by value (`Part 2` before `Part 10`), letters without
 * regard to case or accents, then by code point so the order is total and the same on every machine.
 */
const COLLATOR = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

export function naturalCompare(a: string, b: string): number {
  return COLLATOR.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** A sorted copy of `names`. */
export function naturalSort(names: readonly string[]): string[] {
  return [...names].sort(naturalCompare);
}
