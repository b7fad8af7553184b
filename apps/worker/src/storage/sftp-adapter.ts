import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { type SftpLocationConfig } from '#infra/config/config';
import { Client, utils, type ConnectConfig, type FileEntryWithStats, type SFTPWrapper } from 'ssh2';
import {
  SSH_ALLOWED_CIPHERS,
  SSH_ALLOWED_HOST_KEY_ALGORITHMS,
  SSH_ALLOWED_KEX,
  SSH_ALLOWED_MACS,
  judgeHostKey,
  judgeKeyStrength,
} from '#infra/storage/ssh-policy';
import { StorageError, manifestOf, type DestroyProgress, type ManifestEntry, type Manifest, type StorageLocationAdapter } from './storage-adapter';

/** A configured SFTP location; `readyTimeoutMs` bounds the handshake (tests shorten it). */
export type SftpLocationOptions = Omit<SftpLocationConfig, 'adapter'> & { readonly readyTimeoutMs?: number };

/** SSH_FX_NO_SUCH_FILE (draft-ietf-secsh-filexfer-02 §7). */
import { CANONICAL_UUID } from '#domain/fields';
const NO_SUCH_FILE = 2;

function sftpCode(e: unknown): number | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * A remote backup site over SFTP (the seed's "Data transfer security" and "Data Recovery Method"):
 * the same layout and the same two-step destruction as the filesystem adapter (the contract's folder
 * is renamed aside, then deleted file by file), so a worker that dies half-way leaves a folder the
 * next attempt recognises. Each operation opens its own connection, checked against the SSH policy
 * (ciphers, MACs, host key algorithm and size) and the pinned host key before anything is read.
 */
export class SftpAdapter implements StorageLocationAdapter {
  readonly method = 'sftp-remove';

  constructor(private readonly options: SftpLocationOptions) {}

  private folder(contractId: string): string {
    if (!CANONICAL_UUID.test(contractId)) throw new StorageError('storage.invalid_contract', 'contract ids are UUIDs');
    return path.posix.join(this.options.root, contractId);
  }

  private doomed(contractId: string): string {
    return path.posix.join(this.options.root, `.destroying-${contractId}`);
  }

  /**
   * Runs `work` on an SFTP session of a fresh, policy-checked connection, and closes it whatever
   * happens. Keepalives notice a server that stops answering; an abort (the worker stopping) closes
   * the connection, so pending calls fail at once instead of holding the activity.
   */
  async session<T>(work: (sftp: Sftp) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const privateKey = await fs.readFile(this.options.privateKeyFile).catch(() => {
      throw new StorageError('storage.ssh_key_unreadable', 'the SSH private key file cannot be read');
    });
    const keyRefusal = judgeClientKey(privateKey);
    if (keyRefusal) throw keyRefusal;
    const client = new Client();
    let refusal: string | undefined;
    const config: ConnectConfig = {
      host: this.options.host,
      port: this.options.port,
      username: this.options.username,
      privateKey,
      readyTimeout: this.options.readyTimeoutMs ?? 20_000,
      keepaliveInterval: 10_000,
      keepaliveCountMax: 3,
      algorithms: {
        kex: [...SSH_ALLOWED_KEX],
        cipher: [...(this.options.ciphers ?? SSH_ALLOWED_CIPHERS)],
        serverHostKey: [...SSH_ALLOWED_HOST_KEY_ALGORITHMS],
        hmac: [...SSH_ALLOWED_MACS],
      },
      hostVerifier: (key: Buffer) => {
        const verdict = judgeHostKey(key, this.options.hostKeyFingerprint);
        if (!verdict.ok) refusal = verdict.reason;
        return verdict.ok;
      },
    };
    const close = () => client.end();
    signal?.addEventListener('abort', close, { once: true });
    try {
      const sftp = await new Promise<SFTPWrapper>((resolve, reject) => {
        // Kept for the whole connection: an error after the session opened must not go unheard.
        client.on('error', (e: Error & { level?: string }) => reject(connectionFailure(e, refusal)));
        client.once('close', () => reject(new StorageError('storage.unavailable', 'the server closed the connection before the session opened')));
        client.on('ready', () => {
          client.sftp((e, session) => {
            if (e) return reject(new StorageError('storage.unavailable', 'the server refused an SFTP session'));
            // A malformed packet from the server ends the connection; pending calls then fail.
            session.on('error', close);
            resolve(session);
          });
        });
        client.connect(config);
      });
      return await work(new Sftp(sftp));
    } finally {
      signal?.removeEventListener('abort', close);
      client.end();
    }
  }

  private async requireRoot(sftp: Sftp): Promise<void> {
    const stat = await sftp.stat(this.options.root);
    if (!stat?.isDirectory()) throw new StorageError('storage.unavailable', 'the location root is not reachable on the server');
  }

  async inventory(contractId: string): Promise<Manifest> {
    return this.session(async (sftp) => {
      await this.requireRoot(sftp);
      return manifestOf([...(await sftp.walk(this.folder(contractId))), ...(await sftp.walk(this.doomed(contractId)))]);
    });
  }

  async destroy(contractId: string, progress: DestroyProgress, signal?: AbortSignal): Promise<void> {
    const live = this.folder(contractId);
    const doomed = this.doomed(contractId);
    await this.session(async (sftp) => {
      await this.requireRoot(sftp);
      const liveExists = (await sftp.stat(live)) !== undefined;
      if (liveExists) {
        if ((await sftp.stat(doomed)) === undefined) await sftp.rename(live, doomed);
        // A previous attempt left both: the newcomer's files are deleted where they are, below.
      }
      const batch = this.options.batchSize ?? 50;
      let removed = 0;
      for (const dir of [doomed, live]) {
        const files = await sftp.walk(dir);
        for (let i = 0; i < files.length; i += batch) {
          signal?.throwIfAborted();
          await Promise.all(files.slice(i, i + batch).map((f) => sftp.unlink(path.posix.join(dir, f.relative))));
          removed += Math.min(batch, files.length - i);
          progress(removed);
          if (this.options.throttleMs) await new Promise((r) => setTimeout(r, this.options.throttleMs));
        }
        await sftp.removeTree(dir);
      }
    }, signal);
  }

  async remaining(contractId: string): Promise<number> {
    return this.session(async (sftp) => {
      await this.requireRoot(sftp);
      let left = 0;
      for (const dir of [this.folder(contractId), this.doomed(contractId)]) {
        left += (await sftp.walk(dir)).length;
        if ((await sftp.stat(dir)) !== undefined) left += 1;
      }
      return left;
    });
  }

  async exportTo(contractId: string, targetDir: string): Promise<Manifest> {
    const source = this.folder(contractId);
    return this.session(async (sftp) => {
      await this.requireRoot(sftp);
      const entries = await sftp.walk(source);
      await fs.mkdir(targetDir, { recursive: true });
      for (const entry of entries) {
        const target = path.join(targetDir, entry.relative);
        await fs.mkdir(path.dirname(target), { recursive: true });
        await sftp.download(path.posix.join(source, entry.relative), target);
      }
      return manifestOf(entries);
    });
  }
}

/**
 * The configured client key: one ssh2 can use (not passphrase-protected), and held to the same
 * policy as host keys (RSA of 4096 bits or more, or Ed25519).
 */
function judgeClientKey(privateKey: Buffer): StorageError | undefined {
  const parsed = utils.parseKey(privateKey);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error || !key.isPrivateKey()) {
    return new StorageError('storage.ssh_key_unreadable', 'the SSH private key cannot be used (a passphrase-protected key is not supported)');
  }
  const weak = judgeKeyStrength(key.getPublicSSH(), 'the configured client key');
  return weak ? new StorageError('storage.ssh_policy', `refused to connect: ${weak}`) : undefined;
}

