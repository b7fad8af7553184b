import * as path from 'node:path';
import { projectRoot } from './project-root';

/** Where `npm run up` keeps its data: DPA_DATA_DIR, or `.data` in the project. */
export function devDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(projectRoot(), env.DPA_DATA_DIR ?? '.data');
}

/**
 * The settings `npm run up` derives from its data folder, under what the environment sets: the
 * storage locations and the exports. Development scripts that touch them (`dev:seed`) read the
 * same, so they write where the running stack looks.
 */
export function devEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const dataDir = devDataDir(env);
  return { STORAGE_ROOT: path.join(dataDir, 'storage'), EXPORT_ROOT: path.join(dataDir, 'exports'), ...env };
}
