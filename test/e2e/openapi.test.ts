import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DURATION_PATTERN, FIELDS, INSTANT_PATTERN, MAX_TIME_TEXT, textPattern, UUID_PATTERN } from '#domain';
import { startStack, type Stack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.stop());

interface Operation {
  summary?: string;
  'x-roles'?: string[];
  security?: unknown[];
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
}

describe('the OpenAPI document at /docs', () => {
  it('is a valid OpenAPI 3 document covering every endpoint of DESIGN §6, with its errors and roles', async () => {
    const res = await stack.request('GET', '/docs/openapi.json', { role: null });
    expect(res.status).toBe(200);
    const doc = res.body as { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };
    await SwaggerParser.validate(structuredClone(doc) as never);

    const all = ['account_manager', 'billing', 'dpo', 'admin'];
    const expected: [string, string, number[], string[] | null][] = [
      ['post', '/contracts', [201, 200, 400, 401, 403, 422], ['account_manager']],
      ['get', '/contracts', [200, 400, 401], all],
      ['get', '/contracts/{id}', [200, 401, 404], all],
      ['get', '/contracts/{id}/events', [200, 401, 403, 404], ['dpo', 'admin']],
      ['get', '/contracts/{id}/events/verify', [200, 403, 404], ['dpo', 'admin']],
      ['post', '/contracts/{id}/credentials', [200, 400, 401, 403, 404, 409, 422], ['account_manager']],
      ['post', '/contracts/{id}/renewals', [200, 400, 401, 403, 404, 409, 422], ['billing']],
      ['post', '/contracts/{id}/non-renewal', [200, 403, 409], ['account_manager', 'billing']],
      ['post', '/contracts/{id}/termination', [200, 403, 409], ['account_manager']],
      ['post', '/contracts/{id}/cancellation', [200, 403, 409], ['account_manager']],
      ['post', '/contracts/{id}/data-export', [200, 403, 409, 422], ['account_manager']],
      ['get', '/contracts/{id}/destruction', [200, 404], all],
      ['get', '/contracts/{id}/processing-record', [200, 404], all],
      ['get', '/health', [200, 503], null],
      ['get', '/health/live', [200], null],
      ['get', '/health/ready', [200, 503], null],
      ['get', '/metrics', [200, 401], null],
      ['post', '/admin/api-keys', [201, 403], ['admin']],
      ['post', '/contracts/{id}/assistance-requests', [201, 200, 400, 403, 404, 422], ['account_manager', 'dpo']],
      ['post', '/contracts/{id}/audits/{aid}/findings/{fid}/remediation', [200, 400, 403, 404, 409, 422], ['account_manager', 'dpo']],
      ['post', '/staff', [201, 200, 400, 403], ['admin', 'dpo']],
      ['post', '/contracts/{id}/authorised-persons', [200, 403, 404, 422], ['account_manager', 'dpo']],
      ['delete', '/contracts/{id}/authorised-persons/{sid}', [200, 403, 404], ['account_manager', 'dpo']],
      ['put', '/processor/dpo', [200, 400, 403], ['admin']],
      ['get', '/processing-record', [200, 400, 403], ['dpo', 'admin']],
      ['get', '/contracts/{id}/evidence', [200, 403, 404], ['dpo', 'admin']],
      ['get', '/.well-known/dpa-signing-keys', [200], null],
    ];
    for (const [method, path, statuses, roles] of expected) {
      const operation = doc.paths[path]?.[method];
      expect(operation, `${method.toUpperCase()} ${path}`).toBeDefined();
      for (const status of statuses) expect(Object.keys(operation!.responses), `${method} ${path} ${status}`).toContain(String(status));
      if (roles) {
        expect(operation!.security, `${method} ${path} requires a key`).toEqual([{ bearer: [] }]);
        expect(operation!['x-roles'], `${method} ${path} roles`).toEqual(roles);
      }
    }
    // Every operation but the public ones (health, metrics, the signing keys) states its roles.
    const open = (path: string) => path === '/health' || path.startsWith('/health/') || path === '/metrics' || path.startsWith('/.well-known/');
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) if (!open(path)) expect(operation['x-roles'], `${method} ${path}`).toBeDefined();
    }
    expect(doc.paths['/contracts']!.post!.responses['201']!.content!['application/json']!.schema!.$ref).toContain('ContractView');
    // The downloads say what they are; their refusals stay JSON.
    expect(Object.keys(doc.paths['/contracts/{id}/evidence']!.get!.responses['200']!.content!)).toEqual(['application/zip']);
    expect(Object.keys(doc.paths['/processing-record']!.get!.responses['200']!.content!).sort()).toEqual(['application/json', 'text/csv']);
    // The record is paged like every list: {items, nextCursor} beside what it says once.
    expect(doc.paths['/processing-record']!.get!.responses['200']!.content!['application/json']!.schema!.$ref).toContain('ProcessingRecordPageView');
    expect(Object.keys((doc.components.schemas['ProcessingRecordPageView'] as { properties: Record<string, unknown> }).properties).sort()).toEqual(['generatedAt', 'items', 'nextCursor', 'processor', 'securityMeasures']);
    expect(Object.keys(doc.paths['/contracts/{id}/evidence']!.get!.responses['403']!.content!)).toEqual(['application/json']);
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['ContractView', 'DestructionView', 'ErrorBodyView', 'OrderContractDto', 'EventsView']));
  });

  it('carries the domain\'s limits and grammars, closes every request body, and gives every operation the error shape as its default', async () => {
    const res = await stack.request('GET', '/docs/openapi.json', { role: null });
    const doc = res.body as { paths: Record<string, Record<string, { parameters?: { name: string; schema: Record<string, unknown> }[]; requestBody?: { content: Record<string, { schema: { $ref: string } }> }; responses: Record<string, unknown> }>>; components: { schemas: Record<string, { properties?: Record<string, Record<string, unknown>>; additionalProperties?: unknown }> } };
    const schema = (name: string) => doc.components.schemas[name]!;
    // Every schema a request body reaches refuses unknown fields, as the API does (400).
    const bodies = Object.values(doc.paths).flatMap((ops) => Object.values(ops).flatMap((op) => (op.requestBody ? [op.requestBody.content['application/json']!.schema.$ref.split('/').pop()!] : [])));
    expect(bodies).toEqual(expect.arrayContaining(['OrderContractDto', 'HandOverCredentialsDto', 'AcceptRenewalDto', 'ReasonDto']));
    for (const name of [...bodies, 'ControllerDto', 'CatalogSelectionDto', 'CoveredPeriodDto']) expect(schema(name).additionalProperties, name).toBe(false);
    // The limits are the domain's own definitions (libs/domain/src/fields.ts, calendar.ts).
    expect(schema('ControllerDto').properties!['name']).toMatchObject({ minLength: FIELDS.controllerName.minLength, maxLength: FIELDS.controllerName.maxLength, pattern: textPattern(FIELDS.controllerName) });
    expect(schema('HandOverCredentialsDto').properties!['secret']).toMatchObject({ maxLength: FIELDS.secret.maxLength, writeOnly: true });
    expect(schema('HandOverCredentialsDto').properties!['kind']).toMatchObject({ pattern: FIELDS.credentialKind.pattern });
    expect(schema('OrderContractDto').properties!['billingPeriod']).toMatchObject({ pattern: DURATION_PATTERN, maxLength: MAX_TIME_TEXT });
    expect(schema('AcceptRenewalDto').properties!['acceptedAt']).toMatchObject({ format: 'date-time', pattern: INSTANT_PATTERN });
    const page = doc.paths['/contracts']!['get']!.parameters!;
    expect(page.find((p) => p.name === 'limit')!.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 500 });
    const record = doc.paths['/processing-record']!['get']!.parameters!;
    expect(record.map((p) => p.name).sort()).toEqual(['cursor', 'format', 'limit']);
    expect(record.find((p) => p.name === 'limit')!.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 500 });
    expect(doc.paths['/contracts/{id}']!['get']!.parameters!.find((p) => p.name === 'id')!.schema).toMatchObject({ format: 'uuid', pattern: UUID_PATTERN });
    // Statuses the edge gives on any route (405, 413, 414, 415, 431, 503) are the error shape too.
    for (const [path, ops] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(ops)) expect(op.responses['default'], `${method} ${path}`).toBeDefined();
  });
});
