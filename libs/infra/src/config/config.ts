import * as path from 'node:path';
import { z } from 'zod';
import { DESTRUCTION_PERIOD, maxLengthMs, minLengthMs, SUBJECT_REQUEST_PERIOD } from '#domain';
import { checkCipherList, HOST_KEY_FINGERPRINT, type SshCipher } from '../storage/ssh-policy';
import { parseKeyRing, type KeyRing } from './key-ring';
import { parseKeyWindows, type KeyWindow } from './key-windows';
import ipaddr from 'ipaddr.js';

const isCidr = (entry: string) => {
  try {
    ipaddr.parseCIDR(entry);
    return true;
  } catch {
    return false;
  }
};

/** A bad or missing setting: the message names every offending variable, never its value. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: { setting: string; problem: string }[]) {
    super(`Invalid configuration: ${problems.map((p) => `${p.setting}: ${p.problem}`).join('; ')}`);
  }
}

// Development-only keys. They let `npm run up` work on a fresh clone; production refuses them.
const DEV_PAYLOAD_KEYS = 'dev-payload-1:ZGV2LW9ubHktcGF5bG9hZC1rZXktMDAwMDAwMDAwMDA=';
const DEV_VAULT_KEYS = 'dev-vault-1:ZGV2LW9ubHktdmF1bHQtbWFzdGVyLWtleS0wMDAwMDA=';
const DEV_EVIDENCE_KEYS = 'dev-evidence-1:ZGV2LW9ubHktZXZpZGVuY2Utc2lnbmluZy1rZXktMDA=';
const DEV_EVIDENCE_KEY_WINDOWS = 'dev-evidence-1=2026-01-01T00:00:00Z/';
const DEV_LINK_KEYS = 'dev-link-1:ZGV2LW9ubHktbGluay1zaWduaW5nLWtleS0wMDAwMDA=';
/**
 * Every key this repository publishes, by its bytes: production refuses them in any ring and under
 * any id, so a copied development env file cannot let anyone forge packs, links or payloads.
 */
const PUBLISHED_KEYS: readonly Buffer[] = [DEV_PAYLOAD_KEYS, DEV_VAULT_KEYS, DEV_EVIDENCE_KEYS, DEV_LINK_KEYS].map((ring) => Buffer.from(ring.slice(ring.indexOf(':') + 1), 'base64'));
/**
 * A Stripe webhook signing secret for trying the billing webhook locally (docs/stripe.md) and for the
 * tests, which sign their own events with it. Published here, so production refuses it.
 */
export const DEV_STRIPE_WEBHOOK_SECRET = 'whsec_devOnlyStripeWebhookSecret0000';
/** The development OpenID provider's client secret (scripts/services/oidc-provider.mjs); production refuses it. */
export const DEV_OIDC_CLIENT_SECRET = 'dev-oidc-client-secret';
/** The development OpenID provider's users: refused as subjects when NODE_ENV=production. */
export const DEV_OIDC_USERS = ['account-manager', 'dpo', 'admin', 'billing'] as const;

