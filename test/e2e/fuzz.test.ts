import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { unzipSync } from 'fflate';
import { CONTRACT_FILE_TYPES, DEADLINE_KINDS, FILE_TYPES, finalStatusesOf } from '#domain';
import { DEV_STRIPE_WEBHOOK_SECRET } from '#infra/config/config';
import { createDataSource } from '#infra/database/data-source';
import { waitFor } from '#infra/dev/processes';
import { DEADLINES_TABLE } from '#infra/event-store/deadlines-projection';
import { rebuildProjections } from '#infra/event-store/rebuild';

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
import { KEYS, startStack, type RoleName, type Stack } from '../support/stack';

/**
 * Issue "strict edges", proof: a property-based fuzz test generated from the OpenAPI document
 * (fast-check, one generator per schema), run against the real API, worker, Temporal and
 * PostgreSQL with every role. Requests are mostly well-formed by the document with hostile values
 * mixed in at every leaf (control and bidi characters, dates that do not exist, numbers in
 * disguise, deep nesting, oversized text, unknown fields, wrong types), in bodies, query strings,
 * path segments and headers. No answer may be a 5xx; every answer must match the schema the
 * document gives for its status (or its `default`); afterwards /health is 200 and every
 * contract's hash chain verifies.
 */

// ajv-formats is CommonJS with a default export; under ESM interop it may arrive wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

interface Schema {
  type?: string;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  nullable?: boolean;
  allOf?: Schema[];
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>> };

const ROLES: (RoleName | null)[] = ['account_manager', 'billing', 'dpo', 'admin', null];
const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);

let stack: Stack;
let doc: Doc;
const contractIds: string[] = [];
/** Ids of files under the first contract (subject requests), so that commands on them meet real state too. */
const fileIds: string[] = [];
/** Statuses the edge gives on any route, documented once as every operation's `default`. */
const EDGE_STATUSES = new Set([405, 413, 414, 415, 431, 503]);

