import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inject } from 'vitest';
import { randomUUID } from 'node:crypto';
import { ensureSshd, SSHD } from '#infra/dev/debian-packages';
import { freePort, isPortOpen, startProcess, waitFor, type ManagedProcess } from '#infra/dev/processes';

export interface SshdOptions {
  /** The host key: `rsa:4096`, `rsa:2048`, `ed25519`, `ecdsa`. */
  readonly hostKey?: string;
  /** sshd's `Ciphers` line. */
  readonly ciphers?: string;
  /** sshd's `KexAlgorithms` line. */
  readonly kex?: string;
}

export interface RunningSshd {
  readonly port: number;
  /** The folder the server holds the location in (the "remote" disk, on this machine). */
  readonly root: string;
  /** The client's private key file, accepted for root. */
  readonly clientKeyFile: string;
  /** `ssh-keygen -l`'s fingerprint of the host key, computed by OpenSSH (not by the code under test). */
  readonly hostKeyFingerprint: string;
  readonly log: string[];
  stop(): Promise<void>;
}

function keygen(file: string, spec: string): void {
  const [type, bits] = spec.split(':');
  execFileSync('ssh-keygen', ['-q', '-t', type!, ...(bits ? ['-b', bits] : []), '-N', '', '-C', 'dpa-test', '-f', file]);
}

/**
 * A real OpenSSH sshd on a free loopback port, with its own host key, cipher list
 * and authorized key, serving SFTP (internal-sftp). Debian's openssh-server is installed when missing.
 */
/** Every sshd started, stopped by stopAllSshd (also when one fails to come up). */
const running: ManagedProcess[] = [];
export async function stopAllSshd(): Promise<void> {
  await Promise.all(running.splice(0).map((p) => p.stop(8_000)));
}

export async function startSshd(options: SshdOptions = {}): Promise<RunningSshd> {
  ensureSshd((line) => console.log(line));
  const dir = path.join(inject('runDir'), `sshd-${randomUUID()}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const hostKey = path.join(dir, 'host_key');
  keygen(hostKey, options.hostKey ?? 'rsa:4096');
  const clientKeyFile = path.join(dir, 'client_key');
  keygen(clientKeyFile, 'ed25519');
  fs.copyFileSync(`${clientKeyFile}.pub`, path.join(dir, 'authorized_keys'));
  const root = path.join(dir, 'site');
  fs.mkdirSync(root);
  fs.mkdirSync('/run/sshd', { recursive: true });
  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  fs.writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'StrictModes no',
      'UsePAM no',
      ...(options.ciphers ? [`Ciphers ${options.ciphers}`] : []),
      ...(options.kex ? [`KexAlgorithms ${options.kex}`] : []),
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'),
  );
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
  const log: string[] = [];
  const proc: ManagedProcess = startProcess('sshd', SSHD, ['-D', '-e', '-f', config], { onLine: (line) => log.push(line), guarded: true });
  running.push(proc);
  await waitFor('sshd', () => isPortOpen(port), { timeoutMs: 20_000, exited: proc.exited });
  return { port, root, clientKeyFile, hostKeyFingerprint: fingerprint, log, stop: () => proc.stop(8_000) };
}
