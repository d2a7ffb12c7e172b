import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/**
 * The reverse proxies in front of Mulin whose X-Forwarded-For is believed (MULIN_TRUSTED_PROXIES:
 * addresses and CIDR ranges, checked by the config). None by default: anyone can write that header.
 */
export class TrustedProxies {
  private readonly list = new BlockList();
  private readonly count: number;

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [address = '', prefix] = entry.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) this.list.addAddress(address, family);
      else this.list.addSubnet(address, Number(prefix), family);
    }
    this.count = entries.length;
  }

  has(address: string): boolean {
    const family = isIP(address);
    if (this.count === 0 || family === 0) return false;
    return this.list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }
}

/** An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d; the same client either way. */
function plain(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

/**
 * The client's address: the connection's peer, unless that peer is a trusted proxy, in which case
 * the address it appended to X-Forwarded-For (and so on through a chain of trusted proxies). Read
 * from the right: whatever the client wrote into the header itself stands to the left. Koa's
 * ctx.ip (app.proxy) takes the leftmost entry, which the client chooses, so it is not used.
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string,
  trusted: TrustedProxies,
): string {
  let address = plain(peer ?? '') || 'unknown';
  const hops = forwardedFor
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  while (trusted.has(address)) {
    const next = plain(hops.pop() ?? '');
    // An entry that is no address (unknown, a typo in the proxy's setup) vouches for nobody.
    if (isIP(next) === 0) break;
    address = next;
  }
  return address;
}

/** The address of the client that sent `req`, as clientAddress finds it. */
export function requestClientAddress(req: IncomingMessage, trusted: TrustedProxies): string {
  const forwarded = req.headers['x-forwarded-for'];
  return clientAddress(
    req.socket.remoteAddress,
    Array.isArray(forwarded) ? forwarded.join(', ') : (forwarded ?? ''),
    trusted,
  );
}

/** The eight groups of an IPv6 address, without its zone. */
function ipv6Groups(address: string): number[] {
  const [head = '', tail] = (address.split('%')[0] ?? '').split('::');
  const groups = (part: string) =>
    part === ''
      ? []
      : part.split(':').flatMap((g) => {
          if (!g.includes('.')) return [parseInt(g, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = g.split('.').map(Number);
          return [a * 256 + b, c * 256 + d];
        });
  const left = groups(head);
  if (tail === undefined) return left;
  const right = groups(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/**
 * What failures are counted under: the address itself for IPv4, the /64 for IPv6, the block a
 * single home or server is given, or one host could go on guessing from a fresh address each time.
 */
export function addressKey(address: string): string {
  if (isIP(address.split('%')[0] ?? '') !== 6) return address;
  return `${ipv6Groups(address)
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}
