import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_KEYS, ConfigError, DEV_STRIPE_WEBHOOK_SECRET, loadConfig } from './config';

const key = (byte: number) => Buffer.alloc(32, byte).toString('base64');

describe('configuration', () => {
  it('has working defaults outside production', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(3000);
    expect(config.temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'dpa-contracts', workerStaleAfterMs: 75_000 });
    expect(config.worker).toEqual({ shutdownGraceMs: 30_000, maxCachedWorkflows: 250, httpPort: null, workflowBundle: null });
    expect(config.metrics).toEqual({ token: null });
    expect([...config.http.codecOrigins]).toEqual(['http://127.0.0.1:8233', 'http://localhost:8233']);
    expect(config.payloadKeys.keys.size).toBe(1);
  });

  it('names every bad setting, and never echoes its value', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://secret-password@db', TEMPORAL_ADDRESS: 'nowhere' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const message = (e as Error).message;
      expect(message).toContain('PORT');
      expect(message).toContain('DATABASE_URL');
      expect(message).toContain('TEMPORAL_ADDRESS');
      expect(message).not.toContain('secret-password');
    }
  });

  it("the browser UI's sign-in: off without an issuer; in production the development client secret is refused, and a secret is required", () => {
    expect(loadConfig({}).ui).toMatchObject({ issuer: null, clientId: 'dpa-ui', roleClaim: 'dpa_role', baseUrl: 'http://127.0.0.1:3000', sessionIdleMs: 30 * 60_000 });
    expect(loadConfig({ OIDC_ISSUER: 'https://id.example', UI_BASE_URL: 'https://dpa.example/', UI_SESSION_IDLE: 'PT10M' }).ui).toMatchObject({ issuer: 'https://id.example', baseUrl: 'https://dpa.example', sessionIdleMs: 600_000 });
    const prod = { NODE_ENV: 'production', PAYLOAD_CODEC_KEYS: `p1:${key(1)}`, VAULT_MASTER_KEYS: `v1:${key(2)}`, EVIDENCE_SIGNING_KEYS: `e1:${key(3)}`, EVIDENCE_SIGNING_KEY_WINDOWS: 'e1=2026-01-01T00:00:00Z/', CONTACT_LINK_KEYS: `l1:${key(4)}`, OIDC_ISSUER: 'https://id.example', UI_BASE_URL: 'https://dpa.example' };
    expect(() => loadConfig(prod)).toThrow(/OIDC_CLIENT_SECRET: required in production/);
    expect(() => loadConfig({ ...prod, OIDC_CLIENT_SECRET: 'dev-oidc-client-secret' })).toThrow(/OIDC_CLIENT_SECRET: the development secret is refused/);
    expect(loadConfig({ ...prod, OIDC_CLIENT_SECRET: 'a-real-secret' }).ui.clientSecret).toBe('a-real-secret');
    expect(() => loadConfig({ ...prod, OIDC_CLIENT_SECRET: 'a-real-secret', OIDC_ISSUER: 'http://id.example' })).toThrow(/OIDC_ISSUER: must be https/);
    expect(() => loadConfig({ ...prod, OIDC_CLIENT_SECRET: 'a-real-secret', UI_BASE_URL: undefined })).toThrow(/UI_BASE_URL: required in production/);
    expect(() => loadConfig({ UI_SESSION_IDLE: 'PT0S' })).toThrow(/UI_SESSION_IDLE/);
    expect(() => loadConfig({ OIDC_ISSUER: 'ftp://id.example' })).toThrow(/OIDC_ISSUER/);
  });

  it('refuses to run in production on the development keys', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/PAYLOAD_CODEC_KEYS.*VAULT_MASTER_KEYS.*EVIDENCE_SIGNING_KEYS.*CONTACT_LINK_KEYS/);
    const keys = { NODE_ENV: 'production', PAYLOAD_CODEC_KEYS: `p1:${key(1)}`, VAULT_MASTER_KEYS: `v1:${key(2)}`, EVIDENCE_SIGNING_KEYS: `e1:${key(3)}`, EVIDENCE_SIGNING_KEY_WINDOWS: 'e1=2026-01-01T00:00:00Z/', CONTACT_LINK_KEYS: `l1:${key(4)}` };
    const config = loadConfig(keys);
    expect(config.production).toBe(true);
    // Every development key published in this repository is refused, given explicitly in any ring,
    // under any id, alone or beside a real key.
    const dev = loadConfig({});
    const published = [...dev.payloadKeys.keys.values(), ...dev.vaultKeys.keys.values(), ...dev.evidenceSigningKeys.keys.values(), ...dev.links.keys.keys.values()].map((k) => k.toString('base64'));
    expect(published).toHaveLength(4);
    for (const setting of ['PAYLOAD_CODEC_KEYS', 'VAULT_MASTER_KEYS', 'EVIDENCE_SIGNING_KEYS', 'CONTACT_LINK_KEYS'] as const) {
      for (const bytes of published) {
        expect(() => loadConfig({ ...keys, [setting]: `mine:${bytes}` }), setting).toThrow(new RegExp(`${setting}: mine: a development key published in this repository, refused in production`));
        expect(() => loadConfig({ ...keys, [setting]: `real:${key(9)},old:${bytes}` }), setting).toThrow(new RegExp(`${setting}: old: a development key`));
      }
    }
    // Outside production they are the defaults, and may be given too.
    expect(loadConfig({ EVIDENCE_SIGNING_KEYS: `mine:${published[2]}`, EVIDENCE_SIGNING_KEY_WINDOWS: 'mine=2026-01-01T00:00:00Z/' }).evidenceSigningKeys.activeId).toBe('mine');
    expect(() => loadConfig({ ...keys, PUBLIC_BASE_URL: 'http://dpa.example' })).toThrow(/PUBLIC_BASE_URL: must be https/);
    expect(loadConfig({ ...keys, PUBLIC_BASE_URL: 'https://dpa.example/' }).links.baseUrl).toBe('https://dpa.example');
  });

  it("Stripe's webhook: no secret, no route; secrets rotate as a list; the published development secret is refused in production", () => {
    expect(loadConfig({}).stripe).toEqual({ webhookSecrets: [], minGrace: 'P7D', livemode: false });
    expect(loadConfig({ STRIPE_WEBHOOK_SECRETS: 'whsec_new12345678,whsec_old12345678', STRIPE_MIN_GRACE: 'P10D', STRIPE_LIVEMODE: 'true' }).stripe).toEqual({ webhookSecrets: ['whsec_new12345678', 'whsec_old12345678'], minGrace: 'P10D', livemode: true });
    expect(() => loadConfig({ STRIPE_WEBHOOK_SECRETS: 'sk_live_not_a_webhook_secret' })).toThrow(/STRIPE_WEBHOOK_SECRETS: whsec_/);
    const prod = { NODE_ENV: 'production', PAYLOAD_CODEC_KEYS: `p1:${key(1)}`, VAULT_MASTER_KEYS: `v1:${key(2)}`, EVIDENCE_SIGNING_KEYS: `e1:${key(3)}`, EVIDENCE_SIGNING_KEY_WINDOWS: 'e1=2026-01-01T00:00:00Z/', CONTACT_LINK_KEYS: `l1:${key(4)}` };
    expect(loadConfig(prod).stripe.livemode).toBe(true);
    expect(() => loadConfig({ ...prod, STRIPE_WEBHOOK_SECRETS: `whsec_real12345678,${DEV_STRIPE_WEBHOOK_SECRET}` })).toThrow(/STRIPE_WEBHOOK_SECRETS: a development secret published in this repository/);
    expect(() => loadConfig({ ...prod, STRIPE_WEBHOOK_SECRETS: `whsec_real12345678,${DEV_STRIPE_WEBHOOK_SECRET}` })).not.toThrow(new RegExp(DEV_STRIPE_WEBHOOK_SECRET));
    expect(loadConfig({ STRIPE_WEBHOOK_SECRETS: DEV_STRIPE_WEBHOOK_SECRET }).stripe.webhookSecrets).toEqual([DEV_STRIPE_WEBHOOK_SECRET]);
  });

  it("gives each evidence signing key its window: the active key's open, a retired key's closed; set keys need theirs", () => {
    expect([...loadConfig({}).evidenceKeyWindows]).toEqual([['dev-evidence-1', { activeFrom: '2026-01-01T00:00:00.000Z', retiredAt: null }]]);
    const ring = { EVIDENCE_SIGNING_KEYS: `old:${key(1)},new:${key(2)}`, EVIDENCE_SIGNING_ACTIVE_KEY: 'new' };
    const windows = loadConfig({ ...ring, EVIDENCE_SIGNING_KEY_WINDOWS: 'old=2024-03-01T00:00:00Z/2026-06-01T12:00:00+02:00, new=2026-06-01T10:00:00Z/' }).evidenceKeyWindows;
    expect(windows.get('old')).toEqual({ activeFrom: '2024-03-01T00:00:00.000Z', retiredAt: '2026-06-01T10:00:00.000Z' });
    expect(windows.get('new')).toEqual({ activeFrom: '2026-06-01T10:00:00.000Z', retiredAt: null });
    const refused: [string | undefined, RegExp][] = [
      [undefined, /EVIDENCE_SIGNING_KEY_WINDOWS: key old has no window/],
      ['new=2026-06-01T10:00:00Z/', /key old has no window/],
      ['old=2024-03-01T00:00:00Z/, new=2026-06-01T10:00:00Z/', /key old is retired, so its window needs its retiredAt/],
      ['old=2024-03-01T00:00:00Z/2025-01-01T00:00:00Z, new=2026-06-01T10:00:00Z/2027-01-01T00:00:00Z', /key new is the active key, so its window cannot have ended/],
      ['old=2025-03-01T00:00:00Z/2025-01-01T00:00:00Z, new=2026-06-01T10:00:00Z/', /key old: retired before it became active/],
      ['old=2024-03-01/2025-01-01T00:00:00Z, new=2026-06-01T10:00:00Z/', /key old: "2024-03-01" is not an instant/],
      ['old=2024-02-30T00:00:00Z/2025-01-01T00:00:00Z, new=2026-06-01T10:00:00Z/', /key old: "2024-02-30T00:00:00Z" is not an instant/],
      ['old=2024-03-01T00:00:00Z/2025-01-01T00:00:00Z, new=2026-06-01T10:00:00Z/, other=2026-06-01T10:00:00Z/', /key other has a window but is not in the ring/],
      ['old=2024-03-01T00:00:00Z/2025-01-01T00:00:00Z, old=2024-03-01T00:00:00Z/2025-01-01T00:00:00Z, new=2026-06-01T10:00:00Z/', /key old has two windows/],
      ['old:2024-03-01T00:00:00Z', /each window must be written id=activeFrom\/retiredAt/],
    ];
    for (const [value, problem] of refused) expect(() => loadConfig({ ...ring, EVIDENCE_SIGNING_KEY_WINDOWS: value }), value).toThrow(problem);
  });

  it('reads key rings for rotation: every key decrypts, the active one encrypts', () => {
    const config = loadConfig({ PAYLOAD_CODEC_KEYS: `old:${key(1)},new:${key(2)}`, PAYLOAD_CODEC_ACTIVE_KEY: 'new' });
    expect(config.payloadKeys.activeId).toBe('new');
    expect([...config.payloadKeys.keys.keys()]).toEqual(['old', 'new']);
    expect(() => loadConfig({ PAYLOAD_CODEC_KEYS: 'short:AAAA' })).toThrow(/PAYLOAD_CODEC_KEYS: key short must be 32 bytes/);
    expect(() => loadConfig({ PAYLOAD_CODEC_KEYS: `a:${key(1)}`, PAYLOAD_CODEC_ACTIVE_KEY: 'b' })).toThrow(/active key b/);
  });

  it('L11: refuses an escalation margin that could reach before the end of the contract', () => {
    expect(loadConfig({ DESTRUCTION_ESCALATION_MARGIN: 'P14D' }).destruction.escalationMargin).toBe('P14D');
    expect(() => loadConfig({ DESTRUCTION_ESCALATION_MARGIN: 'P2M' })).toThrow(/DESTRUCTION_ESCALATION_MARGIN/);
    expect(() => loadConfig({ DESTRUCTION_ESCALATION_MARGIN: 'seven days' })).toThrow(/DESTRUCTION_ESCALATION_MARGIN/);
  });

  it("the worker serves HTTP only on a port it is given (never 0, a port nobody would know); a metrics token is long enough to guess at no better than chance", () => {
    expect(loadConfig({ WORKER_HTTP_PORT: '9464' }).worker.httpPort).toBe(9464);
    expect(() => loadConfig({ WORKER_HTTP_PORT: '0' })).toThrow(/WORKER_HTTP_PORT/);
    expect(() => loadConfig({ WORKER_HTTP_PORT: '65536' })).toThrow(/WORKER_HTTP_PORT/);
    expect(loadConfig({ METRICS_TOKEN: 'a-scraper-token-0123' }).metrics.token).toBe('a-scraper-token-0123');
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
    expect(() => loadConfig({ METRICS_TOKEN: 'has a space in it, see' })).toThrow(/METRICS_TOKEN/);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PAYLOAD_CODEC_KEYS: '', PORT: '' }).http.port).toBe(3000);
  });

  it('maps storage locations to adapters by configuration', () => {
    const config = loadConfig({ STORAGE_LOCATIONS: JSON.stringify({ 'ovh-sbg-2': { adapter: 'filesystem', root: '/mnt/sbg2' } }) });
    expect(config.storage.locations['ovh-sbg-2']).toEqual({ adapter: 'filesystem', root: '/mnt/sbg2' });
    expect(() => loadConfig({ STORAGE_LOCATIONS: '{"x": {"adapter": "s3"}}' })).toThrow(/STORAGE_LOCATIONS/);
  });

  it('takes SFTP locations held to the transfer policy: a pinned SHA256 host key, an absolute root, ciphers that only narrow it', () => {
    const sftp = { adapter: 'sftp', host: 'backup.example', username: 'dpa', privateKeyFile: '/etc/dpa/id_ed25519', hostKeyFingerprint: `SHA256:${'A'.repeat(43)}`, root: '/srv/backups' };
    expect(loadConfig({ STORAGE_LOCATIONS: JSON.stringify({ 'ovh-gra-1': { ...sftp, ciphers: ['aes256-gcm@openssh.com'] } }) }).storage.locations['ovh-gra-1']).toEqual({
      ...sftp,
      port: 22,
      ciphers: ['aes256-gcm@openssh.com'],
    });
    const refused = (loc: object) => () => loadConfig({ STORAGE_LOCATIONS: JSON.stringify({ 'ovh-gra-1': { ...sftp, ...loc } }) });
    expect(refused({ ciphers: ['aes128-ctr', '3des-cbc'] })).toThrow(/ovh-gra-1\.ciphers names 3des-cbc, weaker than the policy allows/);
    expect(refused({ hostKeyFingerprint: 'MD5:aa:bb' })).toThrow(/STORAGE_LOCATIONS.*hostKeyFingerprint/);
    expect(refused({ root: 'relative/dir' })).toThrow(/STORAGE_LOCATIONS.*root/);
    expect(refused({ password: 'secret' })).toThrow(/STORAGE_LOCATIONS/);
  });
});

describe('docker-compose.yml and docs/configuration.md', () => {
  const root = path.resolve(__dirname, '../../../..');
  it('give the engine only configuration keys it reads, and docs/configuration.md documents every key', () => {
    const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
      services: Record<string, { environment?: Record<string, unknown> }>;
    };
    for (const service of ['api', 'worker', 'migrate']) {
      const keys = Object.keys(compose.services[service]?.environment ?? {});
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.filter((k) => !(CONFIG_KEYS as string[]).includes(k))).toEqual([]);
    }
    const documented = fs.readFileSync(path.join(root, 'docs', 'configuration.md'), 'utf8');
    expect(CONFIG_KEYS.filter((k) => !documented.includes(`\`${k}\``))).toEqual([]);
  });
});
