import { wordsFor } from '#infra/i18n';
import { type staff } from '#infra/i18n/staff';

type Staff = typeof staff;
const english = wordsFor();

/**
 * The words of one group of staff pages, from the catalogue (`staff.<section>.<key>`): a key the
 * section does not have is a compile error, and a missing text throws rather than shows its key.
 * The text is plain: `html` escapes it where it is placed, so markup stays in the page's template.
 */
export function staffWords<S extends keyof Staff>(section: S): (key: Extract<keyof Staff[S], string>, vars?: Record<string, unknown>) => string {
  return (key, vars) => english.t(`staff.${section}.${key}`, vars);
}
