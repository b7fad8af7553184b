import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { CANONICAL_UUID, type ExportedLocation } from '#domain';
import { type LocationInventory } from '#infra/temporal/messages';
import { adapterFor } from '../storage/registry';
import { type ActivityDependencies } from './dependencies';
import { storageFailure } from './failures';
import { keepAlive } from './heartbeats';

/*
 * The contract's data where it is stored: each storage location inventoried, destroyed and verified
 * empty on its own (the destruction's steps), or copied out for the controller — and those copies
 * purged before the certificate. Every call goes through the location's storage adapter.
 */

export interface StorageTarget {
  readonly contractId: string;
  readonly locationId: string;
}

/** Server time of this attempt: the workflow's clock, also under the time-skipping test server. */
function attemptTime(): string {
  return new Date(Context.current().info.currentAttemptScheduledTimestampMs).toISOString();
}

export function storageActivities(deps: ActivityDependencies) {
  const exportsOf = (contractId: string) => {
    if (!CANONICAL_UUID.test(contractId)) throw ApplicationFailure.nonRetryable('contract ids are UUIDs', 'storage.invalid_contract');
    return path.join(deps.exportRoot, contractId);
  };
  return {
    async inventoryLocation(target: StorageTarget): Promise<LocationInventory> {
      const manifest = await keepAlive(() => adapterFor(deps.storage, target.locationId).inventory(target.contractId)).catch(storageFailure);
      return { ...manifest, inventoriedAt: attemptTime() };
    },

    /** Heartbeats as it deletes, so a dead worker's attempt is noticed and retried elsewhere; stops when cancelled. */
    async destroyLocation(target: StorageTarget): Promise<{ method: string }> {
      const adapter = adapterFor(deps.storage, target.locationId);
      await keepAlive((signal) => adapter.destroy(target.contractId, (removed) => Context.current().heartbeat(removed), signal)).catch(storageFailure);
      return { method: adapter.method };
    },

    /** L10: each location is verified on its own; anything left fails the attempt. */
    async verifyLocation(target: StorageTarget): Promise<{ verifiedAt: string }> {
      const left = await keepAlive(() => adapterFor(deps.storage, target.locationId).remaining(target.contractId)).catch(storageFailure);
      if (left > 0) throw ApplicationFailure.retryable(`${left} objects remain after destruction`, 'storage.not_destroyed');
      return { verifiedAt: attemptTime() };
    },

    /** L9: copies the contract's data at one location out for the controller. */
    async exportLocation(target: StorageTarget & { requestId: string }): Promise<ExportedLocation> {
      const dir = path.join(exportsOf(target.contractId), target.requestId, target.locationId);
      const manifest = await keepAlive(() => adapterFor(deps.storage, target.locationId).exportTo(target.contractId, dir)).catch(storageFailure);
      return { locationId: target.locationId, ...manifest };
    },

    /** The copies made for the controller are personal data too: removed, and proved gone, before the certificate. */
    async purgeExports(input: { contractId: string }): Promise<{ removed: boolean }> {
      const dir = exportsOf(input.contractId);
      return keepAlive(async () => {
        const existed = await fs.stat(dir).then(() => true, () => false);
        await fs.rm(dir, { recursive: true, force: true });
        if (await fs.stat(dir).then(() => true, () => false)) throw ApplicationFailure.retryable('export copies remain', 'storage.not_destroyed');
        return { removed: existed };
      });
    },
  };
}