/** A connection that failed, as a storage error naming the policy when the policy refused it. */
function connectionFailure(e: Error & { level?: string }, refusal: string | undefined): StorageError {
  if (refusal) return new StorageError('storage.ssh_policy', `refused the server: ${refusal}`);
  if (/no matching (C->S|S->C) cipher/.test(e.message)) {
    return new StorageError('storage.ssh_policy', 'refused the server: it offers no cipher the policy allows (AES CBC, CTR or GCM, or chacha20-poly1305)');
  }
  if (/no matching host key format/.test(e.message)) {
    return new StorageError('storage.ssh_policy', 'refused the server: it offers no host key the policy allows (RSA of 4096 bits or more, or Ed25519)');
  }
  if (/no matching key exchange/.test(e.message)) {
    return new StorageError('storage.ssh_policy', 'refused the server: it offers no key exchange the policy allows (curve25519, or Diffie-Hellman groups of 4096 bits or more)');
  }
  if (/no matching (C->S|S->C) MAC/.test(e.message)) return new StorageError('storage.ssh_policy', 'refused the server: it offers no MAC the policy allows (HMAC-SHA2)');
  if (/authentication methods failed/i.test(e.message)) return new StorageError('storage.ssh_auth', 'the server refused the configured key');
  return new StorageError('storage.unavailable', `the server is not reachable (${e.level === 'client-timeout' ? 'timeout' : (e as NodeJS.ErrnoException).code ?? 'connection failed'})`);
}

