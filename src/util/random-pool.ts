import { randomFillSync } from 'node:crypto';

/**
 * Bytes drawn from the system's CSPRNG a block at a time: one RTMP handshake needs 1,528 random bytes (S1), and a
 * call into the CSPRNG for each of 300 viewers joining at once cost more than the bytes themselves (a few per cent
 * of such a burst's CPU). Every byte is handed out once.
 */
export class RandomPool {
  private readonly block: Buffer;
  private used: number;

  constructor(blockBytes = RANDOM_POOL_BLOCK_BYTES) {
    this.block = Buffer.alloc(blockBytes);
    this.used = blockBytes; // filled on first use
  }

  /** Fills `target[from, to)` with fresh random bytes. */
  fill(target: Buffer, from = 0, to = target.length): void {
    let at = from;
    while (at < to) {
      if (this.used === this.block.length) {
        randomFillSync(this.block);
        this.used = 0;
      }
      const n = Math.min(to - at, this.block.length - this.used);
      this.block.copy(target, at, this.used, this.used + n);
      this.used += n;
      at += n;
    }
  }
}

/** 64 KiB: about 40 handshakes a refill. */
export const RANDOM_POOL_BLOCK_BYTES = 64 * 1024;
