/**
 * Test-only MSB-first bit writer for hand-built H.264 SPS and AAC AudioSpecificConfig fixtures, written
 * independently of the production BitReader (ITU-T H.264 9.1 for ue/se).
 */
export class BitWriter {
  private readonly bitsOut: number[] = [];

  u(count: number, value: number): this {
    for (let i = count - 1; i >= 0; i--) this.bitsOut.push(Math.floor(value / 2 ** i) % 2);
    return this;
  }

  flag(value: boolean | number): this {
    return this.u(1, value ? 1 : 0);
  }

  ue(value: number): this {
    const code = value + 1;
    const length = Math.floor(Math.log2(code));
    this.u(length, 0);
    return this.u(length + 1, code);
  }

  se(value: number): this {
    return this.ue(value > 0 ? 2 * value - 1 : -2 * value);
  }

  /** rbsp_trailing_bits(): a stop bit, then zeros to the byte boundary. */
  trailing(): this {
    this.bitsOut.push(1);
    return this.align();
  }

  align(): this {
    while (this.bitsOut.length % 8 !== 0) this.bitsOut.push(0);
    return this;
  }

  get bitLength(): number {
    return this.bitsOut.length;
  }

  build(): Buffer {
    const out = Buffer.alloc(Math.ceil(this.bitsOut.length / 8));
    this.bitsOut.forEach((bit, i) => {
      if (bit) out[i >> 3] = (out[i >> 3] as number) | (0x80 >> (i & 7));
    });
    return out;
  }
}

/** RBSP to NAL payload: inserts emulation_prevention_three_byte where H.264 7.4.1 requires it. */
export function escapeRbsp(rbsp: Buffer): Buffer {
  const out: number[] = [];
  let zeros = 0;
  for (const byte of rbsp) {
    if (zeros >= 2 && byte <= 3) {
      out.push(3);
      zeros = 0;
    }
    out.push(byte);
    zeros = byte === 0 ? zeros + 1 : 0;
  }
  return Buffer.from(out);
}
