import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The libraries' import names (`#domain`, `#infra/...`: package.json "imports") for the tools that
 * resolve them on their own: Node and TypeScript read the map itself; Vite (vitest) and webpack
 * (the workflow bundle) are handed it here as aliases, so the map is written once. `source` points
 * at the TypeScript sources, `default` at the build in dist/.
 */
export type LibraryCondition = 'dpa-source' | 'default';

interface ImportTarget {
  readonly key: string;
  /** The key without its `/*`, when it is a pattern. */
  readonly prefix: string | null;
  /** The absolute target, without its extension (and without its `*`, for a pattern). */
  readonly target: string;
}

function importTargets(root: string, condition: LibraryCondition): ImportTarget[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { imports?: Record<string, Record<string, string>> };
  return Object.entries(pkg.imports ?? {}).map(([key, targets]) => {
    const to = targets[condition];
    if (!to) throw new Error(`package.json imports ${key} has no "${condition}" target`);
    const pattern = key.endsWith('/*');
    const target = path.join(root, to.replace(/\*?\.(ts|js)$/, ''));
    return { key, prefix: pattern ? key.slice(0, -2) : null, target };
  });
}

/** For Vite: exact names first, then each pattern as a prefix (`#infra/x/y` → `<libs/infra/src>/x/y`). */
export function viteLibraryAliases(root: string, condition: LibraryCondition = 'dpa-source'): { find: RegExp; replacement: string }[] {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const targets = importTargets(root, condition);
  return [
    ...targets.filter((t) => t.prefix === null).map((t) => ({ find: new RegExp(`^${escape(t.key)}$`), replacement: t.target })),
    ...targets.filter((t) => t.prefix !== null).map((t) => ({ find: new RegExp(`^${escape(t.prefix!)}/(.*)$`), replacement: `${t.target}$1` })),
  ];
}

/** For webpack: `name$` for an exact name (matched before the prefixes), the prefix for a pattern. */
export function webpackLibraryAliases(root: string, condition: LibraryCondition): Record<string, string> {
  return Object.fromEntries(importTargets(root, condition).map((t) => (t.prefix === null ? [`${t.key}$`, t.target] : [t.prefix, t.target.replace(/[/\\]$/, '')])));
}
