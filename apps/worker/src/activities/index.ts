import { ApplicationFailure } from '@temporalio/common';
import { type ActivityDependencies } from './dependencies';
import { type FollowInput, type TellFollowers } from './followers';
import { type Notice } from '../mail/notices';
import { mailActivities } from './mail';
import { storageActivities } from './storage';
import { storeActivities } from './store';
import { vaultActivities } from './vault';

/*
 * The worker's Temporal activities, one file a concept: the event store (store.ts), the vault
 * (vault.ts), storage locations (storage.ts), mail (mail.ts), and the processor-wide fan-outs
 * (incidents.ts, dpo.ts, sub-processors.ts); followers.ts is wired on its own, and its news rides
 * with the events that make it (appendEventsAndNotices). Workflows call an
 * activity by its name and recorded histories replay against it, so no name here ever changes.
 */

export { type ActivityDependencies } from './dependencies';
export { type StorageTarget } from './storage';
export { incidentActivities, type IncidentActivities } from './incidents';
export { dpoActivities, type DpoActivities } from './dpo';
export { subProcessorActivities, type SubProcessorActivities } from './sub-processors';

/** Thin adapters to PostgreSQL, the vault, storage locations and the mail outbox; `tell` is followers.ts's. */
export function createActivities(deps: ActivityDependencies, tell: TellFollowers) {
  const store = storeActivities(deps);
  const mail = mailActivities(deps);
  return {
    ...store,
    ...vaultActivities(deps),
    ...storageActivities(deps),
    ...mail,
    /**
     * A file's events, then the notices the state they lead to owes, then the news its controller's
     * followers must hear of them (a contract that starts or ends processing), in one activity: a
     * timer or a command and its email cost one local activity, not two or three. The append and
     * the notices are idempotent (per stream version, per message id), so a retry after a failure
     * between them writes nothing twice and still enqueues the notices. A notice the outbox refuses
     * for good does not undo the stored events: it is answered in `unsent` (by its place in
     * `notices`), and the workflow owes it again on its own. The news gets one try, never a retry
     * of the activity: when it fails, `untold` says so and the workflow tells it on its own.
     */
    async appendEventsAndNotices(input: Parameters<typeof store.appendEvents>[0] & { notices: readonly Notice[]; news?: FollowInput }): Promise<{ version: number; unsent: number[]; untold?: true }> {
      const appended = await store.appendEvents(input);
      const unsent: number[] = [];
      for (const [i, notice] of input.notices.entries()) {
        try {
          await mail.sendNotice(notice);
        } catch (e) {
          if (!(e instanceof ApplicationFailure && e.nonRetryable)) throw e;
          unsent.push(i);
        }
      }
      const told = input.news ? await tell(input.news) : true;
      return { ...appended, unsent, ...(told ? {} : { untold: true as const }) };
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
