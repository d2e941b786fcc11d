/** The first wait before reconnecting to a push target, and the cap it doubles up to. */
export const RELAY_BACKOFF_FIRST_MS = 1_000;
export const RELAY_BACKOFF_MAX_MS = 30_000;
/** Each wait is spread over ±this fraction, so targets that dropped together do not all knock at once. */
export const RELAY_BACKOFF_JITTER = 0.2;

/** The wait before reconnection attempt `attempt` (0 for the first retry): capped exponential, with jitter. */
export function relayBackoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(RELAY_BACKOFF_MAX_MS, RELAY_BACKOFF_FIRST_MS * 2 ** Math.min(attempt, 30));
  const spread = base * RELAY_BACKOFF_JITTER;
  return Math.round(base - spread + random() * 2 * spread);
}
