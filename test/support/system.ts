import { spawnSync } from 'node:child_process';

/**
 * A command-line tool a test runs, installed from Debian's packages when the machine lacks it
 * (`npm test` installs what it needs; apt-get works as root on the machines it runs on).
 */
export function ensureCommand(command: string, debianPackage = command): void {
  if (spawnSync('sh', ['-c', `command -v ${command}`]).status === 0) return;
  const options = { stdio: 'inherit' as const, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
  const apt = (...args: string[]) => (process.getuid?.() === 0 ? spawnSync('apt-get', args, options) : spawnSync('sudo', ['-n', 'apt-get', ...args], options));
  if (apt('install', '-y', '-q', debianPackage).status === 0) return;
  apt('update', '-q');
  if (apt('install', '-y', '-q', debianPackage).status !== 0) throw new Error(`${command} is missing and apt-get could not install ${debianPackage}`);
}