beforeAll(async () => {
  stack = await startStack({ STRIPE_WEBHOOK_SECRETS: DEV_STRIPE_WEBHOOK_SECRET });
  const res = await stack.request('GET', '/docs/openapi.json', { role: null });
  doc = (await SwaggerParser.dereference(structuredClone(res.body) as never)) as unknown as Doc;
  // A few real contracts, so that generated commands meet real state as well as unknown ids.
  for (const [i, handOver] of [true, true, false].entries()) {
    const order = await stack.request('POST', '/contracts', {
      role: 'account_manager',
      body: { controller: { name: `Fuzz ${i}`, email: `fuzz-${i}@client.example` }, billingPeriod: 'P1M' },
    });
    expect(order.status).toBe(201);
    contractIds.push(order.body.id);
    if (handOver) {
      const h = await stack.request('POST', `/contracts/${order.body.id}/credentials`, {
        role: 'account_manager',
        body: { kind: 'ssh', host: 'web-1.client.example', username: 'root', secret: 'not a real secret' },
      });
      expect(h.status).toBe(200);
    }
  }
  for (const receivedBy of ['controller', 'processor']) {
    const opened = await stack.request('POST', `/contracts/${contractIds[0]}/subject-requests`, {
      role: 'dpo',
      body: { type: 'access', receivedAt: new Date().toISOString(), receivedBy, reference: `FUZZ-${receivedBy}` },
    });
    expect(opened.status).toBe(201);
    fileIds.push(opened.body.id);
  }
  // An incident confirmed over the first contract, with its breach notice.
  const incident = await stack.request('POST', '/incidents', { role: 'dpo', body: { detectedAt: new Date().toISOString(), summary: 'Fuzz incident', scope: { contracts: [contractIds[0]] } } });
  expect(incident.status).toBe(201);
  expect((await stack.request('POST', `/incidents/${incident.body.id}/confirmation`, { role: 'dpo', body: { awareAt: new Date().toISOString() } })).status).toBe(200);
  fileIds.push(incident.body.id);
  await waitFor('the breach notice', async () => (await stack.request('GET', `/contracts/${contractIds[0]}/breach-notices`, { role: 'dpo' })).body.items.length === 1, { timeoutMs: 20_000, intervalMs: 200 });
  fileIds.push((await stack.request('GET', `/contracts/${contractIds[0]}/breach-notices`, { role: 'dpo' })).body.items[0].id);
  // One file of every other type, so that the fuzz meets them and the rebuild below has each to rebuild.
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  for (const [path, role, body] of [
    [`/contracts/${contractIds[0]}/instructions`, 'account_manager', { receivedAt: iso(now), channel: 'email', summary: 'Keep backups for 90 days', documentRef: 'FUZZ-I' }],
    [`/contracts/${contractIds[0]}/assistance-requests`, 'dpo', { kind: 'dpia', receivedAt: iso(now), dueAt: iso(now + 14 * 86_400_000), summary: 'DPIA of the analytics database' }],
    [`/contracts/${contractIds[0]}/audits`, 'dpo', { kind: 'audit', requestedAt: iso(now), scope: 'Backups of the Paris datacenter' }],
    [`/contracts/${contractIds[0]}/transfer-notices`, 'dpo', { destination: 'Switzerland', legalObligation: 'A court order', plannedAt: iso(now + 86_400_000) }],
    [
      '/sub-processor-changes',
      'dpo',
      { change: { kind: 'addition', subProcessor: { name: 'OVH (OVHcloud)', role: 'Backup datacenter', country: 'France' }, location: { id: 'fuzz-rbx', name: 'OVH RBX', kind: 'backup', site: 'Roubaix, France' } }, effectiveAt: iso(now + 31 * 86_400_000) },
    ],
  ] as [string, RoleName, Record<string, unknown>][]) {
    const created = await stack.request('POST', path, { role, body });
    expect(created.status, `${path} ${JSON.stringify(created.body)}`).toBe(201);
    fileIds.push(created.body.id);
  }
  const staff = await stack.request('POST', '/staff', { role: 'admin', body: { name: 'Fuzz Person', email: 'fuzz.person@processor.example' } });
  expect(staff.status, JSON.stringify(staff.body)).toBe(201);
  fileIds.push(staff.body.id);
  expect((await stack.request('PUT', '/processor/dpo', { role: 'admin', body: { name: 'Fuzz DPO', email: 'fuzz.dpo@processor.example' } })).status).toBe(200);
  const preferences = await stack.request('PUT', '/controllers/fuzz-0@client.example', { role: 'dpo', body: { locale: 'fr', timeZone: 'Europe/Paris' } });
  expect(preferences.status, JSON.stringify(preferences.body)).toBe(201);
  // The hand-overs opened the controllers' contact checks (DESIGN §3.10).
  await waitFor('the contact checks', async () => (await stack.request('GET', '/controllers/fuzz-1@client.example/contact-check', { role: 'dpo' })).status === 200, { timeoutMs: 20_000, intervalMs: 200 });
  await waitFor('the sub-processor notices', async () => (await stack.request('GET', `/contracts/${contractIds[0]}/sub-processor-changes`, { role: 'dpo' })).body.items.length === 1, { timeoutMs: 20_000, intervalMs: 200 });
});
afterAll(async () => stack?.stop());

/**
 * Every read model of every file type dropped and rebuilt from the events (`npm run
 * projections:rebuild`) holds the rows the appends wrote. The worker still runs, so a stream that
 * moved meanwhile is compared by its version only; every other row must be the same to the byte.
 */
