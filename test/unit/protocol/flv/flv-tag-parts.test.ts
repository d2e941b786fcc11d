import { describe, expect, it } from 'vitest';
import { writeFlvTag, writeFlvTagParts } from '../../../../src/protocol/flv/flv-tag.js';

describe('writeFlvTagParts', () => {
  for (const timestamp of [0, 33, 0xffffff, 0x01000000, 0xffffffff]) {
    for (const size of [0, 1, 5000]) {
      it(`equals writeFlvTag byte for byte (ts ${timestamp}, payload ${size})`, () => {
        const payload = Buffer.alloc(size, 7);
        expect(Buffer.concat(writeFlvTagParts(9, timestamp, payload))).toEqual(writeFlvTag(9, timestamp, payload));
      });
    }
  }

  it('hands out the payload itself, not a copy', () => {
    const payload = Buffer.alloc(5000);
    expect(writeFlvTagParts(9, 0, payload)[1]).toBe(payload);
  });
});