const isoDuration = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  API_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/, 'a size such as 100kb').default('100kb'),
  /** Browser origins of the Temporal UI allowed to call the codec endpoint (comma-separated). */
  TEMPORAL_UI_ORIGINS: z.string().regex(/^(https?:\/\/[^\s,/]+)(,https?:\/\/[^\s,/]+)*$/, 'origins such as http://127.0.0.1:8233, comma-separated').default('http://127.0.0.1:8233,http://localhost:8233'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'a postgres:// connection URL')
    .default('postgres://dpa:dpa@127.0.0.1:54320/dpa'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  TEMPORAL_ADDRESS: z.string().regex(/^[^\s:]+:\d+$/, 'host:port').default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('dpa-contracts'),
  /** Milliseconds without a poll after which the task queue is taken to have no worker (an idle worker polls about once a minute). */
  TEMPORAL_WORKER_STALE_AFTER: z.coerce.number().int().min(1_000).default(75_000),
  PAYLOAD_CODEC_KEYS: z.string().optional(),
  PAYLOAD_CODEC_ACTIVE_KEY: z.string().optional(),
  VAULT_MASTER_KEYS: z.string().optional(),
  VAULT_ACTIVE_MASTER_KEY: z.string().optional(),
  EVIDENCE_SIGNING_KEYS: z.string().optional(),
  EVIDENCE_SIGNING_ACTIVE_KEY: z.string().optional(),
  EVIDENCE_SIGNING_KEY_WINDOWS: z.string().optional(),
  /** HMAC keys of the links emailed to controllers (DESIGN §3.10): id:base64-32-byte-key, the first (or the active one) signs, all verify. */
  CONTACT_LINK_KEYS: z.string().optional(),
  CONTACT_LINK_ACTIVE_KEY: z.string().optional(),
  /** How long an emailed link can be followed. */
  CONTACT_LINK_TTL: z.string().regex(isoDuration, 'an ISO-8601 duration such as P14D').default('P14D'),
  /** How often each controller in processing is asked to confirm its breach contact. */
  CONTACT_CHECK_PERIOD: z.string().regex(isoDuration, 'an ISO-8601 duration such as P6M').default('P6M'),
  /** Where the links in emails point (the API's public origin); default http://HOST:PORT. */
  PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'an smtp:// or smtps:// URL').default('smtp://127.0.0.1:1025'),
  MAIL_FROM: z.string().min(3).default('DPA engine <dpa-engine@localhost>'),
  PROCESSOR_NAME: z.string().min(1).default('7724'),
  PROCESSOR_DPO_NAME: z.string().min(1).default('Data Protection Officer'),
  PROCESSOR_DPO_EMAIL: z.email().default('dpo@localhost.localdomain'),
  PROCESSOR_DPO_PHONE: z.string().regex(/^[0-9+(). -]{3,40}$/, 'digits, spaces and + ( ) . -').optional(),
  ACCOUNT_MANAGEMENT_EMAIL: z.email().default('account-management@localhost.localdomain'),
  STORAGE_ROOT: z.string().min(1).default('.data/storage'),
  STORAGE_LOCATIONS: z.string().optional(),
  EXPORT_ROOT: z.string().min(1).default('.data/exports'),
  DESTRUCTION_ESCALATION_MARGIN: z.string().regex(isoDuration, 'an ISO-8601 duration such as P7D').default('P7D'),
  DSR_ASSISTANCE_MARGIN: z.string().regex(isoDuration, 'an ISO-8601 duration such as P7D').default('P7D'),
  BREACH_NOTICE_TARGET: z.string().regex(isoDuration, 'an ISO-8601 duration such as PT24H').default('PT24H'),
  SUB_PROCESSOR_OBJECTION_PERIOD: z.string().regex(isoDuration, 'an ISO-8601 duration such as P30D').default('P30D'),
  /** The browser UI's OpenID provider (DESIGN §7); without it the pages say sign-in is not configured. */
  OIDC_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  OIDC_CLIENT_ID: z.string().min(1).default('dpa-ui'),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** The ID-token or userinfo claim that carries the user's role (account_manager, dpo, admin, billing). */
  OIDC_ROLE_CLAIM: z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'a claim name').default('dpa_role'),
  /** Where browsers reach the UI (its sign-in callback is UI_BASE_URL/ui/callback); default http://HOST:PORT. */
  UI_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  UI_SESSION_IDLE: z.string().regex(isoDuration, 'an ISO-8601 duration such as PT30M').default('PT30M'),
  /** DESIGN §8: how long a controller's sign-in link may be used (once). */
  PORTAL_LINK_TTL: z.string().regex(isoDuration, 'an ISO-8601 duration such as PT15M').default('PT15M'),
  /** Sign-in links a client may ask for in an hour: per address asked for, and per client address. */
  PORTAL_LINK_LIMIT_PER_ADDRESS: z.coerce.number().int().min(1).default(5),
  PORTAL_LINK_LIMIT_PER_CLIENT: z.coerce.number().int().min(1).default(30),
  /** Believe X-Forwarded-For (the API is behind a proxy that sets it): the client address rate limits count by. */
  TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  /** DESIGN §9: Stripe's webhook signing secrets (whsec_…, comma-separated, so one can be rotated); unset, the webhook route does not exist. */
  STRIPE_WEBHOOK_SECRETS: z.string().regex(/^whsec_[A-Za-z0-9+/=_-]{8,200}(,whsec_[A-Za-z0-9+/=_-]{8,200})*$/, 'whsec_… secrets, comma-separated').optional(),
  /** The shortest renewal grace period a contract must have for a Stripe subscription to map to it. */
  STRIPE_MIN_GRACE: z.string().regex(isoDuration, 'an ISO-8601 duration such as P7D').default('P7D'),
  /** Whether Stripe events must be live-mode ones (true) or test-mode ones (false); default: true in production only. */
  STRIPE_LIVEMODE: z.enum(['true', 'false']).optional(),
  /** DESIGN §9: how long a delivery of an event out is tried before its subscription is marked failing (and the DPO told). */
  WEBHOOK_RETRY_FOR: z.string().regex(isoDuration, 'an ISO-8601 duration such as PT24H').default('PT24H'),
  /** Pins the targets of events out: host names and CIDR ranges, comma-separated (a range may be private). */
  WEBHOOK_ALLOWED_TARGETS: z.string().regex(/^[A-Za-z0-9.:/_-]+(,[A-Za-z0-9.:/_-]+)*$/, 'host names and CIDR ranges, comma-separated').optional(),
  WORKER_SHUTDOWN_GRACE: z.coerce.number().int().min(0).default(30_000),
  /** Workflows the worker keeps in memory between tasks (each costs a V8 context); more are replayed from history when they wake. */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(250),
  WORKER_WORKFLOW_BUNDLE: z.string().min(1).optional(),
  /** The worker's port for /metrics and /health/* (on HOST); unset, the worker serves no HTTP. */
  WORKER_HTTP_PORT: z.coerce.number().int().min(1, 'a port from 1 to 65535 (0 would be a port nobody knows)').max(65535).optional(),
  /** When set, GET /metrics (API and worker) asks for `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z.string().regex(/^[\x21-\x7e]{16,200}$/, '16 to 200 visible ASCII characters').optional(),
});

type Env = z.infer<typeof schema>;

export interface FilesystemLocationConfig {
  readonly adapter: 'filesystem';
  readonly root: string;
  /** Files deleted per step; each step heartbeats. */
  readonly batchSize?: number;
  /** A pause between steps, to keep mass deletion from saturating shared storage. */
  readonly throttleMs?: number;
}

