import { defineConfig } from 'vitest/config';

// Three suites: unit (pure code, no services), int (real PostgreSQL and Temporal started by
// test/support/global-setup.ts), e2e (real HTTP against API and worker processes).
import { viteLibraryAliases } from './libs/infra/src/dev/library-aliases.js';

export default defineConfig({
  // `#domain`, `#infra/*` (package.json "imports"): the TypeScript sources.
  resolve: { alias: viteLibraryAliases(import.meta.dirname) },
  test: {
    pool: 'forks',
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['libs/**/*.spec.ts', 'apps/**/*.spec.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'int',
          include: ['test/int/**/*.test.ts'],
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
          include: ['test/e2e/**/*.test.ts'],
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
