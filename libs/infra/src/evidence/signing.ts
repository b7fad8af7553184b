import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { type KeyRing } from '../config/key-ring';

/** PKCS#8 DER of an Ed25519 private key, less its 32-byte seed (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface PublicSigningKey {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  readonly x: string;
  readonly kid: string;
  readonly use: 'sig';
  readonly alg: 'EdDSA';
  /** `active` signs new packs; `retired` ones still verify packs they signed. */
  readonly status: 'active' | 'retired';
}

/**
 * The evidence packs' signing keys (DESIGN §6): Ed25519, each made from a 32-byte seed of the
 * EVIDENCE_SIGNING_KEYS ring. The active one signs; every one, retired ones included, is published.
 */
export class EvidenceSigner {
  private readonly keys: ReadonlyMap<string, KeyObject>;

  constructor(private readonly ring: KeyRing) {
    this.keys = new Map([...ring.keys].map(([kid, seed]) => [kid, createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' })]));
  }

  get activeKid(): string {
    return this.ring.activeId;
  }

  /** The signature of `bytes` by the active key, base64. */
  sign(bytes: Buffer): string {
    return sign(null, bytes, this.keys.get(this.ring.activeId)!).toString('base64');
  }

  publicKey(kid: string): PublicSigningKey {
    const jwk = createPublicKey(this.keys.get(kid)!).export({ format: 'jwk' }) as { x: string };
    return { kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid, use: 'sig', alg: 'EdDSA', status: kid === this.ring.activeId ? 'active' : 'retired' };
  }

  /** The JWKS of `/.well-known/dpa-signing-keys`. */
  jwks(): { keys: PublicSigningKey[] } {
    return { keys: [...this.keys.keys()].map((kid) => this.publicKey(kid)) };
  }
}
