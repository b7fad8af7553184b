import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { StorageError, manifestOf, type DestroyProgress, type Manifest, type ManifestEntry, type StorageLocationAdapter } from './storage-adapter';

import { CANONICAL_UUID } from '#domain/fields';

/**
 * A location is a directory root holding one folder per contract. Destruction first renames the
 * folder out of the way (atomic), then deletes it file by file, so a worker that dies half-way
 * leaves a folder the next attempt recognises and finishes.
 */
export class FilesystemAdapter implements StorageLocationAdapter {
  readonly method = 'filesystem-unlink';

  constructor(
    private readonly root: string,
    private readonly options: { batchSize?: number; throttleMs?: number } = {},
  ) {}

  folder(contractId: string): string {
    if (!CANONICAL_UUID.test(contractId)) throw new StorageError('storage.invalid_contract', 'contract ids are UUIDs');
    return path.join(this.root, contractId);
  }

  private doomed(contractId: string): string {
    return path.join(this.root, `.destroying-${contractId}`);
  }

  /**
   * A missing root is an unreachable location (an unmounted volume), never "nothing to destroy":
   * only a missing contract folder under a present root means the location holds nothing.
   */
  private async requireRoot(): Promise<void> {
    const stat = await fs.stat(this.root).catch(() => null);
    if (!stat?.isDirectory()) throw new StorageError('storage.unavailable', 'the location root is not reachable');
  }

  async inventory(contractId: string): Promise<Manifest> {
    await this.requireRoot();
    const entries = [...(await walk(this.folder(contractId))), ...(await walk(this.doomed(contractId)))];
    return manifestOf(entries);
  }

  async destroy(contractId: string, progress: DestroyProgress, signal?: AbortSignal): Promise<void> {
    await this.requireRoot();
    const live = this.folder(contractId);
    const doomed = this.doomed(contractId);
    await fs.rename(live, doomed).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return;
      if (e.code === 'ENOTEMPTY' || e.code === 'EEXIST') {
        // A previous attempt left both: fold the newcomer into the doomed folder first.
        return fs.cp(live, doomed, { recursive: true }).then(() => fs.rm(live, { recursive: true, force: true }));
      }
      throw new StorageError('storage.unavailable', `cannot move the contract's folder aside (${e.code ?? 'error'})`);
    });
    const files = await walk(doomed);
    const batch = this.options.batchSize ?? 200;
    let removed = 0;
    for (let i = 0; i < files.length; i += batch) {
      signal?.throwIfAborted();
      await Promise.all(files.slice(i, i + batch).map((f) => fs.rm(path.join(doomed, f.relative), { force: true })));
      removed += Math.min(batch, files.length - i);
      progress(removed);
      if (this.options.throttleMs) await new Promise((r) => setTimeout(r, this.options.throttleMs));
    }
    await fs.rm(doomed, { recursive: true, force: true });
  }

  async remaining(contractId: string): Promise<number> {
    await this.requireRoot();
    const left = [...(await walk(this.folder(contractId))), ...(await walk(this.doomed(contractId)))].length;
    const folders = await Promise.all([exists(this.folder(contractId)), exists(this.doomed(contractId))]);
    return left + folders.filter(Boolean).length;
  }

  async exportTo(contractId: string, targetDir: string): Promise<Manifest> {
    await this.requireRoot();
    const source = this.folder(contractId);
    const entries = await walk(source);
    await fs.mkdir(targetDir, { recursive: true });
    if (entries.length) await fs.cp(source, targetDir, { recursive: true });
    return manifestOf(entries);
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}

async function walk(dir: string, prefix = ''): Promise<ManifestEntry[]> {
  let names: import('node:fs').Dirent[];
  try {
    names = await fs.readdir(path.join(dir, prefix), { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new StorageError('storage.unavailable', `cannot list the contract's folder (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const out: ManifestEntry[] = [];
  for (const d of names) {
    const relative = path.join(prefix, d.name);
    if (d.isDirectory()) out.push(...(await walk(dir, relative)));
    else out.push({ relative, size: (await fs.stat(path.join(dir, relative))).size });
  }
  return out;
}
