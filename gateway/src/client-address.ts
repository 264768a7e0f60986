import { BlockList, isIP } from 'node:net';

/**
 * TRUSTED_PROXIES: comma-separated addresses or CIDR ranges, IPv4 and IPv6 (`10.0.0.0/8, ::1`). Returns
 * them normalised (`10.0.0.0/8`, `::1/128`); throws an Error whose message completes "TRUSTED_PROXIES ...".
 */
export function parseTrustedProxies(raw: string): string[] {
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const [address = '', prefix, extra] = entry.split('/');
      const family = isIP(address);
      const bits = family === 6 ? 128 : 32;
      const length = prefix === undefined ? bits : Number(prefix);
      const prefixValid = prefix === undefined || (/^\d{1,3}$/.test(prefix) && length <= bits);
      if (family === 0 || extra !== undefined || !prefixValid) {
        throw new Error(`must list IPv4 or IPv6 addresses or CIDR ranges, got "${entry}"`);
      }
      return `${family === 6 ? address.toLowerCase() : address}/${length}`;
    });
}

/**
 * Who the client is when the gateway sits behind proxies it trusts. Only a request whose direct peer
 * is a trusted proxy has its `X-Forwarded-For` read, and then from right to left: each trusted
 * proxy appended the address it received the request from, so the first untrusted address is the
 * client; whatever stands to its left was written by the client and proves nothing. A request from
 * any other peer is that peer, whatever headers it sends. With no trusted proxies (the default) the
 * header is never read.
 */
export class TrustedProxies {
  private readonly ranges = new BlockList();
  readonly empty: boolean;

  constructor(cidrs: string[]) {
    for (const cidr of cidrs) {
      const [address = '', prefix] = cidr.split('/');
      this.ranges.addSubnet(address, Number(prefix), isIP(address) === 6 ? 'ipv6' : 'ipv4');
    }
    this.empty = cidrs.length === 0;
  }

  has(address: string): boolean {
    const normalised = normaliseAddress(address);
    if (normalised === undefined) return false;
    return this.ranges.check(normalised, isIP(normalised) === 6 ? 'ipv6' : 'ipv4');
  }

  /** The client's address for a request from `peer` (the TCP connection) with this X-Forwarded-For. */
  clientAddress(peer: string, forwardedFor: string | string[] | undefined): string {
    let client = normaliseAddress(peer) ?? peer;
    if (this.empty || !this.has(client) || forwardedFor === undefined) return client;
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
    for (let i = hops.length - 1; i >= 0; i -= 1) {
      const hop = normaliseAddress(hops[i] as string);
      // Not an address: the nearest trusted hop is as far as the header can be believed.
      if (hop === undefined) return client;
      client = hop;
      if (!this.has(hop)) return hop;
    }
    // Every hop is a trusted proxy: the leftmost is the furthest that can be seen.
    return client;
  }
}

/**
 * An address as one spelling, or undefined when it is none: an IPv4-mapped IPv6 address becomes
 * IPv4, IPv6 is lower-cased, and the `[v6]:port` and `v4:port` forms some proxies write lose the port.
 */
export function normaliseAddress(raw: string): string | undefined {
  let address = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1] as string;
  else if (/^[\d.]+:\d+$/.test(address)) address = address.slice(0, address.indexOf(':'));
  const family = isIP(address);
  if (family === 4) return address;
  if (family !== 6) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1] : address.toLowerCase();
}
