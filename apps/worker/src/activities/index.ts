import { type ActivityDependencies } from './dependencies';
import { mailActivities } from './mail';
import { storageActivities } from './storage';
import { storeActivities } from './store';
import { vaultActivities } from './vault';

/*
 * The worker's Temporal activities, one file a concept: the event store (store.ts), the vault
 * (vault.ts), storage locations (storage.ts), mail (mail.ts), and the processor-wide fan-outs
 * (incidents.ts, dpo.ts, sub-processors.ts); followers.ts is wired on its own. Workflows call an
 * activity by its name and recorded histories replay against it, so no name here ever changes.
 */

export { type ActivityDependencies } from './dependencies';
export { type StorageTarget } from './storage';
export { incidentActivities, type IncidentActivities } from './incidents';
export { dpoActivities, type DpoActivities } from './dpo';
export { subProcessorActivities, type SubProcessorActivities } from './sub-processors';

/** Thin adapters to PostgreSQL, the vault, storage locations and the mail outbox. */
export function createActivities(deps: ActivityDependencies) {
  return { ...storeActivities(deps), ...vaultActivities(deps), ...storageActivities(deps), ...mailActivities(deps) };
}

export type Activities = ReturnType<typeof createActivities>;
