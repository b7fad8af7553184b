import * as path from 'node:path';
import { projectRoot } from '#infra/dev/project-root';
import { writeBuiltWorkflowBundle } from '#infra/dev/workflow-bundle';

/**
 * `npm run build:workflows [file]`: the built worker's workflow bundle, written to `file` (default
 * `dist/workflow-bundle.js`) for WORKER_WORKFLOW_BUNDLE. Run `npm run build` first.
 */
const file = path.resolve(process.argv[2] ?? path.join(projectRoot(), 'dist', 'workflow-bundle.js'));
writeBuiltWorkflowBundle(file)
  .then((written) => console.log(`workflow bundle written to ${written}`))
  .catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
