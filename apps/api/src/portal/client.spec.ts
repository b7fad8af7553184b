import { describe, expect, it } from 'vitest';
import { clientOf } from './client';

const req = (remoteAddress: string, forwarded?: string) => ({ headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded }, socket: { remoteAddress } }) as never;

describe('the client the portal counts sign-in links by', () => {
  it('is the connection, unless the proxy is trusted: then the last address it appended', () => {
    expect(clientOf(req('192.0.2.10', '198.51.100.7, 203.0.113.9'), false)).toBe('192.0.2.10');
    expect(clientOf(req('192.0.2.10', '198.51.100.7, 203.0.113.9'), true)).toBe('203.0.113.9');
    expect(clientOf(req('192.0.2.10', '  '), true)).toBe('192.0.2.10');
    expect(clientOf(req('::ffff:192.0.2.10'), false)).toBe('192.0.2.10');
  });

  it('counts an IPv6 client by its /64, however it is written', () => {
    const net = '2001:db8:85a3:12::/64';
    for (const address of ['2001:db8:85a3:12::1', '2001:0db8:85a3:0012:ffff:ffff:ffff:fffe', '2001:DB8:85A3:12:0:0:0:7']) expect(clientOf(req(address), false), address).toBe(net);
    expect(clientOf(req('2001:db8:85a3:13::1'), false)).not.toBe(net);
    expect(clientOf(req('::1'), false)).toBe('0:0:0:0::/64');
  });
});
