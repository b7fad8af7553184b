import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { projectRoot } from './project-root';

interface WorkflowBundler {
  bundleWorkflows(logger?: undefined, workflowsPath?: string): Promise<{ code: string }>;
}

/** Where a workflow bundle is made from: the TypeScript sources, or the build in `dist/`. */
export type WorkflowBundleSource = 'sources' | 'build';

/**
 * Writes a worker's workflow bundle to `file`, for WORKER_WORKFLOW_BUNDLE: a worker given it starts
 * without bundling, and every workflow it runs evaluates that bundle anew.
 *
 * - From the `sources` (the TypeScript: run under tsx or vitest), webpack joins the engine's modules
 *   into one (scope hoisting), so each workflow starts cheaper. What `npm run up`, the container
 *   image and the end-to-end suite give their built workers.
 * - From the `build` (`dist/`: `npm run build` first), the bundle a built worker makes for itself
 *   when it is given none: the compiled CommonJS, which webpack keeps module by module.
 *
 * Either way the same workflow code, as long as it comes from the commit the worker was built from.
 * `workflowsPath` bundles another index of workflows than the engine's (a benchmark's, which adds
 * its own beside them).
 */
export async function writeWorkflowBundle(file: string, from: WorkflowBundleSource, workflowsPath?: string): Promise<string> {
  const root = projectRoot();
  const worker =
    from === 'sources'
      ? ((await import(path.join(root, 'apps/worker/src/worker.ts'))) as WorkflowBundler)
      : (createRequire(path.join(root, 'package.json'))(path.join(root, 'dist/apps/worker/src/worker.js')) as WorkflowBundler);
  const { code } = await worker.bundleWorkflows(undefined, workflowsPath);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.partial`, code);
  fs.renameSync(`${file}.partial`, file);
  return file;
}
