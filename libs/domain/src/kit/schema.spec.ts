import { describe, expect, it } from 'vitest';
import { FIELDS } from '../fields';
import { body, duration, id, instant, oneOf, openApiSchemaOf, parseBody, text } from './schema';

const schema = body({ kind: oneOf(['dpia', 'prior-consultation']), at: instant(), period: duration().optional(), ref: id().optional(), summary: text('assistanceText') });
const ok = { kind: 'dpia', at: '2027-01-31T00:00:00Z', summary: 'DPIA of the archive' };

describe("a command's schema, made of the domain's fields", () => {
  it('parses a good body, reading an id in lowercase', () => {
    expect(parseBody(schema, { ...ok, ref: 'AAAAAAAA-0000-4000-8000-000000000001', period: 'P1M' })).toEqual({ ok: true, value: { ...ok, ref: 'aaaaaaaa-0000-4000-8000-000000000001', period: 'P1M' } });
  });

  it('lists every problem by its field, in the words of the domain, never quoting the value', () => {
    const parsed = parseBody(schema, { kind: 'audit', at: '2027-02-30T00:00:00Z', period: 'monthly', ref: 'x', summary: 'a\u0007b', requester: 'Jane Doe' });
    expect(parsed.ok).toBe(false);
    const problems = !parsed.ok ? parsed.problems : [];
    expect(problems).toEqual(
      expect.arrayContaining([
        { field: 'kind', problem: 'kind must be one of the following values: dpia, prior-consultation' },
        { field: 'at', problem: 'at must be an ISO-8601 instant that exists, with Z or an offset up to ±14:00, e.g. 2027-01-31T00:00:00Z' },
        { field: 'period', problem: 'period must be an ISO-8601 duration, e.g. P1M, P1Y, P14D' },
        { field: 'ref', problem: 'ref must be a UUID' },
        { field: 'summary', problem: 'summary must not contain control characters (line breaks are allowed)' },
        { field: 'requester', problem: 'property requester should not exist' },
      ]),
    );
    expect(JSON.stringify(problems)).not.toContain('Jane');
  });

  it('names a missing field, a field of the wrong type, and a body that is no object', () => {
    const missing = parseBody(schema, { kind: 'dpia', at: 5, summary: '' });
    expect(!missing.ok && missing.problems).toEqual([
      { field: 'at', problem: 'at must be an ISO-8601 instant' },
      { field: 'summary', problem: 'summary must not be empty' },
    ]);
    const absent = parseBody(schema, { kind: 'dpia', summary: 'x' });
    expect(!absent.ok && absent.problems).toEqual([{ field: 'at', problem: 'at is required' }]);
    const notAnObject = parseBody(schema, 'dpia');
    expect(!notAnObject.ok && notAnObject.problems).toEqual([{ field: 'body', problem: 'the body must be a JSON object' }]);
  });

  it('documents each field with the limits it checks, and closes the body', () => {
    const doc = openApiSchemaOf(schema) as { properties: Record<string, Record<string, unknown>>; required: string[]; additionalProperties: boolean };
    expect(doc.additionalProperties).toBe(false);
    expect(doc.required.sort()).toEqual(['at', 'kind', 'summary']);
    expect(doc.properties['summary']).toMatchObject({ type: 'string', minLength: FIELDS.assistanceText.minLength, maxLength: FIELDS.assistanceText.maxLength });
    expect(doc.properties['at']).toMatchObject({ type: 'string', format: 'date-time' });
    expect(doc.properties['period']).toMatchObject({ format: 'duration' });
    expect(doc.properties['ref']).toMatchObject({ format: 'uuid' });
    expect(doc.properties['kind']).toMatchObject({ enum: ['dpia', 'prior-consultation'] });
  });

  it("carries a field's own description and example", () => {
    const doc = openApiSchemaOf(body({ r: text('reference', { example: 'ACME-1' }), d: text('reason', { description: 'why' }) })) as { properties: Record<string, Record<string, unknown>> };
    expect(doc.properties['r']).toMatchObject({ example: 'ACME-1', description: FIELDS.reference.description, pattern: FIELDS.reference.pattern });
    expect(doc.properties['d']).toMatchObject({ description: 'why' });
  });
});
