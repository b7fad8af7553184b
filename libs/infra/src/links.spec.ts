import { describe, expect, it } from 'vitest';
import { parseKeyRing } from './config/key-ring';
import { linkToken, linkUrl, readLink } from './links';

const key = (byte: number) => Buffer.alloc(32, byte).toString('base64');
const ring = parseKeyRing(`new:${key(2)},old:${key(1)}`);
const settings = { keys: ring, ttl: 'P14D', baseUrl: 'https://dpa.example' };
const request = { type: 'contact-check', command: 'confirm', id: 'c0ffee00-0000-4000-8000-000000000001', body: { round: 2 }, issuedAt: '2027-03-01T10:00:00.000Z' };

describe('links emailed to controllers', () => {
  it('carry the command they send, signed, and expire a TTL after they were issued', () => {
    const url = linkUrl(request, settings);
    expect(url).toMatch(/^https:\/\/dpa\.example\/links\/contact-check\/confirm\?t=new\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const token = new URL(url).searchParams.get('t');
    expect(readLink(token, ring, '2027-03-15T09:59:59.999Z')).toEqual({ ok: true, link: { type: 'contact-check', command: 'confirm', id: request.id, body: { round: 2 }, expiresAt: '2027-03-15T10:00:00.000Z', keyId: 'new' } });
    expect(readLink(token, ring, '2027-03-15T10:00:00.000Z')).toEqual({ ok: false, problem: 'expired' });
    // The same request always makes the same link (an email composed twice says the same).
    expect(linkToken(request, settings)).toBe(token);
  });

  it('verify with any key of the ring, so a rotation breaks no link in flight; nothing else verifies', () => {
    const old = linkToken(request, { ...settings, keys: parseKeyRing(`old:${key(1)}`) });
    expect(readLink(old, ring, '2027-03-02T00:00:00.000Z')).toMatchObject({ ok: true, link: { keyId: 'old' } });
    expect(readLink(old, parseKeyRing(`new:${key(2)}`), '2027-03-02T00:00:00.000Z')).toEqual({ ok: false, problem: 'forged' });
    const token = linkToken(request, settings);
    const [kid, payload, sig] = token.split('.');
    const tampered = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), b: { round: 3 } })).toString('base64url');
    expect(readLink(`${kid}.${tampered}.${sig}`, ring, '2027-03-02T00:00:00.000Z')).toEqual({ ok: false, problem: 'forged' });
    expect(readLink(`${kid}.${payload}.${sig!.slice(0, -2)}`, ring, '2027-03-02T00:00:00.000Z')).toEqual({ ok: false, problem: 'forged' });
    for (const junk of [undefined, '', 'a.b', 'x'.repeat(3000), `${kid}.!!!.${sig}`]) expect(readLink(junk, ring, '2027-03-02T00:00:00.000Z').ok).toBe(false);
  });
});
