import * as path from 'node:path';
import { projectRoot } from '#infra/dev/project-root';
import { writeWorkflowBundle } from '#infra/dev/workflow-bundle';

/**
 * `npm run build:workflows [file] [--from-build]`: a workflow bundle for WORKER_WORKFLOW_BUNDLE,
 * written to `file` (default `dist/workflow-bundle.js`). Made from the TypeScript sources, the
 * engine's modules joined into one (each workflow starts cheaper); with `--from-build`, from
 * `dist/` as a built worker bundles for itself (run `npm run build` first). Either must come from
 * the commit the worker was built from.
 */
const args = process.argv.slice(2);
const unknown = args.filter((a) => a.startsWith('--') && a !== '--from-build');
if (unknown.length > 0) {
  console.error(`unknown option ${unknown.join(', ')}; usage: npm run build:workflows [file] [--from-build]`);
  process.exit(2);
}
const from = args.includes('--from-build') ? 'build' : 'sources';
const file = path.resolve(args.find((a) => !a.startsWith('--')) ?? path.join(projectRoot(), 'dist', 'workflow-bundle.js'));
writeWorkflowBundle(file, from)
  .then((written) => console.log(`workflow bundle (from the ${from}) written to ${written}`))
  .catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