/** A remote site reached over SFTP; its SSH session is held to the seed's transfer policy (ssh-policy.ts). */
export interface SftpLocationConfig {
  readonly adapter: 'sftp';
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly privateKeyFile: string;
  readonly hostKeyFingerprint: string;
  /** The folder on the server holding one folder per contract (absolute). */
  readonly root: string;
  readonly ciphers?: readonly SshCipher[];
  readonly batchSize?: number;
  readonly throttleMs?: number;
}

export type StorageLocationConfig = FilesystemLocationConfig | SftpLocationConfig;

export interface AppConfig {
  readonly env: Env['NODE_ENV'];
  readonly production: boolean;
  readonly logLevel: Env['LOG_LEVEL'];
  readonly http: { readonly host: string; readonly port: number; readonly bodyLimit: string; readonly codecOrigins: ReadonlySet<string> };
  readonly database: { readonly url: string; readonly poolSize: number };
  readonly temporal: { readonly address: string; readonly namespace: string; readonly taskQueue: string; readonly workerStaleAfterMs: number };
  readonly payloadKeys: KeyRing;
  readonly vaultKeys: KeyRing;
  readonly evidenceSigningKeys: KeyRing;
  /** Each evidence signing key's window (activeFrom, retiredAt), published in the JWKS. */
  readonly evidenceKeyWindows: ReadonlyMap<string, KeyWindow>;
  readonly links: { readonly keys: KeyRing; readonly ttl: string; readonly baseUrl: string };
  readonly contactChecks: { readonly period: string };
  readonly mail: { readonly smtpUrl: string; readonly from: string };
  readonly processor: { readonly name: string; readonly dpoName: string; readonly dpoEmail: string; readonly dpoPhone: string | null; readonly accountManagementEmail: string };
  readonly storage: {
    readonly root: string;
    readonly exportRoot: string;
    readonly locations: Readonly<Record<string, StorageLocationConfig>>;
  };
  readonly destruction: { readonly escalationMargin: string };
  readonly subjectRequests: { readonly assistanceMargin: string };
  readonly breachNotices: { readonly target: string };
  readonly subProcessors: { readonly objectionPeriod: string };
  readonly ui: {
    readonly issuer: string | null;
    readonly clientId: string;
    readonly clientSecret: string;
    readonly roleClaim: string;
    readonly baseUrl: string;
    readonly sessionIdleMs: number;
  };
  readonly portal: { readonly linkTtlMs: number; readonly limitPerAddress: number; readonly limitPerClient: number; readonly trustProxy: boolean };
  readonly worker: {
    readonly shutdownGraceMs: number;
    readonly maxCachedWorkflows: number;
    readonly httpPort: number | null;
    /** A workflow bundle made beforehand (a file of its code), instead of bundling at start. */
    readonly workflowBundle: string | null;
  };
  readonly metrics: { readonly token: string | null };
  /** DESIGN §9: events out, to the endpoints subscribed. */
  readonly webhooks: { readonly retryForMs: number; readonly allowed: readonly string[] };
  /** DESIGN §9: billing facts from Stripe's webhooks (no secret: no route). */
  readonly stripe: { readonly webhookSecrets: readonly string[]; readonly minGrace: string; readonly livemode: boolean };
}

