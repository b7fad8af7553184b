import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { writeWorkflowBundle } from '#infra/dev/workflow-bundle';
import { API_ONLY, expectJoinedEngine, modulesOf } from '../support/bundle-modules';

/**
 * The workflow bundles a built worker runs (WORKER_WORKFLOW_BUNDLE): every workflow evaluates its
 * modules anew, so what only the API and the mail adapter use stays out of them. The suite's workers
 * run one made from the sources, as `npm run up` and the container image make theirs; a built worker
 * given none bundles dist/ itself. (int/workflows/replay.test.ts reads the tests' own bundle.)
 */
describe("the built worker's workflow bundles", () => {
  it("made from the sources (the suite's, npm run up's, the image's): the engine's modules joined into one, no catalogue, i18next, zod or email wording", () => {
    const file = inject('workflowBundlePath');
    expect(file).not.toBe('');
    expectJoinedEngine(fs.readFileSync(file, 'utf8'));
  });

  it('made from dist/ (a built worker given none): the compiled engine, module by module, and no catalogue, i18next, zod or email wording either', async () => {
    const file = await writeWorkflowBundle(path.join(inject('runDir'), 'workflow-bundle-from-build.js'), 'build');
    const { apart, joined } = modulesOf(fs.readFileSync(file, 'utf8'));
    expect([...apart, ...joined]).toEqual(expect.arrayContaining(['./dist/apps/worker/src/workflows/index.js', './dist/apps/worker/src/mail/notice.js', './dist/libs/domain/src/index.js']));
    expect([...apart, ...joined].filter((m) => API_ONLY.test(m))).toEqual([]);
  }, 120_000);
});
