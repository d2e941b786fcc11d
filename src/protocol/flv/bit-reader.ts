import { ProtocolError } from '../../errors.js';

/**
 * Longest Exp-Golomb prefix accepted: 31 leading zeros gives codeNum up to 2^32 - 2, the largest ue(v) the
 * H.264 syntax uses (ITU-T H.264 9.1). A longer prefix is malformed input, not a bigger number.
 */
export const MAX_EXP_GOLOMB_LEADING_ZEROS = 31;

/**
 * MSB-first bit reader over a Buffer, as the codec configuration syntaxes (H.264 SPS, AAC AudioSpecificConfig)
 * are written. Every read is bounds-checked: running past the end raises ProtocolError 'FLV_BAD_TAG', never a
 * RangeError or a silent zero.
 */
export class BitReader {
  private bitPos = 0;
  private readonly bitLength: number;

  constructor(
    private readonly data: Buffer,
    private readonly what = 'codec configuration',
  ) {
    this.bitLength = data.length * 8;
  }

  get bitsLeft(): number {
    return this.bitLength - this.bitPos;
  }

  get bitsRead(): number {
    return this.bitPos;
  }

  /** Reads `count` bits (0..32) as an unsigned number. */
  bits(count: number): number {
    if (count > this.bitsLeft) this.fail();
    let value = 0;
    let remaining = count;
    while (remaining > 0) {
      const byte = this.data[this.bitPos >>> 3] as number;
      const offset = this.bitPos & 7;
      const take = Math.min(8 - offset, remaining);
      const chunk = (byte >>> (8 - offset - take)) & ((1 << take) - 1);
      // Multiplication instead of << keeps 32-bit reads unsigned.
      value = value * (1 << take) + chunk;
      this.bitPos += take;
      remaining -= take;
    }
    return value;
  }

  bit(): number {
    return this.bits(1);
  }

  flag(): boolean {
    return this.bits(1) === 1;
  }

  skip(count: number): void {
    if (count > this.bitsLeft) this.fail();
    this.bitPos += count;
  }

  /** ue(v), ITU-T H.264 9.1. */
  ue(): number {
    let zeros = 0;
    while (this.bit() === 0) {
      zeros++;
      if (zeros > MAX_EXP_GOLOMB_LEADING_ZEROS) {
        throw new ProtocolError('FLV_BAD_TAG', `malformed ${this.what}: Exp-Golomb code longer than 32 bits`);
      }
    }
    return zeros === 0 ? 0 : 2 ** zeros - 1 + this.bits(zeros);
  }

  /** se(v), ITU-T H.264 9.1.1: codeNum k maps to (-1)^(k+1) * ceil(k / 2). */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : 0 - k / 2;
  }

  private fail(): never {
    throw new ProtocolError('FLV_BAD_TAG', `truncated ${this.what}`);
  }
}
