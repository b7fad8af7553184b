import { requireInstant } from './contract.validation';
import { ruleError, validationError } from '../errors';
import type { ChangeStorageLocations } from './contract.commands';
import type { ContractEvent } from './contract.events';
import { allowed, guards } from './contract.guards';
import type { OpenContract } from './contract.state';

/**
 * DESIGN §3.8, GDPR 28(2): a sub-processor change the controller did not object to takes effect
 * on its effective date — a location added, or one replaced by another. Taken once per change.
 */
export function changeStorageLocations(cmd: ChangeStorageLocations, state: OpenContract): ContractEvent[] {
  const { changeId, added, removed } = cmd.data;
  const dueAt = requireInstant(cmd.data.dueAt, 'dueAt');
  const actedAt = requireInstant(cmd.data.actedAt, 'actedAt');
  // A repeat (a retried apply whose answer was lost) records nothing, even once processing has ended.
  if ((state.locationChanges ?? []).includes(changeId)) return [];
  const s = allowed(guards.ChangeStorageLocations(state));
  if (added === null && removed === null) throw validationError('storage_locations.empty_change', 'a change adds a location, replaces one, or both');
  const current = s.catalog.storageLocations;
  if (removed !== null && !current.includes(removed)) {
    throw ruleError('storage_locations.not_held', `the contract's data is not stored at ${removed}`, { locationId: removed });
  }
  if (added !== null && current.includes(added.id)) {
    throw ruleError('storage_locations.already_held', `the contract's data is already stored at ${added.id}`, { locationId: added.id });
  }
  const storageLocations = [...current.filter((id) => id !== removed), ...(added ? [added.id] : [])];
  return [{ type: 'StorageLocationsChanged', data: { changeId, added, removed, storageLocations, dueAt, actedAt } }];
}
