import { defineConfig } from 'vitest/config';

// Three suites: unit (pure code, no services), int (real PostgreSQL and Temporal started by
// test/support/global-setup.ts), e2e (real HTTP against API and worker processes).
import { viteLibraryAliases } from './libs/infra/src/dev/library-aliases.js';

export default defineConfig({
  // `#domain`, `#infra/*` (package.json "imports"): the TypeScript sources.
  resolve: { alias: viteLibraryAliases(import.meta.dirname) },
  test: {
    pool: 'forks',
    // Each suite prints its ten slowest tests; npm test prints the whole run's (scripts/test.ts).
    reporters: ['default', './test/support/timings-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          // Projects with different maxWorkers run in groups of their own, one after the other.
          sequence: { groupOrder: 0 },
          include: ['libs/**/*.spec.ts', 'apps/**/*.spec.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'int',
          sequence: { groupOrder: 1 },
          include: ['test/int/**/*.test.ts'],
          // Two files at once: much of their time is spent waiting on a server, not on a core.
          maxWorkers: 2,
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Only `npm run test:cluster` runs these: replicas of every app on a real Temporal cluster.
        extends: true,
        test: {
          name: 'cluster',
          sequence: { groupOrder: 2 },
          include: ['test/cluster/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          sequence: { groupOrder: 3 },
          include: ['test/e2e/**/*.test.ts'],
          // Each file has a stack of its own (database, task queue, mail catcher, processes), and
          // most of a file's time is spent waiting on its stack: three files run at once.
          maxWorkers: 3,
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
    coverage: {
      provider: 'v8',
      include: ['libs/domain/src/**/*.ts'],
      exclude: ['**/*.spec.ts', '**/index.ts'],
      reporter: ['text-summary', 'text'],
      thresholds: { branches: 95 },
    },
  },
});
