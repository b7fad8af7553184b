import { createHash, createPublicKey } from 'node:crypto';
import { SECURITY_MEASURES } from '#domain';

/**
 * The seed's "Data transfer security": SSH with "AES CBC or better", and "RSA with a length of 4096
 * bits or more". Better than AES-CBC means AES in CTR or GCM mode, or chacha20-poly1305; the host
 * key may be RSA of at least the catalog's bits, or Ed25519 (stronger than RSA-4096 at a fraction
 * of the size). Anything else is refused before a byte of the contract's data moves.
 */
export const SSH_ALLOWED_CIPHERS = [
  'chacha20-poly1305@openssh.com',
  'aes256-gcm@openssh.com',
  'aes128-gcm@openssh.com',
  'aes256-ctr',
  'aes192-ctr',
  'aes128-ctr',
  'aes256-cbc',
  'aes192-cbc',
  'aes128-cbc',
] as const;

/** Host key signature algorithms: RSA only with SHA-2 (RFC 8332), and Ed25519. */
export const SSH_ALLOWED_HOST_KEY_ALGORITHMS = ['ssh-ed25519', 'rsa-sha2-512', 'rsa-sha2-256'] as const;

/**
 * Key exchange: curve25519, or finite-field Diffie-Hellman of 4096 bits or more (RFC 8268 groups
 * 16 and 18), so the session keys are no weaker than the RSA-4096 host key; no group-exchange
 * (the server picks a group as small as 2048 bits), no SHA-1.
 */
export const SSH_ALLOWED_KEX = ['curve25519-sha256', 'curve25519-sha256@libssh.org', 'diffie-hellman-group18-sha512', 'diffie-hellman-group16-sha512'] as const;

/** MACs (the CBC and CTR ciphers need one): SHA-2 only, encrypt-then-MAC first. */
export const SSH_ALLOWED_MACS = ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha2-512'] as const;

export const RSA_MIN_BITS = SECURITY_MEASURES.inTransit.keyMinBits;

export type SshCipher = (typeof SSH_ALLOWED_CIPHERS)[number];

/** A configured cipher list: a non-empty subset of the policy's, or the reason it is not. */
export function checkCipherList(ciphers: readonly string[]): string | undefined {
  if (ciphers.length === 0) return 'lists no cipher';
  const weak = ciphers.filter((c) => !(SSH_ALLOWED_CIPHERS as readonly string[]).includes(c));
  if (weak.length) return `names ${weak.join(', ')}, weaker than the policy allows (AES CBC, CTR or GCM, or chacha20-poly1305)`;
  return undefined;
}

/** A pinned host key: `SHA256:<base64>` as `ssh-keygen -l` prints it. */
export const HOST_KEY_FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

export interface HostKeyVerdict {
  readonly ok: boolean;
  readonly type: string;
  /** RSA modulus bits (RSA keys only). */
  readonly bits?: number;
  /** Why the key is refused; never the key itself. */
  readonly reason?: string;
}

function sshString(blob: Buffer, offset: number): { value: Buffer; next: number } {
  if (offset + 4 > blob.length) throw new Error('truncated');
  const length = blob.readUInt32BE(offset);
  if (offset + 4 + length > blob.length) throw new Error('truncated');
  return { value: blob.subarray(offset + 4, offset + 4 + length), next: offset + 4 + length };
}

/** RSA modulus length in bits, from the wire-format key (RFC 4253 §6.6). */
function rsaBits(blob: Buffer): number {
  const type = sshString(blob, 0);
  const e = sshString(blob, type.next);
  const n = sshString(blob, e.next).value;
  const jwk = createPublicKey({ key: { kty: 'RSA', e: e.value.toString('base64url'), n: n.toString('base64url') }, format: 'jwk' });
  return jwk.asymmetricKeyDetails?.modulusLength ?? 0;
}

/** Why a public key (wire format) is weaker than the policy allows, or undefined when it is not. */
export function judgeKeyStrength(blob: Buffer, what = "the server's host key", minRsaBits: number = RSA_MIN_BITS): string | undefined {
  let type: string;
  try {
    type = sshString(blob, 0).value.toString('latin1');
  } catch {
    return `${what} is malformed`;
  }
  if (type === 'ssh-rsa') {
    let bits: number;
    try {
      bits = rsaBits(blob);
    } catch {
      return `${what} is a malformed RSA key`;
    }
    return bits < minRsaBits ? `${what} is RSA of ${bits} bits; the policy requires ${minRsaBits} bits or more` : undefined;
  }
  return type === 'ssh-ed25519' ? undefined : `${what} is ${type}; the policy allows RSA of ${minRsaBits} bits or more, or Ed25519`;
}

/**
 * The server's host key, judged against the policy and then against the pinned fingerprint: a
 * weak key is refused as weak even when it is the pinned one.
 */
export function judgeHostKey(blob: Buffer, pinned: string, minRsaBits: number = RSA_MIN_BITS): HostKeyVerdict {
  let type = 'unknown';
  try {
    type = sshString(blob, 0).value.toString('latin1');
  } catch {
    // judgeKeyStrength names it.
  }
  const weak = judgeKeyStrength(blob, "the server's host key", minRsaBits);
  const bits = type === 'ssh-rsa' && !weak?.includes('malformed') ? rsaBits(blob) : undefined;
  if (weak) return { ok: false, type, ...(bits === undefined ? {} : { bits }), reason: weak };
  if (fingerprintOf(blob) !== pinned) return { ok: false, type, reason: "the server's host key does not match the pinned fingerprint" };
  return { ok: true, type, ...(bits === undefined ? {} : { bits }) };
}
