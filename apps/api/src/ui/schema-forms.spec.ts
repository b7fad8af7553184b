import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { body, instant, oneOf, parseBody, text } from '#domain/kit/schema';
import { assistanceRequestType } from '#domain/assistance-request/assistance-request.type';
import { bodyOf, fieldHtml, formFieldsOf, labelOf } from './schema-forms';

describe("a command's form, read from its schema (DESIGN §5, §7)", () => {
  const schema = body({
    kind: oneOf(['dpia', 'prior-consultation'] as const, { description: 'What is asked.' }),
    receivedAt: instant(),
    summary: text('assistanceText'),
    reason: text('reason').optional(),
    dpo: z.strictObject({ name: text('controllerName'), email: text('email') }).optional(),
    count: z.number().int().optional(),
    locations: z.array(z.string()).optional(),
  });

  it('names each field, its kind, whether it is required, its choices and its help', () => {
    const fields = formFieldsOf(schema);
    expect(fields.map((f) => [f.name, f.input, f.required])).toEqual([
      ['kind', 'choice', true],
      ['receivedAt', 'instant', true],
      ['summary', 'textarea', true],
      ['reason', 'textarea', false],
      ['dpo.name', 'text', false],
      ['dpo.email', 'email', false],
      ['count', 'number', false],
      ['locations', 'lines', false],
    ]);
    expect(fields[0]).toMatchObject({ label: 'Kind', options: ['dpia', 'prior-consultation'], hint: 'What is asked.' });
    expect(labelOf('receivedAt')).toBe('Received at');
  });

  it("turns what was typed into the body the schema checks: empty fields left out, instants read as UTC, lists a line each", () => {
    const fields = formFieldsOf(schema);
    const typed = { kind: 'dpia', receivedAt: '2027-03-01T09:00', summary: ' DPIA ', reason: '', 'dpo.name': 'Ada', 'dpo.email': 'ada@x.example', count: '3', locations: 'a\r\n\r\nb ' };
    const parsed = bodyOf(fields, typed);
    expect(parsed).toEqual({ kind: 'dpia', receivedAt: '2027-03-01T09:00:00Z', summary: 'DPIA', dpo: { name: 'Ada', email: 'ada@x.example' }, count: 3, locations: ['a', 'b'] });
    expect(parseBody(schema, parsed).ok).toBe(true);
    // What cannot be read is left as typed, for the schema to refuse in its own words.
    const bad = parseBody(schema, bodyOf(fields, { ...typed, receivedAt: 'tomorrow', count: 'three' }));
    expect(bad.ok ? [] : bad.problems.map((p) => p.field)).toEqual(['receivedAt', 'count']);
    // A required field left empty is missing, and the schema says so.
    const missing = parseBody(schema, bodyOf(fields, { kind: 'dpia', receivedAt: '', summary: 'x' }));
    expect(missing.ok ? [] : missing.problems).toEqual([{ field: 'receivedAt', problem: 'receivedAt is required' }]);
  });

  it('shows the refusal next to its field and keeps what was typed (escaped)', () => {
    const [, received] = formFieldsOf(schema);
    const error = { status: 400, code: 'validation_failed', message: 'x', details: { fields: [{ field: 'receivedAt', problem: 'receivedAt must be an ISO-8601 instant' }] } } as never;
    const out = fieldHtml(received!, 'f', '<b>', error).value;
    expect(out).toContain('type="datetime-local"');
    expect(out).toContain('aria-invalid="true"');
    expect(out).toContain('receivedAt must be an ISO-8601 instant');
    expect(out).toContain('value="&lt;b&gt;"');
    expect(out).not.toContain('<b>');
  });

  it("a declared type's commands each make a form", () => {
    for (const spec of Object.values(assistanceRequestType.commands!)) expect(formFieldsOf(spec.schema()).length).toBeGreaterThan(0);
  });
});
