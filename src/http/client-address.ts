import { isIPv6 } from 'node:net';

/** What of a request {@link clientAddress} reads. */
export interface ClientRequest {
  /**
   * `req.ip` on Express and `request.ip` on Fastify: the socket's peer, or the forwarded one when
   * Express's `trust proxy` (Fastify's `trustProxy`) is set.
   */
  readonly ip?: string;
  readonly socket?: { readonly remoteAddress?: string };
}

/**
 * The client a rate limit counts against: its IPv4 address, or the /64 prefix of its IPv6 address,
 * since one IPv6 host is usually given a whole /64 and could otherwise rotate through it.
 */
export function clientAddress(request: ClientRequest): string {
  const address = request.ip ?? request.socket?.remoteAddress ?? 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  return isIPv6(address) ? ipv6Prefix64(address) : address;
}

function ipv6Prefix64(address: string): string {
  const [head = '', tail] = address.split('%')[0].split('::');
  const before = head === '' ? [] : head.split(':');
  const after = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? before : [...before, ...Array<string>(Math.max(0, 8 - before.length - after.length)).fill('0'), ...after];
  return `${groups
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}
