// Entry point of every npm script that must work on a fresh clone: installs the npm dependencies
// when package-lock.json changed since the last install (or never happened), then runs the given
// TypeScript script with tsx, forwarding signals and the exit status.
// Usage: node scripts/run.mjs <script.ts> [args...]
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error('usage: node scripts/run.mjs <script.ts> [args...]');
  process.exit(2);
}

const lock = fs.readFileSync(path.join(root, 'package-lock.json'));
const wanted = createHash('sha256').update(lock).update(process.version).digest('hex');
const stamp = path.join(root, 'node_modules', '.dpa-installed');
const env = { ...process.env };
if (!fs.existsSync(stamp) || fs.readFileSync(stamp, 'utf8') !== wanted) {
  console.log('[setup] installing npm dependencies (npm ci)…');
  const installing = Date.now();
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('[setup] npm ci failed');
    process.exit(result.status ?? 1);
  }
  fs.writeFileSync(stamp, wanted);
  // `npm test` counts the install among its stages.
  env.DPA_NPM_CI_MS = String(Date.now() - installing);
}

// TSX_NODE_ARGS (libs/infra/src/dev/processes.ts): the libraries' import names lead to their sources.
const child = spawn(process.execPath, ['--conditions=dpa-source', '--import', 'tsx', path.resolve(root, script), ...args], { cwd: root, stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : 143)));
