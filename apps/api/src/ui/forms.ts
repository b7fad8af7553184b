import { type ApiError } from '../common/api-error';
import { html, Html } from './html';

/** The message a refused form shows beside a field: the field problems the API lists, or the domain's error naming it. */
export function fieldProblem(error: ApiError | null, name: string): string | null {
  const fields = (error?.details as { fields?: { field: string; problem: string }[] } | undefined)?.fields;
  const own = fields?.filter((f) => f.field === name || f.field.endsWith(`.${name}`) || name.endsWith(`.${f.field}`));
  if (own?.length) return own.map((f) => f.problem).join('; ');
  const field = (error?.details as { field?: string } | undefined)?.field;
  return field && (field === name || name.endsWith(`.${field}`)) ? error!.message : null;
}

export function fieldError(error: ApiError | null, name: string): Html | '' {
  const problem = fieldProblem(error, name);
  return problem ? html`<p class="error" id="${name}-error">${problem}</p>` : '';
}

export function field(id: string, label: string, value: string | undefined, error: ApiError | null, errorName: string, type = 'text'): Html {
  const problem = fieldProblem(error, errorName);
  return html`<div class="field"><label for="${id}">${label}</label><input id="${id}" name="${id}" type="${type}" value="${value ?? ''}"${type === 'datetime-local' ? new Html(' step="1"') : ''}${problem ? new Html(` aria-invalid="true" aria-describedby="${id}-error"`) : ''}>${problem ? html`<p class="error" id="${id}-error">${problem}</p>` : ''}</div>`;
}

