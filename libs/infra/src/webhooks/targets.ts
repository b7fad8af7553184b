import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/*
 * DESIGN §9: where deliveries may go. In production a target is https, and every address its name
 * resolves to is checked at each delivery, in the lookup the connection itself uses (no second
 * resolution to rebind between the check and the connect): loopback, private, link-local
 * (169.254.0.0/16, fe80::/10), unique-local (fc00::/7), IPv4-mapped, and every other range that is
 * not plain unicast are refused. Redirects are never followed. An allow-list pins targets: a host
 * named in it, or an address inside one of its CIDR ranges (which may be private: a SIEM on the
 * provider's own network).
 */

export interface TargetPolicy {
  readonly production: boolean;
  /** Host names and CIDR ranges (`siem.internal.example`, `10.20.0.0/16`); empty: any public target. */
  readonly allowed: readonly string[];
}

/** The policy the configuration sets (production, WEBHOOK_ALLOWED_TARGETS): one for subscribing and delivering alike. */
export const targetPolicyOf = (config: { readonly production: boolean; readonly webhooks: { readonly allowed: readonly string[] } }): TargetPolicy => ({
  production: config.production,
  allowed: config.webhooks.allowed,
});

export class TargetRefused extends Error {
  readonly code = 'webhook.target_refused';
}

const cidrs = (policy: TargetPolicy) => policy.allowed.filter((a) => a.includes('/')).map((a) => ipaddr.parseCIDR(a));
const hosts = (policy: TargetPolicy) => policy.allowed.filter((a) => !a.includes('/')).map((h) => h.toLowerCase());

const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

const inAllowedRange = (address: string, policy: TargetPolicy) => {
  const parsed = ipaddr.parse(address);
  return cidrs(policy).some(([range, bits]) => parsed.kind() === range.kind() && parsed.match(range, bits));
};

/** Why an address may not be a target (null: it may). */
export function refusedAddress(address: string, policy: TargetPolicy): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return 'not an IP address';
  }
  if (inAllowedRange(address, policy)) return null;
  if (!policy.production) return null;
  // ::a.b.c.d (IPv4-compatible, deprecated) is "unicast" to ipaddr.js, and reaches the IPv4 address.
  const range = parsed.range();
  if (range === 'unicast' && parsed.kind() === 'ipv6' && parsed.match(IPV4_COMPATIBLE)) return `${address} is an IPv4-compatible address`;
  return range === 'unicast' ? null : `${address} is a ${range} address`;
}

/** A target URL as a subscription gives it: https in production (http elsewhere), no credentials, no refused address written in it. */
export function checkTargetUrl(raw: string, policy: TargetPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TargetRefused('The target is not a URL.');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && !policy.production)) throw new TargetRefused(policy.production ? 'The target must be https in production.' : 'The target must be http or https.');
  if (url.username || url.password) throw new TargetRefused('The target may not carry credentials.');
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const why = isIP(host) ? refusedAddress(host, policy) : null;
  if (why) throw new TargetRefused(`The target is refused: ${why}.`);
  return url;
}

type Resolve = (hostname: string) => Promise<LookupAddress[]>;
const systemResolve: Resolve = (hostname) => new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (e, addresses) => (e ? reject(e) : resolve(addresses))));

/**
 * The addresses a target's name resolves to, every one checked; throws TargetRefused naming the
 * first that is refused. A name pinned by the allow-list still has its addresses checked, unless an
 * address lies in one of its CIDR ranges.
 */
export async function checkedAddresses(hostname: string, policy: TargetPolicy, resolve: Resolve = systemResolve): Promise<LookupAddress[]> {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await resolve(host);
  if (addresses.length === 0) throw new TargetRefused(`${host} resolves to no address.`);
  for (const a of addresses) {
    const why = refusedAddress(a.address, policy);
    if (why) throw new TargetRefused(`The target ${host} is refused: ${why}.`);
  }
  if (policy.allowed.length > 0 && !hosts(policy).includes(host)) {
    const inRange = addresses.every((a) => inAllowedRange(a.address, policy));
    if (!inRange) throw new TargetRefused(`The target ${host} is not in WEBHOOK_ALLOWED_TARGETS.`);
  }
  return addresses;
}

/** The lookup a delivery's connection uses: the checked addresses only, so what is connected to is what was checked. */
export function guardedLookup(policy: TargetPolicy, resolve: Resolve = systemResolve): LookupFunction {
  return (hostname, options, callback) => {
    checkedAddresses(hostname, policy, resolve).then(
      (addresses) => {
        if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (e: Error) => callback(e as NodeJS.ErrnoException, '', 0),
    );
  };
}