/** The few SFTP calls the adapter needs, as promises; a missing file is `undefined`, other failures a storage error. */
class Sftp {
  constructor(private readonly sftp: SFTPWrapper) {}

  /** One SFTP call; a missing file or folder answers `ifMissing` when given, any other failure is a storage error. */
  private call<T>(op: (cb: (e: Error | null | undefined, v: T) => void) => void, what: string, ifMissing?: { value: T }): Promise<T> {
    return new Promise<T>((resolve, reject) =>
      op((e, v) => {
        if (!e) return resolve(v);
        if (ifMissing && sftpCode(e) === NO_SUCH_FILE) return resolve(ifMissing.value);
        reject(new StorageError('storage.unavailable', `the server refused to ${what} (SFTP status ${sftpCode(e) ?? 'unknown'})`));
      }),
    );
  }

  stat(p: string): Promise<import('ssh2').Stats | undefined> {
    return this.call<import('ssh2').Stats | undefined>((cb) => this.sftp.stat(p, cb), 'stat', { value: undefined });
  }

  readdir(p: string): Promise<FileEntryWithStats[]> {
    return this.call<FileEntryWithStats[]>((cb) => this.sftp.readdir(p, cb), 'list a folder', { value: [] });
  }

  rename(from: string, to: string): Promise<void> {
    return this.call<void>((cb) => this.sftp.rename(from, to, (e) => cb(e, undefined)), 'rename');
  }

  async unlink(p: string): Promise<void> {
    await this.call<boolean>((cb) => this.sftp.unlink(p, (e) => cb(e, true)), 'delete a file', { value: true });
  }

  async rmdir(p: string): Promise<void> {
    await this.call<boolean>((cb) => this.sftp.rmdir(p, (e) => cb(e, true)), 'remove a folder', { value: true });
  }

  download(from: string, to: string): Promise<void> {
    return this.call<void>((cb) => this.sftp.fastGet(from, to, (e) => cb(e, undefined)), 'read a file');
  }

  /** Every file under `dir` (recursively), with sizes; a missing folder holds nothing. */
  async walk(dir: string, prefix = ''): Promise<ManifestEntry[]> {
    const out: ManifestEntry[] = [];
    for (const d of await this.readdir(path.posix.join(dir, prefix))) {
      if (d.filename === '.' || d.filename === '..') continue;
      requireSafeName(d.filename);
      const relative = prefix ? `${prefix}/${d.filename}` : d.filename;
      if (d.attrs.isDirectory()) out.push(...(await this.walk(dir, relative)));
      else out.push({ relative, size: d.attrs.size });
    }
    return out;
  }

  /** Removes `dir`'s (now empty) folders bottom-up, then `dir`; a missing one is already gone. */
  async removeTree(dir: string): Promise<void> {
    for (const d of await this.readdir(dir)) {
      if (d.filename === '.' || d.filename === '..') continue;
      requireSafeName(d.filename);
      const child = path.posix.join(dir, d.filename);
      if (d.attrs.isDirectory()) await this.removeTree(child);
      else await this.unlink(child);
    }
    await this.rmdir(dir);
  }
}

/** A name the server listed: one path segment, never a way out of the contract's folder (on the server or in an export). */
function requireSafeName(name: string): void {
  if (name.includes('/') || name.includes('\0') || name === '' || name === '.' || name === '..') {
    throw new StorageError('storage.unsafe_name', 'the server listed a file name that is not a single path segment');
  }
}