async function rebuiltReadModelsEqualInline(): Promise<void> {
  const dataSource = createDataSource({ url: stack.db.url, poolSize: 2 });
  await dataSource.initialize();
  try {
    const tables = [...FILE_TYPES.map((t) => t.readModel.table), DEADLINES_TABLE, 'contract_renewals'];
    const snapshot = async () => {
      const rows: Record<string, string[]> = {};
      for (const table of tables) {
        const key = table === DEADLINES_TABLE ? 'stream_id' : table === 'contract_renewals' ? 'contract_id::text' : 'id::text';
        const found = (await dataSource.query(`SELECT ${key} AS stream, to_jsonb(t)::text AS row FROM ${table} t ORDER BY 2`)) as { stream: string; row: string }[];
        rows[table] = found.map((r) => `${r.stream} ${r.row}`);
      }
      const versions = new Map(((await dataSource.query(`SELECT stream_id, version FROM streams`)) as { stream_id: string; version: number }[]).map((r) => [r.stream_id, r.version]));
      return { rows, versions };
    };
    const before = await snapshot();
    for (const table of tables) await dataSource.query(`DELETE FROM ${table}`);
    const report = await rebuildProjections(dataSource);
    const after = await snapshot();
    const moved = new Set([...after.versions].filter(([id, v]) => before.versions.get(id) !== v).map(([id]) => id));
    const stable = (rows: string[]) => rows.filter((r) => !moved.has(r.split(' ')[0]!));
    for (const table of tables) expect(stable(after.rows[table]!), table).toEqual(stable(before.rows[table]!));
    // Each type's files were all rebuilt, and every type with a stream has rows again.
    const streamsByType = new Map(((await dataSource.query(`SELECT stream_type, count(*)::int AS n FROM streams GROUP BY stream_type`)) as { stream_type: string; n: number }[]).map((r) => [r.stream_type, r.n]));
    for (const t of FILE_TYPES) {
      expect(report.files[t.name] ?? 0, t.name).toBe(streamsByType.get(t.name) ?? 0);
      expect(report.files[t.name] ?? 0, `${t.name}: the fuzz stack holds a file of every type`).toBeGreaterThan(0);
    }
    console.log(`rebuild: ${JSON.stringify(report.files)}; ${moved.size} streams moved meanwhile`);
  } finally {
    await dataSource.destroy();
  }
}

/** Values a careless or hostile client sends where a field is expected. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    0,
    -1,
    1e308,
    '',
    ' ',
    '\u0000',
    'a\u0007b',
    'x\u202Ey',
    '\uD800',
    '1e2',
    '0x10',
    '+5',
    '2027-02-30T00:00:00Z',
    '2027-13-01T00:00:00Z',
    '0000-01-01T00:00:00Z',
    '2027-01-01T00:00:00+15:00',
    '2027-01-01T24:00:00Z',
    'P',
    'PT',
    'P1000000000000000000000Y',
    'P1000Y',
    "'; DROP TABLE events; --",
    '../../etc/passwd',
    'x'.repeat(5000),
    [],
    {},
  ),
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 2 }),
  fc.integer({ min: 30, max: 200 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown),
);

/** Mostly the schema's own value, sometimes junk instead. */
const perturbed = (valid: fc.Arbitrary<unknown>) => fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: junk });

function stringFor(schema: Schema): fc.Arbitrary<string> {
  if (schema.format === 'uuid') return fc.oneof(fc.constantFrom(...contractIds), fc.constantFrom(...fileIds), fc.uuid());
  if (schema.format === 'date-time') return fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
  if (schema.format === 'duration') return fc.constantFrom('P1M', 'P1Y', 'P3M', 'P14D', 'P3D', 'PT36H', 'P0D', 'P10Y');
  if (schema.format === 'email') return fc.emailAddress().filter((e) => e.length <= (schema.maxLength ?? 254));
  if (schema.format === 'byte') return fc.base64String({ maxLength: 64 });
  const min = schema.minLength ?? 0;
  const max = Math.min(schema.maxLength ?? 40, Math.max(min, 40));
  const pattern = schema.pattern ? new RegExp(schema.pattern, 'u') : null;
  return fc
    .string({ minLength: min, maxLength: max, unit: fc.oneof(fc.constantFrom('a', 'Z', '0', '-', '_', ' ', 'é', '€', '😀'), fc.string({ minLength: 1, maxLength: 1, unit: 'binary' })) })
    .filter((s) => s.trim() !== '' || min === 0)
    .map((s) => (pattern && !pattern.test(s) ? `a${s.replace(/[^a-z0-9]/g, '')}`.slice(0, max) : s));
}

