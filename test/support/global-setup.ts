import * as fs from 'node:fs';
import * as path from 'node:path';
import { type TestProject } from 'vitest/node';
import { freePort } from '#infra/dev/processes';
import { projectRoot } from '#infra/dev/project-root';
import { startPostgres, startTemporalDevServer } from '#infra/dev/services';
import { writeWorkflowBundle } from '#infra/dev/workflow-bundle';
import { installTemporalBinaries } from '#infra/temporal/binaries';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the shared test PostgreSQL; each test file creates its own database on it. */
    postgresUrl: string;
    /** Address of the shared Temporal dev server. */
    temporalAddress: string;
    /** A folder of this run, removed at the end. */
    runDir: string;
    /** e2e: the built workers' workflow bundle, made from the sources once for the run (WORKER_WORKFLOW_BUNDLE); else empty. */
    workflowBundlePath: string;
  }
}

/**
 * An idle worker's poll is answered empty after this long, and the worker polls again (the
 * server's default is a minute): a stopped worker's queue then looks unattended after seconds, not
 * after a minute and more (test/e2e/no-worker.test.ts, with TEMPORAL_WORKER_STALE_AFTER to match).
 */
export const LONG_POLL_SECONDS = 10;
const TEST_SERVER_CONFIG = { 'matching.longPollExpirationInterval': `${LONG_POLL_SECONDS}s` };

/**
 * One real PostgreSQL and one real Temporal dev server per suite run, on free ports, stopped at
 * the end — and, through their guards, stopped too if this process is killed.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await installTemporalBinaries((line) => console.log(line));
  const runDir = path.join(projectRoot(), '.data', 'test', `${project.name}-${process.pid}-${Date.now()}`);
  fs.mkdirSync(runDir, { recursive: true });
  const keepLog: string[] = [];
  const onLine = (line: string) => keepLog.push(line);
  // `npm run test:cluster` runs the suites against its own PostgreSQL and Temporal cluster.
  const external = { postgres: process.env.DPA_TEST_POSTGRES_URL, temporal: process.env.DPA_TEST_TEMPORAL_ADDRESS };
  const [postgres, temporal] = await Promise.all([
    external.postgres ? null : startPostgres({ dataDir: path.join(runDir, 'postgres'), port: await freePort(), database: 'postgres', onLine }),
    external.temporal ? null : startTemporalDevServer({ port: await freePort(), uiPort: null, dynamicConfig: TEST_SERVER_CONFIG, onLine }),
  ]).catch((e: unknown) => {
    console.error(keepLog.slice(-30).join('\n'));
    throw e;
  });
  project.provide('postgresUrl', postgres?.url ?? external.postgres!);
  project.provide('temporalAddress', temporal?.address ?? external.temporal!);
  project.provide('runDir', runDir);
  // The e2e stacks' workers run the build: one bundle for all of them, instead of one each, made
  // from the sources as `npm run up` and the image make theirs (the engine's modules joined).
  const bundled = project.name === 'e2e' || project.name === 'cluster';
  project.provide('workflowBundlePath', bundled ? await writeWorkflowBundle(path.join(runDir, 'workflow-bundle.js'), 'sources') : '');
  return async () => {
    await Promise.all([temporal?.stop(), postgres?.stop()]);
    fs.rmSync(runDir, { recursive: true, force: true });
  };
}
