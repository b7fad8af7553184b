import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../dev/project-root';
import { isExecutable } from './binaries';

const run = promisify(execFile);

/**
 * The Temporal server of the production topology, built from the Go module (ENVIRONMENT.md).
 * docker-compose.yml pins the same version (temporalio/server:<TEMPORAL_SERVER_VERSION>).
 */
export const TEMPORAL_SERVER_VERSION = '1.32.2';
/** The server module needs a newer Go than Debian's: the go command fetches it from the module proxy. */
export const GO_TOOLCHAIN = 'go1.27.3';

export interface TemporalServerBinaries {
  readonly server: string;
  readonly sqlTool: string;
  /** The module's folder in the Go module cache: schemas and sample configurations. */
  readonly moduleDir: string;
}

export function serverToolsDir(): string {
  return path.join(projectRoot(), '.tools', 'temporal-server', TEMPORAL_SERVER_VERSION);
}

function goEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GOTOOLCHAIN: GO_TOOLCHAIN, GOFLAGS: '-mod=mod', CGO_ENABLED: '0' };
}

async function moduleDir(work: string): Promise<string> {
  const { stdout } = await run('go', ['list', '-m', '-f', '{{.Dir}}', `go.temporal.io/server`], { cwd: work, env: goEnv() });
  return stdout.trim();
}

/** The built binaries, or undefined when `npm run temporal:build` has not run. */
export function builtServer(): TemporalServerBinaries | undefined {
  const dir = serverToolsDir();
  const server = path.join(dir, 'temporal-server');
  const sqlTool = path.join(dir, 'temporal-sql-tool');
  const stamp = path.join(dir, 'module-dir.txt');
  if (!isExecutable(server) || !isExecutable(sqlTool) || !fs.existsSync(stamp)) return undefined;
  const mod = fs.readFileSync(stamp, 'utf8').trim();
  if (!fs.existsSync(path.join(mod, 'schema', 'postgresql'))) return undefined;
  return { server, sqlTool, moduleDir: mod };
}

/**
 * Builds temporal-server and temporal-sql-tool once into .tools/temporal-server/<version> (git-ignored),
 * at low priority; a second run is a no-op. Not part of `npm test`.
 */
export async function buildTemporalServer(log: (line: string) => void = () => {}): Promise<TemporalServerBinaries & { built: boolean }> {
  const existing = builtServer();
  if (existing) return { ...existing, built: false };
  const dir = serverToolsDir();
  const work = path.join(dir, 'module');
  fs.mkdirSync(work, { recursive: true });
  const env = goEnv();
  const go = (args: string[]) => run('nice', ['-n', '10', 'go', ...args], { cwd: work, env, maxBuffer: 64 * 1024 * 1024 });
  if (!fs.existsSync(path.join(work, 'go.mod'))) await go(['mod', 'init', 'dpa-engine-temporal-build']);
  log(`fetching go.temporal.io/server@v${TEMPORAL_SERVER_VERSION} (toolchain ${GO_TOOLCHAIN}) from the Go module proxy`);
  await go(['get', `go.temporal.io/server/cmd/server@v${TEMPORAL_SERVER_VERSION}`, `go.temporal.io/server/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`]);
  log('building temporal-server (several minutes on 2 cores)');
  await go(['build', '-o', path.join(dir, 'temporal-server'), 'go.temporal.io/server/cmd/server']);
  log('building temporal-sql-tool');
  await go(['build', '-o', path.join(dir, 'temporal-sql-tool'), 'go.temporal.io/server/cmd/tools/sql']);
  fs.writeFileSync(path.join(dir, 'module-dir.txt'), `${await moduleDir(work)}\n`);
  const built = builtServer();
  if (!built) throw new Error(`the Temporal server build left no usable binaries in ${dir}`);
  return { ...built, built: true };
}
