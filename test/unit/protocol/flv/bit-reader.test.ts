import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../../src/errors.js';
import { BitReader, MAX_EXP_GOLOMB_LEADING_ZEROS } from '../../../../src/protocol/flv/bit-reader.js';
import { BitWriter } from './bit-writer.js';

function expectBadTag(fn: () => unknown): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ProtocolError);
  expect((caught as ProtocolError).code).toBe('FLV_BAD_TAG');
}

describe('BitReader', () => {
  it('reads fields MSB first across byte boundaries', () => {
    const r = new BitReader(Buffer.from([0b1011_0011, 0b1100_0101, 0xff]));
    expect(r.bits(1)).toBe(1);
    expect(r.bits(3)).toBe(0b011);
    expect(r.bits(6)).toBe(0b0011_11);
    expect(r.bits(0)).toBe(0);
    expect(r.bits(14)).toBe(0b00_0101_1111_1111);
    expect(r.bitsLeft).toBe(0);
    expect(r.bitsRead).toBe(24);
  });

  it('reads 32 bits as an unsigned number', () => {
    const r = new BitReader(Buffer.from([0xff, 0xff, 0xff, 0xfe, 0x80]));
    expect(r.bits(32)).toBe(0xfffffffe);
    expect(r.flag()).toBe(true);
  });

  it('reads ue(v) and se(v) as H.264 9.1 defines them', () => {
    const ue = [0, 1, 2, 3, 7, 8, 254, 255, 65535, 2 ** 32 - 2];
    const se = [0, 1, -1, 2, -2, 127, -128, 100000, -100000];
    const w = new BitWriter();
    for (const v of ue) w.ue(v);
    for (const v of se) w.se(v);
    const r = new BitReader(w.align().build());
    expect(ue.map(() => r.ue())).toEqual(ue);
    expect(se.map(() => r.se())).toEqual(se);
  });

  it('rejects an Exp-Golomb prefix longer than the limit', () => {
    const atLimit = new BitWriter().u(MAX_EXP_GOLOMB_LEADING_ZEROS, 0).u(MAX_EXP_GOLOMB_LEADING_ZEROS + 1, 2 ** 31).align();
    expect(new BitReader(atLimit.build()).ue()).toBe(2 ** 31 - 1);
    const overLimit = new BitWriter().u(MAX_EXP_GOLOMB_LEADING_ZEROS + 1, 0).u(1, 1).u(40, 0).align();
    expectBadTag(() => new BitReader(overLimit.build()).ue());
  });

  it('raises ProtocolError instead of reading past the end', () => {
    expectBadTag(() => new BitReader(Buffer.alloc(0)).bit());
    expectBadTag(() => new BitReader(Buffer.from([0xff])).bits(9));
    expectBadTag(() => new BitReader(Buffer.from([0xff])).skip(9));
    expectBadTag(() => new BitReader(Buffer.from([0x00])).ue());
    expectBadTag(() => new BitReader(Buffer.from([0x01])).ue());
    const r = new BitReader(Buffer.from([0xab]));
    r.skip(8);
    expectBadTag(() => r.flag());
  });
});
