import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { projectRoot } from './project-root';

/**
 * Writes the workflow bundle of the built worker (`dist/`: run `npm run build` first) to `file`,
 * for WORKER_WORKFLOW_BUNDLE: a worker given it starts without bundling. The built worker's own
 * bundler, loaded by Node's require, makes it: the bundle of exactly the code that worker runs.
 */
export async function writeBuiltWorkflowBundle(file: string): Promise<string> {
  const root = projectRoot();
  const built = createRequire(path.join(root, 'package.json'))(path.join(root, 'dist/apps/worker/src/worker.js')) as {
    bundleWorkflows(): Promise<{ code: string }>;
  };
  const { code } = await built.bundleWorkflows();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.partial`, code);
  fs.renameSync(`${file}.partial`, file);
  return file;
}
