import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

/** Debian's Chromium, driven by playwright-core (which never downloads a browser). */
export const CHROMIUM = '/usr/bin/chromium';
/** OpenSSH's server: the SFTP adapter's tests run a real one on a loopback port. */
export const SSHD = '/usr/sbin/sshd';
/** Poppler's PDF to text and PDF to image tools: the certificate PDF's tests read what it shows with them. */
export const PDFTOTEXT = '/usr/bin/pdftotext';
export const PDFTOPPM = '/usr/bin/pdftoppm';

/**
 * Installs Debian packages with apt when the file they provide is missing (as root, on Debian),
 * so that `npm test` on a fresh machine needs nothing done by hand.
 */
function ensurePackage(file: string, pkg: string, why: string, say: (line: string) => void, afterInstall?: () => void): void {
  if (fs.existsSync(file)) return;
  if (process.getuid?.() !== 0) throw new Error(`${file} is missing: install Debian's ${pkg} package (apt-get install ${pkg})`);
  say(`installing ${pkg} with apt-get (${why})…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // A package's own service (openssh-server's sshd on port 22) is not started or enabled: policy-rc.d
  // answers 101 ("action forbidden") for the length of the install, unless the machine has its own.
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = fs.existsSync(policy);
  if (!ownPolicy) fs.writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', pkg]]) {
      const result = spawnSync('apt-get', args, { stdio: 'inherit', env });
      if (result.status !== 0) throw new Error(`apt-get ${args[0]} failed (exit ${result.status})`);
    }
  } finally {
    if (!ownPolicy) fs.rmSync(policy, { force: true });
  }
  afterInstall?.();
  if (!fs.existsSync(file)) throw new Error(`apt-get installed ${pkg}, but ${file} is not there`);
}

export function ensureChromium(say: (line: string) => void): void {
  ensurePackage(CHROMIUM, 'chromium', 'the UI tests drive it', say);
}

export function ensureSshd(say: (line: string) => void): void {
  // Installed for tests only: on a systemd host, the system's own sshd is not left enabled for the next boot.
  ensurePackage(SSHD, 'openssh-server', 'the SFTP adapter tests run a real sshd', say, () => {
    if (fs.existsSync('/run/systemd/system')) spawnSync('systemctl', ['disable', '--now', 'ssh.service'], { stdio: 'ignore' });
  });
}

export function ensurePoppler(say: (line: string) => void): void {
  // One package, both tools: a machine missing either gets poppler-utils.
  for (const file of [PDFTOTEXT, PDFTOPPM]) ensurePackage(file, 'poppler-utils', 'the certificate PDF tests read the PDF with pdftotext and pdftoppm', say);
}
