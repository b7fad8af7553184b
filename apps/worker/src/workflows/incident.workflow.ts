import { continueAsNew, proxyActivities, setHandler } from '@temporalio/workflow';
import { incidentStream, type EmailSent, type IncidentCommand, type IncidentEvent, type IncidentState } from '#domain';
import {
  closeIncidentUpdate,
  confirmIncidentUpdate,
  dismissIncidentUpdate,
  incidentSnapshotQuery,
  recordIncidentUpdate,
  updateIncidentUpdate,
  type IncidentSnapshot,
  type IncidentWorkflowInput,
} from '#infra/temporal/messages';
import type { IncidentActivities } from '../activities';
import { openLedger, runEntity, type FileLedger } from '../kit/entity';
import { ENGINE, now } from '../kit/ledger';

type IncidentLedger = FileLedger<IncidentCommand, IncidentEvent | EmailSent, IncidentState>;

/**
 * The fan-outs walk hundreds or thousands of contracts: one long activity each, heartbeating its
 * progress, so a worker that dies mid-way is noticed and the next attempt resumes where it stopped.
 * Retried without end while the database or Temporal is away.
 */
const fan = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '1 hour',
  // It beats every 5 s (its pages' progress): a worker killed mid-way is found within 20 s.
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: ['DatabaseRefusal'] },
});

/**
 * One incident (P8, DESIGN §3.1), processor-wide, from its recording to its closure: the only
 * writer of its stream. On confirmation it resolves the affected contracts and starts one breach
 * notice workflow per contract (an activity, page by page: no child workflows, so its own history
 * stays a handful of events whatever the number of contracts); each update is relayed to every
 * notice as a supplement, and the closure closes them.
 */
export async function incidentWorkflow(input: IncidentWorkflowInput): Promise<IncidentSnapshot> {
  const { incidentId, noticeTarget } = input;
  const ledger: IncidentLedger = openLedger(incidentStream, incidentId, input.carried);
  let relayedUpdates = input.relayed?.updates ?? 0;

  setHandler(incidentSnapshotQuery, () => ledger.snapshot());
  setHandler(
    recordIncidentUpdate,
    ({ record, actor }) =>
      ledger.serially(async () => {
        const events = await ledger.commit({ type: 'RecordIncident', data: { ...record, recordedAt: now() } }, actor);
        return { ...ledger.snapshot(), created: events.length > 0 };
      }),
    { validator: ({ record }) => ledger.admit({ type: 'RecordIncident', data: { ...record, recordedAt: now() } }) },
  );
  ledger.onCommand(confirmIncidentUpdate, ({ awareAt }, at) => ({ type: 'ConfirmIncident', data: { awareAt, confirmedAt: at } }));
  ledger.onCommand(dismissIncidentUpdate, ({ reason }, at) => ({ type: 'DismissIncident', data: { reason, dismissedAt: at } }));
  ledger.onCommand(updateIncidentUpdate, ({ changes }, at) => ({ type: 'UpdateIncident', data: { changes, updatedAt: at } }));
  ledger.onCommand(closeIncidentUpdate, ({ summary }, at) => ({ type: 'CloseIncident', data: { summary, closedAt: at } }));

  const record = (command: IncidentCommand) => ledger.serially(() => ledger.commit(command, ENGINE));

  await runEntity(incidentStream, ledger, {
    async step() {
      let s = ledger.state;
      if (s.status !== 'confirmed' && s.status !== 'closed') return;
      if (!s.resolution) {
        const resolution = await fan.resolveAffectedContracts({ incidentId, scope: s.scope });
        await record({ type: 'RecordAffectedContracts', data: { ...resolution, resolvedAt: now() } });
        s = ledger.state as typeof s;
      }
      if (!s.noticesOpened) {
        // The notices open with what is known now: updates made meanwhile are in it, not supplements.
        const includesUpdates = s.updates.length;
        const { count } = await fan.openBreachNotices({ incidentId, awareAt: s.awareAt!, target: noticeTarget, content: s.content, openedAt: now() });
        await record({ type: 'RecordNoticesOpened', data: { count, openedAt: now(), includesUpdates } });
        s = ledger.state as typeof s;
      }
      relayedUpdates = Math.max(relayedUpdates, s.noticesOpened!.includesUpdates);
      while (relayedUpdates < s.updates.length) {
        await fan.relayToBreachNotices({ incidentId, update: s.updates[relayedUpdates]! });
        relayedUpdates++;
        s = ledger.state as typeof s;
      }
      if (s.status === 'closed' && !s.noticesClosed) {
        const { count } = await fan.relayToBreachNotices({ incidentId, closedAt: s.closure!.closedAt });
        await record({ type: 'RecordNoticesClosed', data: { count, closedAt: now() } });
      }
    },
    continueAsNew: (carried) => continueAsNew<typeof incidentWorkflow>({ incidentId, noticeTarget, carried, relayed: { updates: relayedUpdates } }),
  });
  return ledger.snapshot();
}
