import { describe, expect, it } from 'vitest';
import { clientAddress, plainAddress } from '../../../../src/server/access/client-address.js';
import { NetworkList } from '../../../../src/server/access/networks.js';

const localProxy = NetworkList.parse('127.0.0.1,::1');

describe('clientAddress', () => {
  it('a loopback caller with no proxy headers is local', () => {
    expect(clientAddress('127.0.0.1', {}, localProxy)).toEqual({ address: '127.0.0.1', local: true });
    expect(clientAddress('::ffff:127.0.0.5', {}, localProxy)).toEqual({ address: '127.0.0.5', local: true });
    expect(clientAddress('::1', {}, localProxy)).toEqual({ address: '::1', local: true });
    expect(clientAddress('203.0.113.9', {}, localProxy)).toEqual({ address: '203.0.113.9', local: false });
  });

  it('a request through a trusted proxy is the forwarded client, never local', () => {
    expect(clientAddress('127.0.0.1', { 'x-forwarded-for': '203.0.113.9' }, localProxy)).toEqual({ address: '203.0.113.9', local: false });
    // The client wrote the left part itself: the rightmost untrusted hop is the one the proxy saw.
    expect(clientAddress('127.0.0.1', { 'x-forwarded-for': '127.0.0.1, 198.51.100.4' }, localProxy)).toEqual({ address: '198.51.100.4', local: false });
    expect(clientAddress('127.0.0.1', { 'x-forwarded-for': '[2001:db8::5]:443' }, localProxy).address).toBe('2001:db8::5');
    // A proxy that forwards without X-Forwarded-For (Via only): not local, address unknown beyond the proxy.
    expect(clientAddress('127.0.0.1', { via: '1.1 nginx' }, localProxy)).toEqual({ address: '127.0.0.1', local: false });
  });

  it('ignores the forwarding headers of anyone else', () => {
    expect(clientAddress('203.0.113.9', { 'x-forwarded-for': '127.0.0.1' }, localProxy)).toEqual({ address: '203.0.113.9', local: false });
    expect(clientAddress('127.0.0.2', { 'x-forwarded-for': '10.0.0.1' }, localProxy)).toEqual({ address: '127.0.0.2', local: false });
  });

  it('looks at a bounded number of hops', () => {
    const hops = Array.from({ length: 100 }, () => '127.0.0.1').join(',');
    expect(clientAddress('127.0.0.1', { 'x-forwarded-for': `9.9.9.9,${hops}` }, localProxy).address).toBe('127.0.0.1');
  });

  it('plainAddress drops brackets, ports and the IPv4-mapped prefix', () => {
    expect(plainAddress('[::1]:8000')).toBe('::1');
    expect(plainAddress('1.2.3.4:5678')).toBe('1.2.3.4');
    expect(plainAddress('::ffff:1.2.3.4')).toBe('1.2.3.4');
    expect(plainAddress('2001:db8::1')).toBe('2001:db8::1');
  });
});