/** One generator per schema of the document. */
function arbitraryFor(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema) return fc.jsonValue({ maxDepth: 1 });
  if (schema.allOf?.length) return arbitraryFor(Object.assign({}, ...schema.allOf) as Schema, depth);
  if (schema.enum) return perturbed(fc.constantFrom(...schema.enum));
  switch (schema.type) {
    case 'string':
      return perturbed(stringFor(schema));
    case 'integer':
      return perturbed(fc.integer({ min: schema.minimum ?? -5, max: schema.maximum ?? 1000 }));
    case 'number':
      return perturbed(fc.double({ noNaN: true }));
    case 'boolean':
      return perturbed(fc.boolean());
    case 'array':
      return perturbed(fc.array(arbitraryFor(schema.items, depth + 1), { maxLength: Math.min(schema.maxItems ?? 4, 4) }));
    default: {
      if (!schema.properties || depth > 4) return perturbed(fc.jsonValue({ maxDepth: 1 }));
      const props = Object.fromEntries(Object.entries(schema.properties).map(([k, s]) => [k, arbitraryFor(s, depth + 1)]));
      const record = fc.record(props, { requiredKeys: schema.required ?? [] }) as fc.Arbitrary<Record<string, unknown>>;
      // Sometimes a required field goes missing, or an unknown one comes along.
      const drop = fc.constantFrom(...(schema.required?.length ? schema.required : ['']));
      return fc.oneof(
        { weight: 6, arbitrary: record },
        { weight: 1, arbitrary: fc.tuple(record, drop).map(([r, k]) => Object.fromEntries(Object.entries(r).filter(([key]) => key !== k))) },
        { weight: 1, arbitrary: fc.tuple(record, fc.string({ minLength: 1, maxLength: 10 }), junk).map(([r, k, v]) => ({ ...r, [`x${k}`]: v })) },
        { weight: 1, arbitrary: junk },
      );
    }
  }
}

/**
 * OpenAPI 3.0's `nullable: true` as JSON Schema: null, or whatever the rest of the schema allows
 * (also when that rest is an `allOf` of a referenced schema, which is how a nullable object is
 * written in 3.0).
 */
function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const { nullable, ...rest } = schema as Record<string, unknown>;
  // Stricter than the document: an answer may hold no field the document does not describe.
  if (rest.properties && rest.additionalProperties === undefined) rest.additionalProperties = false;
  const converted = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, toJsonSchema(s)])) : toJsonSchema(v)]));
  return nullable === true ? { anyOf: [{ type: 'null' }, converted] } : converted;
}

interface FuzzRequest {
  readonly method: string;
  readonly template: string;
  readonly url: string;
  readonly role: RoleName | null;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

const segment = (schema: Schema | undefined) =>
  fc
    .oneof(
      { weight: 4, arbitrary: schema ? stringFor(schema) : fc.string({ minLength: 1 }) },
      { weight: 1, arbitrary: fc.constantFrom('%00', '%2F', '%2E%2E%2Fx', 'x'.repeat(300), 'NaN', '-1', '00000000-0000-0000-0000-00000000000G') },
      { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 30 }).map(encodeURIComponent) },
    )
    .map((s) => (/%[0-9A-F]{2}/.test(s) ? s : encodeURIComponent(s)))
    // A dot segment is resolved by the client (WHATWG URL) before the request leaves: the server never sees it.
    .filter((s) => s !== '' && !/^(\.|%2e){1,2}$/i.test(s));

