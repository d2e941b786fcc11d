// Several rounds of the same measurement folded into one record: every number is the median of the rounds' values at
// the same place (objects field by field, arrays of objects index by index); anything else, and other arrays
// (per-viewer lists, time series), are the first round's. The rounds themselves stay in the raw JSON.

import { median } from './window-stats.mjs';

export function medianRecord(records) {
  const present = records.filter((r) => r !== undefined && r !== null);
  if (present.length <= 1) return present[0];
  const first = present[0];
  if (typeof first === 'number') {
    const numbers = present.filter((x) => typeof x === 'number' && Number.isFinite(x));
    return numbers.length ? median(numbers) : first;
  }
  if (Array.isArray(first)) {
    if (!first.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) return first;
    return first.map((_, i) => medianRecord(present.map((r) => (Array.isArray(r) ? r[i] : undefined))));
  }
  if (typeof first === 'object') {
    const keys = new Set(present.flatMap((r) => (typeof r === 'object' ? Object.keys(r) : [])));
    return Object.fromEntries([...keys].map((k) => [k, medianRecord(present.map((r) => r?.[k]))]));
  }
  return first;
}
