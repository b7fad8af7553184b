import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { type KeyRing } from '../config/key-ring';

/*
 * DESIGN §9: each subscription's signing secret, in Standard Webhooks' form (`whsec_` and 24
 * random bytes in base64), shown once when it is made and stored sealed: AES-256-GCM under a key
 * derived from the vault's active master key for this purpose alone, the subscription's id bound
 * in as associated data (a sealed secret moved to another row does not open).
 */

export const newWebhookSecret = (): string => `whsec_${randomBytes(24).toString('base64')}`;

const purposeKey = (master: Buffer) => createHmac('sha256', master).update('dpa-engine webhook secrets v1').digest();

export function sealSecret(ring: KeyRing, subscriptionId: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', purposeKey(ring.keys.get(ring.activeId)!), iv);
  cipher.setAAD(Buffer.from(subscriptionId));
  const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return `${ring.activeId}:${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64')}`;
}

export function openSecret(ring: KeyRing, subscriptionId: string, sealed: string): string {
  const at = sealed.indexOf(':');
  const key = ring.keys.get(sealed.slice(0, at));
  if (!key) throw new Error('the key that sealed this webhook secret is not in the vault key ring');
  const bytes = Buffer.from(sealed.slice(at + 1), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', purposeKey(key), bytes.subarray(0, 12));
  decipher.setAAD(Buffer.from(subscriptionId));
  decipher.setAuthTag(bytes.subarray(12, 28));
  return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
}
