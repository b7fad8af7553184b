import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

/** Debian's Chromium, driven by playwright-core (which never downloads a browser). */
export const CHROMIUM = '/usr/bin/chromium';
/** OpenSSH's server: the SFTP adapter's tests run a real one on a loopback port. */
export const SSHD = '/usr/sbin/sshd';

/**
 * Installs Debian packages with apt when the file they provide is missing (as root, on Debian),
 * so that `npm test` on a fresh machine needs nothing done by hand.
 */
function ensurePackage(file: string, pkg: string, why: string, say: (line: string) => void): void {
  if (fs.existsSync(file)) return;
  if (process.getuid?.() !== 0) throw new Error(`${file} is missing: install Debian's ${pkg} package (apt-get install ${pkg})`);
  say(`installing ${pkg} with apt-get (${why})…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', pkg]]) {
    const result = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (result.status !== 0) throw new Error(`apt-get ${args[0]} failed (exit ${result.status})`);
  }
  if (!fs.existsSync(file)) throw new Error(`apt-get installed ${pkg}, but ${file} is not there`);
}

export function ensureChromium(say: (line: string) => void): void {
  ensurePackage(CHROMIUM, 'chromium', 'the UI tests drive it', say);
}

export function ensureSshd(say: (line: string) => void): void {
  ensurePackage(SSHD, 'openssh-server', 'the SFTP adapter tests run a real sshd', say);
}