function requestFor(method: string, template: string, operation: Operation): fc.Arbitrary<FuzzRequest> {
  const params = operation.parameters ?? [];
  const path = fc.record(Object.fromEntries(params.filter((p) => p.in === 'path').map((p) => [p.name, segment(p.schema)])) as Record<string, fc.Arbitrary<string>>);
  const query = fc.record(
    Object.fromEntries(params.filter((p) => p.in === 'query').map((p) => [p.name, arbitraryFor(p.schema).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))])),
    { requiredKeys: [] },
  ) as fc.Arbitrary<Record<string, string>>;
  const bodySchema = operation.requestBody?.content['application/json']?.schema;
  const body = fc.oneof(
    { weight: 8, arbitrary: bodySchema ? arbitraryFor(bodySchema).map((v) => JSON.stringify(v)) : fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom('{', '{"a":', 'null', '[]', '"text"', '{"__proto__": {"polluted": true}}', ' ') },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
  const contentType = fc.oneof(
    { weight: 8, arbitrary: fc.constant('application/json') },
    { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'application/merge-patch+json') },
  );
  // Mostly a role the operation admits, so that requests get past the door and meet the rules.
  const allowed = ((operation as { 'x-roles'?: RoleName[] })['x-roles'] ?? []).filter((r) => r in KEYS);
  const role = allowed.length ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...allowed) }, { weight: 1, arbitrary: fc.constantFrom(...ROLES) }) : fc.constantFrom(...ROLES);
  const idempotencyKey = fc.option(fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 300 }).map((s) => s.replace(/[^\x21-\x7e]/g, 'k'))), { nil: undefined });
  return fc.record({ path, query, body, contentType, idempotencyKey, role }).map(({ path: values, query: q, body: b, contentType: type, idempotencyKey: key, role }) => {
    const url = template.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? 'x') + (Object.keys(q).length ? `?${new URLSearchParams(q).toString()}` : '');
    const headers: Record<string, string> = {};
    // fetch sends no body with GET or HEAD.
    const sent = method === 'get' || method === 'head' ? undefined : b;
    if (sent !== undefined) headers['content-type'] = type;
    if (key !== undefined && method === 'post') headers['idempotency-key'] = key;
    return { method: method.toUpperCase(), template, url, role, headers, body: sent };
  });
}

