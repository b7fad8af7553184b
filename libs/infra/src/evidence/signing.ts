import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { type KeyRing } from '../config/key-ring';
import { type KeyWindow } from '../config/key-windows';

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
  /** The instant from which the key signs packs. */
  readonly activeFrom: string;
  /** The instant from which it signs no more (null for the active key): a pack dated outside fails. */
  readonly retiredAt: string | null;
}

/** RFC 7638 thumbprint of an Ed25519 public JWK: base64url of the sha256 of its required members in order. */
export const jwkThumbprint = (jwk: { crv: string; kty: string; x: string }): string =>
  createHash('sha256').update(`{"crv":"${jwk.crv}","kty":"${jwk.kty}","x":"${jwk.x}"}`).digest('base64url');

/**
 * The evidence packs' signing keys (DESIGN §6): Ed25519, each made from a 32-byte seed of the
 * EVIDENCE_SIGNING_KEYS ring. The active one signs; every one, retired ones included, is published
 * with its window (EVIDENCE_SIGNING_KEY_WINDOWS).
 */
export class EvidenceSigner {
  private readonly keys: ReadonlyMap<string, KeyObject>;

  constructor(
    private readonly ring: KeyRing,
    private readonly windows: ReadonlyMap<string, KeyWindow>,
  ) {
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
    const { activeFrom, retiredAt } = this.windows.get(kid)!;
    return { kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid, use: 'sig', alg: 'EdDSA', status: kid === this.ring.activeId ? 'active' : 'retired', activeFrom, retiredAt };
  }

  has(kid: string): boolean {
    return this.keys.has(kid);
  }

  thumbprint(kid: string): string {
    return jwkThumbprint(this.publicKey(kid));
  }

  /** The public key as PEM (SPKI), for `openssl pkeyutl -verify`. */
  publicKeyPem(kid: string): string {
    return createPublicKey(this.keys.get(kid)!).export({ type: 'spki', format: 'pem' }).toString();
  }

  /** Whether `instant` lies in the active key's window: a pack it signs then verifies. */
  activeAt(instant: string): boolean {
    return instant >= this.windows.get(this.ring.activeId)!.activeFrom;
  }

  /** The JWKS of `/.well-known/dpa-signing-keys`. */
  jwks(): { keys: PublicSigningKey[] } {
    return { keys: [...this.keys.keys()].map((kid) => this.publicKey(kid)) };
  }
}
