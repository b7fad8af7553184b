import { expect } from 'vitest';

/** The modules a webpack bundle names: kept apart (`/***\/ "./path"`) or joined into another (`;// ./path`, `// MODULE: ./path` for CommonJS kept inside a joined one). */
export function modulesOf(code: string): { apart: string[]; joined: string[] } {
  return {
    apart: [...code.matchAll(/^\/\*\*\*\/ "(\.\/[^"]+)"/gm)].map((m) => m[1]!),
    joined: [...code.matchAll(/^(?:;\/\/|\/\/ MODULE:) (\.\/\S+)$/gm)].map((m) => m[1]!),
  };
}

/** What only the API and the mail adapter use: zod, i18next, the catalogue, the email wording. */
export const API_ONLY = /node_modules\/(zod|i18next)\/|\/i18n\b|\/i18n\/|mail\/notices\.[jt]s/;

/** A bundle made from the sources: the engine's modules joined into one (only the workflows' index kept apart), and nothing API_ONLY. */
export function expectJoinedEngine(code: string): void {
  const { apart, joined } = modulesOf(code);
  expect(joined).toEqual(expect.arrayContaining(['./libs/domain/src/index.ts', './apps/worker/src/kit/entity.ts', './apps/worker/src/mail/notice.ts']));
  expect(apart.filter((m) => m.startsWith('./libs/') || m.startsWith('./apps/'))).toEqual(['./apps/worker/src/workflows/index.ts']);
  expect([...apart, ...joined].filter((m) => API_ONLY.test(m))).toEqual([]);
}
