import { describe, expect, it } from 'vitest';
import { checkedAddresses, checkTargetUrl, guardedLookup, refusedAddress, TargetRefused } from './targets';

const production = { production: true, allowed: [] };

describe('webhook targets in production (DESIGN §9)', () => {
  it('refuses every address class but plain unicast: loopback, private, link-local, unique-local, IPv4-mapped and the rest', () => {
    const refused: [string, string][] = [
      ['127.0.0.1', 'loopback'],
      ['::1', 'loopback'],
      ['10.0.0.7', 'private'],
      ['172.16.5.4', 'private'],
      ['192.168.1.1', 'private'],
      ['169.254.169.254', 'linkLocal'],
      ['fe80::1', 'linkLocal'],
      ['fd12:3456::1', 'uniqueLocal'],
      ['::ffff:127.0.0.1', 'ipv4Mapped'],
      ['::ffff:93.184.216.34', 'ipv4Mapped'],
      ['0.0.0.0', 'unspecified'],
      ['100.64.0.1', 'carrierGradeNat'],
      ['224.0.0.1', 'multicast'],
    ];
    for (const [address, range] of refused) expect(refusedAddress(address, production), address).toBe(`${address} is a ${range} address`);
    // Written as IPv4-compatible IPv6 (new URL turns [::127.0.0.1] into [::7f00:1]).
    expect(refusedAddress('::7f00:1', production)).toBe('::7f00:1 is an IPv4-compatible address');
    expect(() => checkTargetUrl('https://[::127.0.0.1]/hook', production)).toThrow(/IPv4-compatible/);
    for (const address of ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946']) expect(refusedAddress(address, production), address).toBeNull();
    // Outside production, anything goes (the tests' receivers listen on loopback).
    expect(refusedAddress('127.0.0.1', { production: false, allowed: [] })).toBeNull();
  });

  it('refuses a name that resolves to a forbidden address, through the system resolver (localhost) and through any one of several answers', async () => {
    await expect(checkedAddresses('localhost', production)).rejects.toThrow(/localhost is refused: .* is a loopback address/);
    const rebinding = async () => [{ address: '93.184.216.34', family: 4 }, { address: '10.1.1.1', family: 4 }];
    await expect(checkedAddresses('siem.client.example', production, rebinding)).rejects.toThrow(/10\.1\.1\.1 is a private address/);
    // The connection's own lookup refuses it too: nothing to connect to.
    const error = await new Promise<Error | null>((resolve) => guardedLookup(production, rebinding)('siem.client.example', {}, (e) => resolve(e)));
    expect(error).toBeInstanceOf(TargetRefused);
    const fine = async () => [{ address: '93.184.216.34', family: 4 }];
    expect(await checkedAddresses('siem.client.example', production, fine)).toEqual([{ address: '93.184.216.34', family: 4 }]);
  });

  it('a URL must be https without credentials, and may not name a forbidden address itself', () => {
    expect(() => checkTargetUrl('http://siem.client.example/hook', production)).toThrow(/https in production/);
    expect(() => checkTargetUrl('https://user:pw@siem.client.example/hook', production)).toThrow(/credentials/);
    expect(() => checkTargetUrl('https://[::1]/hook', production)).toThrow(/loopback/);
    expect(() => checkTargetUrl('https://169.254.169.254/latest', production)).toThrow(/linkLocal/);
    expect(() => checkTargetUrl('ftp://siem.client.example/', { production: false, allowed: [] })).toThrow(TargetRefused);
    expect(checkTargetUrl('http://127.0.0.1:9999/hook', { production: false, allowed: [] }).port).toBe('9999');
  });

  it('the allow-list pins targets: a named host, or addresses inside its ranges (which may be private)', async () => {
    const pinned = { production: true, allowed: ['siem.client.example', '10.20.0.0/16'] };
    const resolveTo = (address: string) => async () => [{ address, family: 4 }];
    expect(await checkedAddresses('siem.client.example', pinned, resolveTo('93.184.216.34'))).toHaveLength(1);
    await expect(checkedAddresses('other.example', pinned, resolveTo('93.184.216.34'))).rejects.toThrow(/not in WEBHOOK_ALLOWED_TARGETS/);
    expect(await checkedAddresses('siem.internal', pinned, resolveTo('10.20.3.4'))).toHaveLength(1);
    await expect(checkedAddresses('siem.client.example', pinned, resolveTo('10.30.3.4'))).rejects.toThrow(/private/);
  });
});
