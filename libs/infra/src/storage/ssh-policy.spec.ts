import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkCipherList, fingerprintOf, judgeHostKey, SSH_ALLOWED_CIPHERS } from './ssh-policy';

const sshString = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, 0].map((_, i) => (b.length >>> (24 - 8 * i)) & 0xff)), b]);
/** An SSH mpint: big-endian, with a leading zero byte when the top bit is set (RFC 4251 §5). */
const mpint = (b: Buffer) => sshString(b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);

/**
 * A public key in SSH wire format (RFC 4253 §6.6, RFC 8709, RFC 5656), encoded here from the JWK.
 * An RSA key is its exponent and a modulus of exactly `bits` bits (top bit set, odd): the policy
 * reads its size, and generating a real 4096-bit key takes seconds on a busy machine.
 */
function sshBlob(type: 'rsa' | 'ed25519' | 'ec', bits?: number): Buffer {
  if (type === 'rsa') {
    const modulus = randomBytes(bits! / 8);
    modulus[0]! |= 0x80;
    modulus[modulus.length - 1]! |= 1;
    return Buffer.concat([sshString(Buffer.from('ssh-rsa')), mpint(Buffer.from([1, 0, 1])), mpint(modulus)]);
  }
  const key = (type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519')).publicKey;
  const jwk = key.export({ format: 'jwk' });
  const b64 = (v: string | undefined) => Buffer.from(v!, 'base64url');
  if (type === 'ed25519') return Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(b64(jwk.x))]);
  return Buffer.concat([sshString(Buffer.from('ecdsa-sha2-nistp256')), sshString(Buffer.from('nistp256')), sshString(Buffer.concat([Buffer.from([4]), b64(jwk.x), b64(jwk.y)]))]);
}

describe('the SSH transfer policy (seed: "AES CBC or better", "RSA 4096 bits or more")', () => {
  it('accepts a configured cipher list only as a non-empty subset of the policy', () => {
    expect(checkCipherList(['aes256-gcm@openssh.com', 'aes128-cbc'])).toBeUndefined();
    expect(checkCipherList([...SSH_ALLOWED_CIPHERS])).toBeUndefined();
    expect(checkCipherList([])).toBe('lists no cipher');
    expect(checkCipherList(['aes256-ctr', '3des-cbc', 'arcfour'])).toMatch(/names 3des-cbc, arcfour, weaker than the policy allows/);
  });

  it('judges RSA by its modulus, Ed25519 as allowed, anything else as refused, then the pin', () => {
    const strong = sshBlob('rsa', 4096);
    expect(judgeHostKey(strong, fingerprintOf(strong))).toEqual({ ok: true, type: 'ssh-rsa', bits: 4096 });
    const weak = sshBlob('rsa', 3072);
    expect(judgeHostKey(weak, fingerprintOf(weak))).toMatchObject({ ok: false, bits: 3072, reason: "the server's host key is RSA of 3072 bits; the policy requires 4096 bits or more" });
    const ed = sshBlob('ed25519');
    expect(judgeHostKey(ed, fingerprintOf(ed))).toEqual({ ok: true, type: 'ssh-ed25519' });
    expect(judgeHostKey(ed, fingerprintOf(strong))).toMatchObject({ ok: false, reason: expect.stringMatching(/does not match the pinned/) });
    const ec = sshBlob('ec');
    expect(judgeHostKey(ec, fingerprintOf(ec))).toMatchObject({ ok: false, type: 'ecdsa-sha2-nistp256', reason: expect.stringMatching(/policy allows RSA of 4096 bits or more, or Ed25519/) });
  });

  it('refuses a malformed key without throwing', () => {
    expect(judgeHostKey(Buffer.from([0, 0, 0, 9, 1]), 'SHA256:x')).toMatchObject({ ok: false, reason: "the server's host key is malformed" });
    const rsaHeaderOnly = Buffer.concat([Buffer.from([0, 0, 0, 7]), Buffer.from('ssh-rsa'), Buffer.from([0, 0, 0, 1])]);
    expect(judgeHostKey(rsaHeaderOnly, 'SHA256:x')).toMatchObject({ ok: false, reason: "the server's host key is a malformed RSA key" });
  });

  it('prints fingerprints as ssh-keygen does (unpadded base64 of sha256)', () => {
    expect(fingerprintOf(Buffer.from('abc'))).toBe('SHA256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0');
  });
});
