import * as fs from 'node:fs';
import * as path from 'node:path';

const PACKAGE_NAME = 'dpa-lifecycle-engine';

/** The repository root, found from this file so that it holds from src/ (tests) and dist/ (builds). */
export function projectRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === PACKAGE_NAME) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the ${PACKAGE_NAME} root above ${__dirname}`);
    dir = parent;
  }
}
