import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** What a signed URL lets its holder do. Part of the signed text: a play link cannot be used to publish. */
export type TokenAction = 'publish' | 'play';

/** `sign=<expiry>-<hmac>`: expiry in Unix seconds (up to year 5138), the HMAC-SHA256 in lower-case hex. */
const SIGN_FORMAT = /^(\d{1,11})-([0-9a-f]{64})$/;

export type TokenCheck = { ok: true } | { ok: false; why: 'malformed' | 'expired' | 'wrong-signature' };

/**
 * The signature of a link: HMAC-SHA256 with the secret over the action, the stream path (`app/key`) and the expiry,
 * one per line, so no field can run into the next.
 */
function signature(secret: string, action: TokenAction, path: string, expiresAtS: number): Buffer {
  return createHmac('sha256', secret).update(`kayak-cast ${action}\n${path}\n${expiresAtS}`).digest();
}

/** The value of a link's `sign=` parameter for `path`, valid until `expiresAtS` (Unix seconds). */
export function signPath(secret: string, action: TokenAction, path: string, expiresAtS: number): string {
  const seconds = Math.floor(expiresAtS);
  return `${seconds}-${signature(secret, action, path, seconds).toString('hex')}`;
}

/** Checks a `sign=` value in constant time. `nowMs` comes from the injected clock. */
export function checkSignedPath(secret: string, action: TokenAction, path: string, sign: string, nowMs: number): TokenCheck {
  const match = SIGN_FORMAT.exec(sign);
  if (match === null) return { ok: false, why: 'malformed' };
  const expiresAtS = Number(match[1]);
  const given = Buffer.from(match[2] as string, 'hex');
  // The signature is compared before the expiry is looked at, so a forged link learns nothing from the answer's timing.
  const valid = timingSafeEqual(given, signature(secret, action, path, expiresAtS));
  if (!valid) return { ok: false, why: 'wrong-signature' };
  return expiresAtS * 1000 > nowMs ? { ok: true } : { ok: false, why: 'expired' };
}

/** Compares a presented secret with the configured one in time that does not depend on where they differ. */
export function secretMatches(presented: string, secret: string): boolean {
  // Hashing first makes both sides the same length, which timingSafeEqual needs, without leaking the secret's length.
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b);
}