/** Every environment variable the engine reads (docs/configuration.md). */
export const CONFIG_KEYS = Object.keys(schema.shape) as (keyof Env)[];

export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  // An empty variable means "not set" (docker compose writes `KEY: ${KEY:-}`).
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => ({ setting: String(i.path[0] ?? '?'), problem: i.message }));
  // Key rings and storage locations are checked even when other settings are bad: one run names every problem.
  const raw = present as Record<string, string | undefined>;
  const production = raw.NODE_ENV === 'production';

  const ring = (
    keysVar: 'PAYLOAD_CODEC_KEYS' | 'VAULT_MASTER_KEYS' | 'EVIDENCE_SIGNING_KEYS' | 'CONTACT_LINK_KEYS',
    activeVar: 'PAYLOAD_CODEC_ACTIVE_KEY' | 'VAULT_ACTIVE_MASTER_KEY' | 'EVIDENCE_SIGNING_ACTIVE_KEY' | 'CONTACT_LINK_ACTIVE_KEY',
    devKeys: string,
  ) => {
    const keys = raw[keysVar] ?? (production ? undefined : devKeys);
    if (keys === undefined) {
      problems.push({ setting: keysVar, problem: 'required in production (id:base64-32-byte-key,…)' });
      return undefined;
    }
    try {
      const parsed = parseKeyRing(keys, raw[activeVar]);
      const published = production ? [...parsed.keys].filter(([, bytes]) => PUBLISHED_KEYS.some((p) => p.equals(bytes))).map(([id]) => id) : [];
      if (published.length > 0) {
        problems.push({ setting: keysVar, problem: `${published.join(', ')}: a development key published in this repository, refused in production (make one with \`openssl rand -base64 32\`)` });
        return undefined;
      }
      return parsed;
    } catch (e) {
      problems.push({ setting: keysVar, problem: (e as Error).message });
      return undefined;
    }
  };
  const payloadKeys = ring('PAYLOAD_CODEC_KEYS', 'PAYLOAD_CODEC_ACTIVE_KEY', DEV_PAYLOAD_KEYS);
  const vaultKeys = ring('VAULT_MASTER_KEYS', 'VAULT_ACTIVE_MASTER_KEY', DEV_VAULT_KEYS);
  // Ed25519 seeds (32 bytes each) of the evidence packs' signing keys; retired ones stay listed so old packs verify.
  const evidenceSigningKeys = ring('EVIDENCE_SIGNING_KEYS', 'EVIDENCE_SIGNING_ACTIVE_KEY', DEV_EVIDENCE_KEYS);
  const linkKeys = ring('CONTACT_LINK_KEYS', 'CONTACT_LINK_ACTIVE_KEY', DEV_LINK_KEYS);
  // Set keys need their windows; the development key has its own.
  let evidenceKeyWindows: ReadonlyMap<string, KeyWindow> | undefined;
  const windows = raw.EVIDENCE_SIGNING_KEY_WINDOWS ?? (raw.EVIDENCE_SIGNING_KEYS === undefined ? DEV_EVIDENCE_KEY_WINDOWS : '');
  if (evidenceSigningKeys) {
    try {
      evidenceKeyWindows = parseKeyWindows(windows, evidenceSigningKeys);
    } catch (e) {
      problems.push({ setting: 'EVIDENCE_SIGNING_KEY_WINDOWS', problem: (e as Error).message });
    }
  }
  if (production && raw.PUBLIC_BASE_URL && !raw.PUBLIC_BASE_URL.startsWith('https://')) problems.push({ setting: 'PUBLIC_BASE_URL', problem: 'must be https:// in production' });
  for (const setting of ['CONTACT_LINK_TTL', 'CONTACT_CHECK_PERIOD'] as const) {
    if (parsed.success && raw[setting] && maxLengthMs(raw[setting]!) === 0) problems.push({ setting, problem: 'must be longer than zero' });
  }

  let locations: Record<string, StorageLocationConfig> = {};
  if (raw.STORAGE_LOCATIONS) {
    try {
      locations = parseStorageLocations(raw.STORAGE_LOCATIONS);
    } catch (e) {
      problems.push({ setting: 'STORAGE_LOCATIONS', problem: (e as Error).message });
    }
  }
  // L11: the escalation must fall after the end of processing whatever the end instant.
  const margin = raw.DESTRUCTION_ESCALATION_MARGIN;
  if (parsed.success && margin && maxLengthMs(margin) >= minLengthMs(DESTRUCTION_PERIOD)) {
    problems.push({ setting: 'DESTRUCTION_ESCALATION_MARGIN', problem: `must be shorter than the ${DESTRUCTION_PERIOD} destruction period (59 days at least)` });
  }
  // DESIGN §3.2: the processor's help falls inside the controller's first month, and is not now.
  const assistance = raw.DSR_ASSISTANCE_MARGIN;
  if (parsed.success && assistance && (maxLengthMs(assistance) === 0 || maxLengthMs(assistance) >= minLengthMs(SUBJECT_REQUEST_PERIOD))) {
    problems.push({ setting: 'DSR_ASSISTANCE_MARGIN', problem: `must be longer than zero and shorter than the ${SUBJECT_REQUEST_PERIOD} the controller has (under 28 days, its shortest month)` });
  }
  // DESIGN §3.1: the notice goes out promptly; past the controller's own 72 hours it would be no target at all.
  const target = raw.BREACH_NOTICE_TARGET;
  if (parsed.success && target && (maxLengthMs(target) === 0 || maxLengthMs(target) > 72 * 3_600_000)) {
    problems.push({ setting: 'BREACH_NOTICE_TARGET', problem: 'must be longer than zero and at most PT72H (the controller has 72 hours from awareness)' });
  }
  // DESIGN §7: the development provider's client secret is refused in production, like the development keys.
  if (production && raw.OIDC_ISSUER && !raw.OIDC_CLIENT_SECRET) problems.push({ setting: 'OIDC_CLIENT_SECRET', problem: 'required in production with OIDC_ISSUER' });
  if (production && raw.OIDC_CLIENT_SECRET === DEV_OIDC_CLIENT_SECRET) problems.push({ setting: 'OIDC_CLIENT_SECRET', problem: 'the development secret is refused in production' });
  // Tokens and session cookies cross the network in production: https only, and a base URL that browsers really use.
  if (production && raw.OIDC_ISSUER && !raw.OIDC_ISSUER.startsWith('https://')) problems.push({ setting: 'OIDC_ISSUER', problem: 'must be https:// in production' });
  if (production && raw.OIDC_ISSUER && !raw.UI_BASE_URL?.startsWith('https://')) problems.push({ setting: 'UI_BASE_URL', problem: 'required in production with OIDC_ISSUER, as https://' });
  const idle = raw.UI_SESSION_IDLE;
  if (parsed.success && idle && maxLengthMs(idle) === 0) problems.push({ setting: 'UI_SESSION_IDLE', problem: 'must be longer than zero' });
  const portalTtl = raw.PORTAL_LINK_TTL;
  if (parsed.success && portalTtl && (maxLengthMs(portalTtl) === 0 || maxLengthMs(portalTtl) > 86_400_000)) problems.push({ setting: 'PORTAL_LINK_TTL', problem: 'must be longer than zero and at most a day' });
  // DESIGN §3.8: controllers must have some time to object to a sub-processor change.
  const objection = raw.SUB_PROCESSOR_OBJECTION_PERIOD;
  if (parsed.success && objection && maxLengthMs(objection) === 0) {
    problems.push({ setting: 'SUB_PROCESSOR_OBJECTION_PERIOD', problem: 'must be longer than zero' });
  }
  for (const entry of raw.WEBHOOK_ALLOWED_TARGETS?.split(',') ?? []) {
    if (entry.includes('/') && !isCidr(entry)) problems.push({ setting: 'WEBHOOK_ALLOWED_TARGETS', problem: `${entry} is not a CIDR range` });
  }
  const retryFor = raw.WEBHOOK_RETRY_FOR;
  if (parsed.success && retryFor && maxLengthMs(retryFor) === 0) problems.push({ setting: 'WEBHOOK_RETRY_FOR', problem: 'must be longer than zero' });
  if (production && raw.STRIPE_WEBHOOK_SECRETS?.split(',').includes(DEV_STRIPE_WEBHOOK_SECRET)) {
    problems.push({ setting: 'STRIPE_WEBHOOK_SECRETS', problem: 'a development secret published in this repository, refused in production (use the endpoint\'s own from Stripe)' });
  }
  if (!parsed.success || problems.length > 0 || !payloadKeys || !vaultKeys || !evidenceSigningKeys || !evidenceKeyWindows || !linkKeys) throw new ConfigError(problems);
  const env = parsed.data;

  return {
    env: env.NODE_ENV,
    production,
    logLevel: env.LOG_LEVEL,
    http: { host: env.HOST, port: env.PORT, bodyLimit: env.API_BODY_LIMIT, codecOrigins: new Set(env.TEMPORAL_UI_ORIGINS.split(',')) },
    database: { url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE },
    temporal: { address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, taskQueue: env.TEMPORAL_TASK_QUEUE, workerStaleAfterMs: env.TEMPORAL_WORKER_STALE_AFTER },
    payloadKeys,
    vaultKeys,
    evidenceSigningKeys,
    evidenceKeyWindows,
    links: { keys: linkKeys, ttl: env.CONTACT_LINK_TTL, baseUrl: (env.PUBLIC_BASE_URL ?? `http://${env.HOST}:${env.PORT}`).replace(/\/$/, '') },
    contactChecks: { period: env.CONTACT_CHECK_PERIOD },
    mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM },
    processor: { name: env.PROCESSOR_NAME, dpoName: env.PROCESSOR_DPO_NAME, dpoEmail: env.PROCESSOR_DPO_EMAIL, dpoPhone: env.PROCESSOR_DPO_PHONE ?? null, accountManagementEmail: env.ACCOUNT_MANAGEMENT_EMAIL },
    storage: { root: path.resolve(env.STORAGE_ROOT), exportRoot: path.resolve(env.EXPORT_ROOT), locations },
    destruction: { escalationMargin: env.DESTRUCTION_ESCALATION_MARGIN },
    subjectRequests: { assistanceMargin: env.DSR_ASSISTANCE_MARGIN },
    breachNotices: { target: env.BREACH_NOTICE_TARGET },
    subProcessors: { objectionPeriod: env.SUB_PROCESSOR_OBJECTION_PERIOD },
    ui: {
      issuer: env.OIDC_ISSUER ?? null,
      clientId: env.OIDC_CLIENT_ID,
      clientSecret: env.OIDC_CLIENT_SECRET ?? DEV_OIDC_CLIENT_SECRET,
      roleClaim: env.OIDC_ROLE_CLAIM,
      baseUrl: (env.UI_BASE_URL ?? `http://${env.HOST}:${env.PORT}`).replace(/\/$/, ''),
      sessionIdleMs: minLengthMs(env.UI_SESSION_IDLE),
    },
    portal: { linkTtlMs: minLengthMs(env.PORTAL_LINK_TTL), limitPerAddress: env.PORTAL_LINK_LIMIT_PER_ADDRESS, limitPerClient: env.PORTAL_LINK_LIMIT_PER_CLIENT, trustProxy: env.TRUST_PROXY === 'true' },
    worker: { shutdownGraceMs: env.WORKER_SHUTDOWN_GRACE, maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS, httpPort: env.WORKER_HTTP_PORT ?? null, workflowBundle: env.WORKER_WORKFLOW_BUNDLE ?? null },
    metrics: { token: env.METRICS_TOKEN ?? null },
    webhooks: { retryForMs: minLengthMs(env.WEBHOOK_RETRY_FOR), allowed: env.WEBHOOK_ALLOWED_TARGETS?.split(',') ?? [] },
    stripe: {
      webhookSecrets: env.STRIPE_WEBHOOK_SECRETS?.split(',') ?? [],
      minGrace: env.STRIPE_MIN_GRACE,
      livemode: env.STRIPE_LIVEMODE === undefined ? production : env.STRIPE_LIVEMODE === 'true',
    },
  };
}

