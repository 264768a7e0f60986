import { describe, expect, it } from 'vitest';
import { normaliseAddress, parseTrustedProxies, TrustedProxies } from '../src/client-address.js';

const proxies = (raw: string) => new TrustedProxies(parseTrustedProxies(raw));

describe('TRUSTED_PROXIES parsing', () => {
  it('takes IPv4 and IPv6 addresses and CIDR ranges, comma-separated', () => {
    expect(parseTrustedProxies(' 10.0.0.0/8, 192.168.1.7 ,2001:DB8::/32,::1 ')).toEqual([
      '10.0.0.0/8',
      '192.168.1.7/32',
      '2001:db8::/32',
      '::1/128',
    ]);
    expect(parseTrustedProxies('')).toEqual([]);
  });

  it.each(['10.0.0.0/33', '10.0.0.0/', '10.0.0.0/8/8', '::/129', 'example.com', '10.0.0', '10.0.0.0/-1', '*'])(
    'refuses "%s"',
    (entry) => {
      expect(() => parseTrustedProxies(`127.0.0.1, ${entry}`)).toThrow(`got "${entry}"`);
    },
  );

  it('matches addresses inside the ranges, IPv4-mapped IPv6 as IPv4', () => {
    const trusted = proxies('10.0.0.0/8, 2001:db8::/32');
    expect(trusted.has('10.200.3.4')).toBe(true);
    expect(trusted.has('::ffff:10.200.3.4')).toBe(true);
    expect(trusted.has('2001:DB8:0:1::5')).toBe(true);
    expect(trusted.has('11.0.0.1')).toBe(false);
    expect(trusted.has('2001:db9::1')).toBe(false);
    expect(trusted.has('not an address')).toBe(false);
  });
});

describe('client address', () => {
  const behindTwo = proxies('10.0.0.0/8, 2001:db8::/32');

  it('is the peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    const none = proxies('');
    expect(none.clientAddress('198.51.100.7', '203.0.113.9')).toBe('198.51.100.7');
    expect(none.clientAddress('::ffff:127.0.0.1', '203.0.113.9')).toBe('127.0.0.1');
  });

  it('is the peer when the peer is not a trusted proxy: a spoofed header is ignored', () => {
    expect(behindTwo.clientAddress('198.51.100.7', '203.0.113.9, 10.0.0.1')).toBe('198.51.100.7');
  });

  it('walks right to left past trusted hops to the first untrusted address', () => {
    expect(behindTwo.clientAddress('10.0.0.2', '203.0.113.9')).toBe('203.0.113.9');
    expect(behindTwo.clientAddress('10.0.0.2', '203.0.113.9, 10.1.1.1, 2001:db8::7')).toBe('203.0.113.9');
    // Whatever the client wrote itself stands left of the address the first proxy saw: ignored.
    expect(behindTwo.clientAddress('10.0.0.2', '6.6.6.6, 10.9.9.9, 203.0.113.9, 10.1.1.1')).toBe('203.0.113.9');
    expect(behindTwo.clientAddress('::ffff:10.0.0.2', ['198.51.100.1', '10.1.1.1'])).toBe('198.51.100.1');
  });

  it('reads the port and bracket forms some proxies write', () => {
    expect(behindTwo.clientAddress('10.0.0.2', '203.0.113.9:51234')).toBe('203.0.113.9');
    expect(behindTwo.clientAddress('10.0.0.2', '[2001:DB9::1]:443')).toBe('2001:db9::1');
    expect(behindTwo.clientAddress('10.0.0.2', '[::ffff:203.0.113.9]')).toBe('203.0.113.9');
  });

  it('stops at the nearest trusted hop when the header is missing, empty or not an address', () => {
    expect(behindTwo.clientAddress('10.0.0.2', undefined)).toBe('10.0.0.2');
    expect(behindTwo.clientAddress('10.0.0.2', '')).toBe('10.0.0.2');
    expect(behindTwo.clientAddress('10.0.0.2', '203.0.113.9, unknown, 10.1.1.1')).toBe('10.1.1.1');
  });

  it('is the leftmost address when every hop is trusted', () => {
    expect(behindTwo.clientAddress('10.0.0.2', '10.3.3.3, 10.1.1.1')).toBe('10.3.3.3');
  });

  it('normalises one spelling per address', () => {
    expect(normaliseAddress(' 2001:DB8::1 ')).toBe('2001:db8::1');
    expect(normaliseAddress('::FFFF:192.0.2.1')).toBe('192.0.2.1');
    expect(normaliseAddress('192.0.2.1:80')).toBe('192.0.2.1');
    expect(normaliseAddress('unknown')).toBeUndefined();
  });
});
