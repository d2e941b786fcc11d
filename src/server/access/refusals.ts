/** Why the access policy said no: counted by reason in the status and the dashboard. */
export type RefusalReason =
  /** A publisher outside the allowed networks without credentials. */
  | 'publish-not-allowed'
  | 'wrong-secret'
  | 'link-expired'
  | 'link-invalid'
  /** A viewer of a private show without credentials. */
  | 'private-show'
  /** A stream key that breaks a key rule (invisible characters, edge spaces, ...). */
  | 'bad-key'
  /** A key that differs only by case or Unicode form from a stream that exists. */
  | 'look-alike-key'
  | 'key-in-use'
  | 'max-viewers'
  | 'max-bandwidth'
  | 'max-connections-per-ip'
  | 'max-connections'
  /** The host kicked a viewer from this address a short while ago. */
  | 'kicked'
  /** An admin request without the right token. */
  | 'admin-token';

export const REFUSAL_REASONS: readonly RefusalReason[] = [
  'publish-not-allowed',
  'wrong-secret',
  'link-expired',
  'link-invalid',
  'private-show',
  'bad-key',
  'look-alike-key',
  'key-in-use',
  'max-viewers',
  'max-bandwidth',
  'max-connections-per-ip',
  'max-connections',
  'kicked',
  'admin-token',
];

export interface Refusal {
  allow: false;
  reason: RefusalReason;
  /** One line for the client and the log; never holds a secret. */
  message: string;
  /** For "the room is full": when trying again makes sense (HTTP Retry-After). */
  retryAfterS?: number;
}

export function refuse(reason: RefusalReason, message: string, retryAfterS?: number): Refusal {
  return retryAfterS === undefined ? { allow: false, reason, message } : { allow: false, reason, message, retryAfterS };
}

/** Refusals so far, by reason: one per server (no module state). */
export class RefusalCounter {
  private readonly counts = new Map<RefusalReason, number>();

  add(reason: RefusalReason): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
  }

  get total(): number {
    let sum = 0;
    for (const count of this.counts.values()) sum += count;
    return sum;
  }

  /** The reasons seen so far with their counts. */
  snapshot(): Partial<Record<RefusalReason, number>> {
    return Object.fromEntries(this.counts) as Partial<Record<RefusalReason, number>>;
  }
}