const steps = {
  batchSize: z.number().int().min(1).max(100_000).optional(),
  throttleMs: z.number().int().min(0).max(60_000).optional(),
};

const storageLocationsSchema = z.record(
  z.string().min(1),
  z.discriminatedUnion('adapter', [
    z.object({ adapter: z.literal('filesystem'), root: z.string().min(1), ...steps }).strict(),
    z
      .object({
        adapter: z.literal('sftp'),
        host: z.string().min(1),
        port: z.number().int().min(1).max(65_535).default(22),
        username: z.string().min(1),
        privateKeyFile: z.string().min(1),
        hostKeyFingerprint: z.string().regex(HOST_KEY_FINGERPRINT),
        root: z.string().startsWith('/'),
        ciphers: z.array(z.string()).optional(),
        ...steps,
      })
      .strict(),
  ]),
);

const LOCATIONS_SHAPE =
  '{"<location id>": {"adapter": "filesystem", "root": "<dir>"}} or {"<location id>": {"adapter": "sftp", "host", "port", "username", "privateKeyFile", "hostKeyFingerprint": "SHA256:…", "root": "/<dir>", "ciphers"?: [...]}}';

function parseStorageLocations(raw: string): Record<string, StorageLocationConfig> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error(`must be JSON: ${LOCATIONS_SHAPE}`);
  }
  const parsed = storageLocationsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` (${issue.path.join('.')})` : '';
    throw new Error(`must map location ids to ${LOCATIONS_SHAPE}${where}`);
  }
  const out: Record<string, StorageLocationConfig> = {};
  for (const [id, loc] of Object.entries(parsed.data)) {
    if (loc.adapter === 'filesystem') {
      out[id] = { ...loc, root: path.resolve(loc.root) };
      continue;
    }
    // The seed's "AES CBC or better": a configured list may only narrow the policy's.
    const weak = loc.ciphers && checkCipherList(loc.ciphers);
    if (weak) throw new Error(`${id}.ciphers ${weak}`);
    out[id] = { ...loc, privateKeyFile: path.resolve(loc.privateKeyFile), ciphers: loc.ciphers as SshCipher[] | undefined };
  }
  return out;
}

/** For process entry points: the configuration, or a one-line message naming what is wrong and exit 78 (EX_CONFIG). */
export function loadConfigOrExit(service: string, source: NodeJS.ProcessEnv = process.env): AppConfig {
  try {
    return loadConfig(source);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(`${service}: ${e.message}`);
    process.exit(78);
  }
}
