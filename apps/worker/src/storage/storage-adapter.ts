import { createHash } from 'node:crypto';

/** What a storage location holds for one contract, before it is destroyed. */
export interface Manifest {
  readonly objectCount: number;
  readonly bytes: number;
  /** sha256 (hex) over the sorted list of objects, one `path\tsize` line each. */
  readonly manifestHash: string;
}

export interface DestroyProgress {
  (removedSoFar: number): void;
}

/**
 * One storage location (the web platform, a backup site) as destruction sees it (L10, P11).
 * Every method is idempotent: activities are retried, and a worker may die half-way.
 */
export interface StorageLocationAdapter {
  /** The method recorded as evidence, e.g. `filesystem-unlink`. */
  readonly method: string;
  inventory(contractId: string): Promise<Manifest>;
  /**
   * Removes everything the location holds for the contract; `progress` is called as it goes
   * (heartbeats). When `signal` aborts (the worker is stopping), it stops between steps and throws,
   * so the attempt is retried at once elsewhere instead of holding the worker.
   */
  destroy(contractId: string, progress: DestroyProgress, signal?: AbortSignal): Promise<void>;
  /** Proves nothing remains: how many objects are left (0 when destroyed). */
  remaining(contractId: string): Promise<number>;
  /** Copies the contract's data out for the controller (GDPR 28(3)(g)); returns what was copied. */
  exportTo(contractId: string, targetDir: string): Promise<Manifest>;
}

/** A storage failure with a short code for the evidence trail; never carries data or paths. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** One object a location holds for a contract: its path under the contract's folder, and its size. */
export interface ManifestEntry {
  readonly relative: string;
  readonly size: number;
}

/** The manifest of a location's objects, the same whichever adapter listed them. */
export function manifestOf(entries: readonly ManifestEntry[]): Manifest {
  const lines = entries.map((e) => `${e.relative}\t${e.size}`).sort();
  return {
    objectCount: entries.length,
    bytes: entries.reduce((n, e) => n + e.size, 0),
    manifestHash: `sha256:${createHash('sha256').update(lines.join('\n')).digest('hex')}`,
  };
}