describe('fuzzing the API from its OpenAPI document', () => {
  it(
    `${RUNS} generated requests across every operation and role: no 5xx, every answer as documented, /health 200, every chain intact`,
    async () => {
      const ajv = new Ajv({ strict: false, allErrors: true });
      addFormats(ajv);
      ajv.addFormat('duration', true);
      const validators = new Map<string, ValidateFunction>();
      const validatorFor = (operation: Operation, key: string, status: number): ValidateFunction | null => {
        // A status the operation does not list is documented only if it is one the edge gives anywhere.
        const response = operation.responses[String(status)] ?? (EDGE_STATUSES.has(status) ? operation.responses['default'] : undefined);
        const schema = response?.content?.['application/json']?.schema;
        if (!schema) return null;
        const id = `${key} ${status}`;
        if (!validators.has(id)) validators.set(id, ajv.compile(toJsonSchema(schema) as object));
        return validators.get(id)!;
      };

      const operations = Object.entries(doc.paths).flatMap(([template, ops]) => Object.entries(ops).map(([method, operation]) => ({ method, template, operation })));
      expect(operations.length).toBeGreaterThan(15);
      const statuses = new Map<number, number>();
      const byKey = new Map(operations.map(({ method, template, operation }) => [`${method.toUpperCase()} ${template}`, operation]));
      const arbitrary = fc.oneof(...operations.map(({ method, template, operation }) => requestFor(method, template, operation)));

      await fc.assert(
        fc.asyncProperty(arbitrary, async (r) => {
          const operation = byKey.get(`${r.method} ${r.template}`)!;
          const headers: Record<string, string> = { ...r.headers };
          if (r.role) headers.authorization = `Bearer ${KEYS[r.role]}`;
          // An answer that never comes is a failure too, named by its request (a counterexample, not a timeout of the whole run).
          const res = await fetch(`${stack.api.url}${r.url}`, { method: r.method, headers, body: r.body, signal: AbortSignal.timeout(60_000) });
          const text = await res.text();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const said = `${r.method} ${r.url} as ${r.role ?? 'nobody'} → ${res.status} ${text.slice(0, 300)}`;
          expect(res.status, said).toBeLessThan(500);
          const type = res.headers.get('content-type') ?? '';
          if (!type.startsWith('application/json')) {
            // A download (CSV, ZIP) only where the operation documents that type for that status.
            const documented = Object.keys(operation.responses[String(res.status)]?.content ?? {});
            expect(documented.filter((t) => t !== 'application/json').some((t) => type.startsWith(t)), `${said}: ${type} not documented`).toBe(true);
            return;
          }
          const body: unknown = JSON.parse(text);
          const validate = validatorFor(operation, `${r.method} ${r.template}`, res.status);
          expect(validate, `${said}: status not documented`).not.toBeNull();
          expect(validate!(body), `${said}: ${ajv.errorsText(validate!.errors)}`).toBe(true);
        }),
        { numRuns: RUNS, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined },
      );

      console.log(`fuzz: ${RUNS} requests, answers by status ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
      // Both answers a client depends on were reached, not only refusals.
      expect([...statuses.keys()].some((s) => s >= 200 && s < 300), JSON.stringify([...statuses])).toBe(true);
      expect(statuses.get(400) ?? 0, JSON.stringify([...statuses])).toBeGreaterThan(0);

      const health = await stack.request('GET', '/health', { role: null });
      expect(health.status).toBe(200);
      const client = new Client({ connectionString: stack.db.url });
      await client.connect();
      // Every stream of every file type, through the verify endpoint of its type.
      const fileTables = CONTRACT_FILE_TYPES.map((t) => t.readModel.table);
      // A sub-processor notice is found under its contract by its change's id.
      // A controller's files are found under its key.
      const controllerTables = FILE_TYPES.filter((t) => t.parent === 'controller' || t.name === 'controller').map((t) => t.readModel.table);
      const streams = (await client.query<{ id: string; type: string; contract: string | null; change: string | null; key: string | null }>(
        `WITH files AS (${[
          ...fileTables.map((t) => `SELECT id, contract_id, state->'change'->>'changeId' AS change, NULL::text AS key FROM ${t}`),
          ...controllerTables.map((t) => `SELECT id, NULL::uuid, NULL, identity FROM ${t}`),
        ].join(' UNION ALL ')})
         SELECT s.stream_id AS id, s.stream_type AS type, f.contract_id::text AS contract, f.change, f.key FROM streams s LEFT JOIN files f ON f.id::text = s.stream_id`,
      )).rows;
      await client.end();
      expect(streams.filter((s) => s.type === 'contract').length).toBeGreaterThanOrEqual(contractIds.length);
      type Stream = { id: string; contract: string | null; change: string | null; key: string | null };
      // A declared type's trail is where its declaration puts it: under its contract, or under its controller's key.
      const declared = Object.fromEntries(
        FILE_TYPES.filter((t) => t.route && t.commands && t.name !== 'controller').map((t) => [
          t.name,
          t.parent === 'contract' ? (s: Stream) => `/contracts/${s.contract}/${t.route!.path}/${s.id}/events/verify` : (s: Stream) => `/controllers/${encodeURIComponent(s.key!)}/${t.route!.path}/events/verify`,
        ]),
      );
      // The types with routes of their own (not yet declared commands) are listed by hand.
      const verifyUrls: Record<string, (s: Stream) => string> = {
        ...declared,
        controller: (s) => `/controllers/${encodeURIComponent(s.key!)}/events/verify`,
        contract: (s) => `/contracts/${s.id}/events/verify`,
        incident: (s) => `/incidents/${s.id}/events/verify`,
        'breach-notice': (s) => `/contracts/${s.contract}/breach-notices/${s.id}/events/verify`,
        staff: (s) => `/staff/${s.id}/events/verify`,
        'processor-dpo': () => '/processor/dpo/events/verify',
        'sub-processor-change': (s) => `/sub-processor-changes/${s.id}/events/verify`,
        'sub-processor-notice': (s) => `/contracts/${s.contract}/sub-processor-changes/${s.change}/events/verify`,
      };
      const verifyUrl = (s: { id: string; type: string; contract: string | null; change: string | null; key: string | null }) => verifyUrls[s.type]!(s);
      for (const s of streams) {
        expect(Object.keys(verifyUrls), s.type).toContain(s.type);
        const verified = await stack.request('GET', verifyUrl(s), { role: 'dpo' });
        expect(verified.body, `${s.type} ${s.id}`).toMatchObject({ valid: true });
      }

      await rebuiltReadModelsEqualInline();
    },
    600_000,
  );

  it('every surface covers every file type of the registry, read from outside: the OpenAPI document, /metrics, /deadlines, the UI\'s contract page, the evidence pack', async () => {
    const contract = contractIds[0]!;
    // The document: each declared type's routes and schemas; the inbox's kinds.
    const doc = (await stack.request('GET', '/docs/openapi.json', { role: null })).body as { paths: Record<string, Record<string, { parameters?: { name: string; schema: { enum?: string[] } }[] }>>; components: { schemas: Record<string, unknown> } };
    for (const t of FILE_TYPES.filter((x) => x.commands && x.parent === 'contract')) {
      const base = `/contracts/{id}/${t.route!.path}`;
      expect(doc.paths[base]?.['post'], `${t.name}: POST ${base}`).toBeDefined();
      expect(doc.paths[`${base}/{${t.route!.param}}`]?.['get'], `${t.name}: GET one`).toBeDefined();
      for (const [name, c] of Object.entries(t.commands!)) if (!c.creates) expect(doc.paths[`${base}/{${t.route!.param}}/${c.path}`]?.['post'], `${t.name}.${name}`).toBeDefined();
    }
    const kindParam = doc.paths['/deadlines']!['get']!.parameters!.find((p) => p.name === 'kind')!;
    expect([...(kindParam.schema.enum ?? [])].sort()).toEqual([...DEADLINE_KINDS].sort());

    // /metrics: every stream type's events, every type with an end among the open files, every clock kind.
    const metrics = await (await fetch(`${stack.api.url}/metrics`)).text();
    for (const t of FILE_TYPES) {
      expect(metrics, `dpa_events ${t.name}`).toMatch(new RegExp(`^dpa_events\\{stream_type="${t.name}"\\} [1-9]`, 'm'));
      if (finalStatusesOf(t).length) expect(metrics, `dpa_open_files ${t.name}`).toContain(`dpa_open_files{type="${t.name}"}`);
    }
    for (const kind of DEADLINE_KINDS) expect(metrics, `dpa_overdue_clocks ${kind}`).toContain(`dpa_overdue_clocks{kind="${kind}"}`);

    // /deadlines takes every kind, and no other.
    for (const kind of DEADLINE_KINDS) expect((await stack.request('GET', `/deadlines?kind=${kind}`, { role: 'dpo' })).status, kind).toBe(200);
    expect((await stack.request('GET', '/deadlines?kind=not-a-clock', { role: 'dpo' })).status).toBe(400);

    // The UI's contract page lists the contract's files of every type under a contract (a DPO's session).
    const cookie = randomBytes(32).toString('base64url');
    const client = new Client({ connectionString: stack.db.url });
    await client.connect();
    await client.query(`INSERT INTO ui_sessions (id_hash, subject_hash, role, csrf_token) VALUES ($1, $2, 'dpo', $3)`, [createHash('sha256').update(cookie).digest('hex'), 'fuzz-dpo', randomBytes(16).toString('hex')]);
    await client.end();
    const page = await fetch(`${stack.api.url}/ui/contracts/${contract}`, { headers: { cookie: `dpa_session=${cookie}` } });
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const t of CONTRACT_FILE_TYPES) expect(html, t.name).toContain(escapeHtml(t.noun));

    // The evidence pack carries the contract's stream and one of every type under a contract.
    const pack = await fetch(`${stack.api.url}/contracts/${contract}/evidence`, { headers: { authorization: 'Bearer dev-dpo-key' } });
    expect(pack.status).toBe(200);
    const manifest = JSON.parse(Buffer.from(unzipSync(new Uint8Array(await pack.arrayBuffer()))['manifest.json']!).toString('utf8')) as { files: { name: string }[] } | Record<string, unknown>;
    const listed = JSON.stringify(manifest);
    for (const t of [...CONTRACT_FILE_TYPES.map((x) => x.name), 'contract']) expect(listed, t).toContain(`streams/${t}-`);
  });
});
