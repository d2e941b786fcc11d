const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

/** The last `width` values as block characters scaled to the largest of them; a flat line when all are zero. */
export function sparkline(values: readonly number[], width: number): string {
  if (width <= 0) return '';
  const shown = values.slice(-width);
  const max = Math.max(0, ...shown);
  const bars = shown.map((value) => {
    if (max <= 0 || value <= 0) return BARS[0];
    const level = Math.min(BARS.length - 1, Math.round((value / max) * (BARS.length - 1)));
    return BARS[level];
  });
  return ' '.repeat(width - shown.length) + bars.join('');
}
