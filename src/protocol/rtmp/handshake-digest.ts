import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * The digest ("complex") handshake of Flash Player 9+ and Flash Media Server, which the RTMP 1.0 spec does not
 * describe; librtmp (rtmpdump), ffmpeg and Flash-era encoders send it. Facts as those clients implement them:
 *
 * - C1/S1 is time (4) + version (4, non-zero) + two 764-byte blocks. The digest block holds 4 offset bytes; their
 *   byte sum mod 728 places the 32-byte digest inside the block. Scheme 0 puts the digest block second (offset
 *   bytes at 772..775, digest at 776 + n), scheme 1 first (offset bytes at 8..11, digest at 12 + n). ffmpeg writes
 *   scheme 1, librtmp scheme 0.
 * - The digest is HMAC-SHA256 over the 1536 bytes without the digest's own 32, keyed with the first 30 bytes of the
 *   Flash Player key (client) or the first 36 of the Flash Media Server key (server).
 * - S2 (C2) is 1504 random bytes and a 32-byte signature: HMAC-SHA256 keyed with HMAC-SHA256(full 68-byte server
 *   key (62-byte player key), the peer's digest), over those 1504 bytes.
 */

export const DIGEST_LENGTH = 32;

/** "Genuine Adobe Flash Player 001" followed by 32 fixed bytes. */
export const FLASH_PLAYER_KEY = Buffer.concat([
  Buffer.from('Genuine Adobe Flash Player 001', 'latin1'),
  Buffer.from('f0eec24a8068bee82e00d0d1029e7e576eec5d2d29806fab93b8e636cfeb31ae', 'hex'),
]);

/** "Genuine Adobe Flash Media Server 001" followed by the same 32 fixed bytes. */
export const FLASH_MEDIA_SERVER_KEY = Buffer.concat([
  Buffer.from('Genuine Adobe Flash Media Server 001', 'latin1'),
  Buffer.from('f0eec24a8068bee82e00d0d1029e7e576eec5d2d29806fab93b8e636cfeb31ae', 'hex'),
]);

/** The parts of the keys that sign C1 and S1. */
export const CLIENT_DIGEST_KEY = FLASH_PLAYER_KEY.subarray(0, 30);
export const SERVER_DIGEST_KEY = FLASH_MEDIA_SERVER_KEY.subarray(0, 36);

/** 0: offset bytes at 772 (digest block second); 1: offset bytes at 8 (digest block first). */
export type DigestScheme = 0 | 1;

const PACKET_LENGTH = 1536;

/** Where the digest sits in a 1536-byte C1/S1 under `scheme`. */
export function digestOffset(packet: Buffer, scheme: DigestScheme): number {
  const at = scheme === 0 ? 772 : 8;
  let sum = 0;
  for (let i = at; i < at + 4; i++) sum += packet[i] as number;
  return (sum % 728) + at + 4;
}

/** HMAC-SHA256 of `packet` without the 32 bytes at `offset`. */
export function computeDigest(packet: Buffer, offset: number, key: Buffer): Buffer {
  return createHmac('sha256', key)
    .update(packet.subarray(0, offset))
    .update(packet.subarray(offset + DIGEST_LENGTH, PACKET_LENGTH))
    .digest();
}

export interface FoundDigest {
  scheme: DigestScheme;
  digest: Buffer;
}

/** The client digest of a C1 signed with the Flash Player key, at either scheme; undefined if neither validates. */
export function findClientDigest(c1: Buffer): FoundDigest | undefined {
  for (const scheme of [1, 0] as const) {
    const offset = digestOffset(c1, scheme);
    const expected = computeDigest(c1, offset, CLIENT_DIGEST_KEY);
    const actual = c1.subarray(offset, offset + DIGEST_LENGTH);
    if (timingSafeEqual(expected, actual)) return { scheme, digest: Buffer.from(actual) };
  }
  return undefined;
}

/** Writes the server digest into `s1` (1536 bytes, random and version already in place) under `scheme`. */
export function signServerPacket(s1: Buffer, scheme: DigestScheme): void {
  const offset = digestOffset(s1, scheme);
  computeDigest(s1, offset, SERVER_DIGEST_KEY).copy(s1, offset);
}

/** Writes the S2 signature over s2[0, 1504) into its last 32 bytes, answering the client's digest. */
export function signServerResponse(s2: Buffer, clientDigest: Buffer): void {
  const key = createHmac('sha256', FLASH_MEDIA_SERVER_KEY).update(clientDigest).digest();
  const bodyLength = PACKET_LENGTH - DIGEST_LENGTH;
  createHmac('sha256', key).update(s2.subarray(0, bodyLength)).digest().copy(s2, bodyLength);
}
