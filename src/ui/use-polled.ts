import { useEffect, useState } from 'react';

/**
 * The dashboard reads a new snapshot this often (the issue allows up to twice a second). The store samples rates and
 * CPU once a second, so reading faster would redraw the same numbers at twice the cost.
 */
export const REFRESH_MS = 1000;

/** `read()` now and then every `intervalMs`: the only clock the dashboard has. */
export function usePolled<T>(read: () => T, intervalMs = REFRESH_MS): T {
  const [value, setValue] = useState(read);
  useEffect(() => {
    const timer = setInterval(() => setValue(read()), intervalMs);
    return () => clearInterval(timer);
  }, [read, intervalMs]);
  return value;
}
