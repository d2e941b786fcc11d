import { describe, expect, it } from 'vitest';
import { NETWORK_MEMO_ADDRESSES, NetworkList } from '../../../../src/server/access/networks.js';

describe('NetworkList', () => {
  it('matches IPv4 CIDR blocks, also written IPv4-mapped', () => {
    const lan = NetworkList.parse('192.168.1.0/24, 10.0.0.0/8');
    expect(lan.contains('192.168.1.77')).toBe(true);
    expect(lan.contains('::ffff:192.168.1.77')).toBe(true);
    expect(lan.contains('10.255.0.1')).toBe(true);
    expect(lan.contains('192.168.2.1')).toBe(false);
    expect(lan.contains('::ffff:192.168.2.1')).toBe(false);
  });

  it('matches IPv6 blocks and single addresses', () => {
    const list = NetworkList.parse('fd00::/8,2001:db8::1');
    expect(list.contains('fd12:3456::1')).toBe(true);
    expect(list.contains('2001:db8:0:0:0:0:0:1')).toBe(true);
    expect(list.contains('2001:db8::2')).toBe(false);
    expect(list.contains('fe80::1')).toBe(false);
    expect(list.entries).toEqual(['fd00::/8', '2001:db8::1/128']);
  });

  it('knows loopback (all of 127/8 and ::1) and none', () => {
    const loopback = NetworkList.parse('loopback');
    for (const a of ['127.0.0.1', '127.0.0.2', '::1', '::ffff:127.0.0.1']) expect(loopback.contains(a), a).toBe(true);
    for (const a of ['128.0.0.1', '::2', 'localhost', '', 'not an address']) expect(loopback.contains(a), a).toBe(false);
    const none = NetworkList.parse('none');
    expect(none.isEmpty).toBe(true);
    expect(none.contains('127.0.0.1')).toBe(false);
    expect(none.toString()).toBe('none');
    expect(NetworkList.parse('127.0.0.1/32').contains('127.0.0.2')).toBe(false);
  });

  it('gives the same answers from its memory of addresses, past its size too', () => {
    const lan = NetworkList.parse('192.168.1.0/24');
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < NETWORK_MEMO_ADDRESSES + 10; i++) {
        const inside = i % 2 === 0;
        const address = inside ? `192.168.1.${i % 256}` : `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`;
        expect(lan.contains(address), address).toBe(inside);
      }
    }
  });

  it('names the entry that is not a network', () => {
    expect(() => NetworkList.parse('10.0.0/8')).toThrow(/'10.0.0\/8' is not an IP address/);
    expect(() => NetworkList.parse('10.0.0.0/33')).toThrow(/prefix length must be 0 to 32/);
    expect(() => NetworkList.parse('::/129')).toThrow(/0 to 128/);
    expect(() => NetworkList.parse('10.0.0.0/x')).toThrow(/prefix length/);
    expect(() => NetworkList.parse(' , ')).toThrow(/empty network list/);
    expect(() => NetworkList.parse(Array.from({ length: 257 }, (_, i) => `10.0.${i >> 8}.${i & 255}`))).toThrow(/more than 256/);
  });
});
