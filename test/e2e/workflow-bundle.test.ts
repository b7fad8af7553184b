import * as fs from 'node:fs';
import { describe, expect, inject, it } from 'vitest';

/**
 * The workflow bundle a built worker runs (WORKER_WORKFLOW_BUNDLE, made from dist/ as `npm run
 * build:workflows` makes it): every workflow evaluates its modules anew, so what only the API and
 * the mail adapter use stays out of it. (From the sources, int/workflows/replay.test.ts checks the same.)
 */
describe("the built worker's workflow bundle", () => {
  it('holds the compiled engine and no catalogue, i18next, zod or email wording', () => {
    const file = inject('workflowBundlePath');
    expect(file).not.toBe('');
    const code = fs.readFileSync(file, 'utf8');
    const modules = [...code.matchAll(/^(?:\/\*\*\*\/ "|;\/\/ |\/\/ MODULE: )(\.\/[^"\s]+)/gm)].map((m) => m[1]!);
    expect(modules).toEqual(expect.arrayContaining(['./dist/apps/worker/src/workflows/index.js', './dist/apps/worker/src/mail/notice.js', './dist/libs/domain/src/index.js']));
    expect(modules.filter((m) => /node_modules\/(zod|i18next)\/|\/i18n\b|\/i18n\/|mail\/notices\.js/.test(m))).toEqual([]);
  });
});
