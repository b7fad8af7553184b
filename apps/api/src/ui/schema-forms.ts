import type { z } from 'zod';
import { openApiSchemaOf } from '#domain';
import { type ApiError } from '../common/api-error';
import { fieldProblem } from './forms';
import { html, Html } from './html';
import { staffWords } from './words';

/*
 * A command's browser form, read from the very schema that validates it (DESIGN §5, §7): the
 * fields, their kinds, which are required, their limits and their help all come from the JSON
 * Schema the OpenAPI document shows. What the form posts is turned back into the body the schema
 * checks (`bodyOf`), so the browser and the API refuse the same things with the same words.
 */

const say = staffWords('fileForms');

type JsonSchema = {
  readonly type?: string;
  readonly format?: string;
  readonly enum?: readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly maxLength?: number;
  readonly description?: string;
  readonly example?: unknown;
  readonly nullable?: boolean;
};

export type FieldInput = 'text' | 'email' | 'textarea' | 'instant' | 'choice' | 'number' | 'yes-no' | 'lines';

/** One field of a form: its dotted path in the body, how it is typed in, and whether it may be left empty. */
export interface FormField {
  readonly name: string;
  readonly label: string;
  readonly input: FieldInput;
  readonly required: boolean;
  readonly options?: readonly string[];
  readonly hint?: string;
  readonly maxLength?: number;
}

/** "receivedAt" → "Received at": how a form labels a field it has no other name for. */
export const labelOf = (key: string): string => {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** "breach-notice-authority" → "Breach notice authority": how a page names a kind of clock. */
export const clockLabel = (kind: string) => labelOf(kind.replace(/-(\w)/g, (_, l: string) => l.toUpperCase()));

/** A `datetime-local` value, typed without a zone, read as UTC (the forms say so); anything else is left for the schema to judge. */
export const utcOfLocal = (value: unknown): unknown =>
  typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value) ? `${value.length === 16 ? `${value}:00` : value}Z` : value;

/** Longer texts than this are typed in a text area. */
const LONG_TEXT = 200;

/** The fields of a body's schema, nested objects flattened as `parent.child`. */
export function formFieldsOf(schema: z.ZodType): readonly FormField[] {
  // A declaration builds each schema once: its form is read from it once too (not on every page).
  const known = FORMS.get(schema);
  if (known) return known;
  const fields = readForm(schema);
  FORMS.set(schema, fields);
  return fields;
}

const FORMS = new WeakMap<z.ZodType, readonly FormField[]>();

function readForm(schema: z.ZodType): FormField[] {
  const walk = (s: JsonSchema, prefix: string, required: boolean): FormField[] =>
    Object.entries(s.properties ?? {}).flatMap(([key, p]): FormField[] => {
      const name = prefix ? `${prefix}.${key}` : key;
      const own = required && (s.required ?? []).includes(key);
      if (p.type === 'object' && p.properties) return walk(p, name, own);
      const input: FieldInput = p.enum
        ? 'choice'
        : p.type === 'array'
          ? 'lines'
          : p.type === 'integer' || p.type === 'number'
            ? 'number'
            : p.type === 'boolean'
              ? 'yes-no'
              : p.format === 'date-time'
                ? 'instant'
                : /email/i.test(key) || p.format === 'email'
                  ? 'email'
                  : (p.maxLength ?? 0) > LONG_TEXT
                    ? 'textarea'
                    : 'text';
      return [{ name, label: labelOf(key), input, required: own, ...(p.enum ? { options: p.enum } : {}), ...(p.description ? { hint: p.description } : {}), ...(p.maxLength ? { maxLength: p.maxLength } : {}) }];
    });
  return walk(openApiSchemaOf(schema) as JsonSchema, '', true);
}

/**
 * The body a form's texts stand for: an empty field is left out (the schema then says whether it
 * was required), an instant typed without a zone is read as UTC (the form says so), a list is one
 * entry a line, a number and a yes/no are read as such. Anything else is left as typed, for the
 * schema to refuse in its own words.
 */
export function bodyOf(fields: readonly FormField[], form: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of fields) {
    const raw = form[f.name]?.trim() ?? '';
    if (raw === '') continue;
    let value: unknown = raw;
    if (f.input === 'instant') value = utcOfLocal(raw);
    else if (f.input === 'number' && /^-?\d+(\.\d+)?$/.test(raw)) value = Number(raw);
    else if (f.input === 'yes-no' && (raw === 'true' || raw === 'false')) value = raw === 'true';
    else if (f.input === 'lines') value = raw.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    const path = f.name.split('.');
    let at = body;
    for (const part of path.slice(0, -1)) at = (at[part] ??= {}) as Record<string, unknown>;
    at[path.at(-1)!] = value;
  }
  return body;
}

/** The words a form's field is shown with besides its label and hint: the staff's English unless a page gives its own (the portal, in the controller's language). */
export interface FieldWords {
  readonly optional: string;
  readonly utc: string;
  readonly yes: string;
  readonly no: string;
  option(value: string): string;
}

const ENGLISH: FieldWords = { optional: say('optional'), utc: say('utc'), yes: say('yes'), no: say('no'), option: (o) => o };

/** One field as HTML, with what was typed (after a refusal) and the refusal's words for it. */
export function fieldHtml(f: FormField, idPrefix: string, value: string | undefined, error: ApiError | null, say: FieldWords = ENGLISH): Html {
  const id = `${idPrefix}-${f.name.replace(/\./g, '-')}`;
  const problem = fieldProblem(error, f.name);
  const aria = new Html(`${f.required ? ' required' : ''}${problem ? ` aria-invalid="true" aria-describedby="${id}-error"` : f.hint ? ` aria-describedby="${id}-hint"` : ''}`);
  const max = f.maxLength ? new Html(` maxlength="${f.maxLength}"`) : '';
  const label = html`<label for="${id}">${f.label}${f.input === 'instant' ? ` ${say.utc}` : ''}${f.required ? '' : html` <span class="muted">${say.optional}</span>`}</label>`;
  const control =
    f.input === 'choice'
      ? html`<select id="${id}" name="${f.name}"${aria}>${f.required ? '' : html`<option value=""></option>`}${(f.options ?? []).map((o) => html`<option value="${o}"${o === value ? new Html(' selected') : ''}>${say.option(o)}</option>`)}</select>`
      : f.input === 'yes-no'
        ? html`<select id="${id}" name="${f.name}"${aria}>${f.required ? '' : html`<option value=""></option>`}<option value="true"${value === 'true' ? new Html(' selected') : ''}>${say.yes}</option><option value="false"${value === 'false' ? new Html(' selected') : ''}>${say.no}</option></select>`
        : f.input === 'textarea' || f.input === 'lines'
          ? html`<textarea id="${id}" name="${f.name}" rows="${f.input === 'lines' ? 4 : 3}"${max}${aria}>${value ?? ''}</textarea>`
          : html`<input id="${id}" name="${f.name}" type="${f.input === 'instant' ? 'datetime-local' : f.input === 'number' ? 'number' : f.input === 'email' ? 'email' : 'text'}"${f.input === 'instant' ? new Html(' step="1"') : ''} value="${value ?? ''}"${max}${aria}>`;
  const hint = f.hint && !problem ? html`<p class="muted" id="${id}-hint">${f.hint}</p>` : '';
  return html`<div class="field">${label}${control}${hint}${problem ? html`<p class="error" id="${id}-error">${problem}</p>` : ''}</div>`;
}
