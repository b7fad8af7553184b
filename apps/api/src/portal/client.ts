import { type Request } from 'express';

/** The client's address, as the rate limits count it: the connection's, or the one the trusted proxy names (the last it appended). */
export function clientOf(req: Pick<Request, 'headers' | 'socket'>, trustProxy: boolean): string {
  const forwarded = req.headers['x-forwarded-for'];
  const address = trustProxy && typeof forwarded === 'string' && forwarded.trim() !== '' ? forwarded.split(',').at(-1)!.trim() : (req.socket.remoteAddress ?? 'unknown');
  // An IPv6 client is counted by its /64: one network hands its hosts as many addresses as they like.
  const v6 = address.replace(/^::ffff:(?=\d+\.)/, '');
  return v6.includes(':') ? `${expandV6(v6).slice(0, 4).join(':')}::/64` : v6;
}

/** An IPv6 address's eight groups, `::` expanded. */
function expandV6(address: string): string[] {
  const [head, tail] = address.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  return [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right].map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''));
}
