import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../dev/project-root';
import { isExecutable } from './binaries';

const run = promisify(execFile);

/**
 * The Temporal server of the production topology, built from the Go module (docs/operations.md).
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

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && isExecutable(path.join(dir, command)));
}

/**
 * The go command: the machine's (its GOTOOLCHAIN setting fetches the newer toolchain the module
 * needs), or, on a machine without Go, that toolchain itself, fetched once from the Go module proxy
 * as the module golang.org/toolchain (what the go command would fetch) into .tools/go.
 */
export async function goCommand(log: (line: string) => void): Promise<string> {
  if (onPath('go')) return 'go';
  const arch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch];
  if (!arch || process.platform !== 'linux') throw new Error(`no go command, and no Go toolchain to fetch for ${process.platform}/${process.arch}: install Go`);
  const version = `v0.0.1-${GO_TOOLCHAIN}.linux-${arch}`;
  const root = path.join(projectRoot(), '.tools', 'go', version);
  const go = path.join(root, 'bin', 'go');
  if (isExecutable(go)) return go;
  const proxy = (process.env.GOPROXY ?? 'https://proxy.golang.org').split(/[,|]/)[0]!.replace(/\/$/, '');
  log(`no go command here: fetching the ${GO_TOOLCHAIN} toolchain from ${proxy}`);
  const res = await fetch(`${proxy}/golang.org/toolchain/@v/${version}.zip`);
  if (!res.ok) throw new Error(`the Go module proxy answered ${res.status} for golang.org/toolchain@${version}`);
  const { unzipSync } = await import('fflate');
  const prefix = `golang.org/toolchain@${version}/`;
  for (const [name, bytes] of Object.entries(unzipSync(new Uint8Array(await res.arrayBuffer())))) {
    if (!name.startsWith(prefix) || name.endsWith('/')) continue;
    const relative = name.slice(prefix.length);
    const file = path.join(root, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Zip entries carry no modes here: the commands under bin/ and pkg/tool/ are made executable.
    fs.writeFileSync(file, bytes, { mode: /^(bin|pkg\/tool)\//.test(relative) ? 0o755 : 0o644 });
  }
  if (!isExecutable(go)) throw new Error(`the ${GO_TOOLCHAIN} toolchain has no bin/go`);
  return go;
}

async function moduleDir(work: string, command: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await run(command, ['list', '-m', '-f', '{{.Dir}}', `go.temporal.io/server`], { cwd: work, env });
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
  const command = await goCommand(log);
  // The fetched toolchain is already the one the module needs.
  const env = command === 'go' ? goEnv() : { ...goEnv(), GOTOOLCHAIN: 'local', GOROOT: path.dirname(path.dirname(command)) };
  const go = (args: string[]) => run('nice', ['-n', '10', command, ...args], { cwd: work, env, maxBuffer: 64 * 1024 * 1024 });
  if (!fs.existsSync(path.join(work, 'go.mod'))) await go(['mod', 'init', 'dpa-engine-temporal-build']);
  log(`fetching go.temporal.io/server@v${TEMPORAL_SERVER_VERSION} (toolchain ${GO_TOOLCHAIN}) from the Go module proxy`);
  await go(['get', `go.temporal.io/server/cmd/server@v${TEMPORAL_SERVER_VERSION}`, `go.temporal.io/server/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`]);
  log('building temporal-server (several minutes on 2 cores)');
  await go(['build', '-o', path.join(dir, 'temporal-server'), 'go.temporal.io/server/cmd/server']);
  log('building temporal-sql-tool');
  await go(['build', '-o', path.join(dir, 'temporal-sql-tool'), 'go.temporal.io/server/cmd/tools/sql']);
  fs.writeFileSync(path.join(dir, 'module-dir.txt'), `${await moduleDir(work, command, env)}\n`);
  const built = builtServer();
  if (!built) throw new Error(`the Temporal server build left no usable binaries in ${dir}`);
  return { ...built, built: true };
}
