import { continueAsNew, proxyActivities, setHandler } from '@temporalio/workflow';
import { subProcessorChangeStream, type EmailSent, type SubProcessorChangeCommand, type SubProcessorChangeEvent, type SubProcessorChangeState } from '#domain';
import { announceSubProcessorChangeUpdate, subProcessorChangeSnapshotQuery, type AnnounceSubProcessorChangeInput, type SubProcessorChangeSnapshot, type SubProcessorChangeWorkflowInput } from '#infra/temporal/messages';
import type { SubProcessorActivities } from '../activities';
import { openLedger, runEntity, type FileLedger } from '../kit/entity';
import { ENGINE, FAN_OUT_ACTIVITY, now } from '../kit/ledger';

type SubProcessorChangeLedger = FileLedger<SubProcessorChangeCommand, SubProcessorChangeEvent | EmailSent, SubProcessorChangeState>;

const fan = proxyActivities<SubProcessorActivities>(FAN_OUT_ACTIVITY);

/**
 * A sub-processor change (GDPR 28(2), 28(4); DESIGN §3.8), processor-wide: announced by the DPO,
 * it opens one notice per affected contract (each tells its controller and takes an objection),
 * records how many it reached, and on the effective date records that the change is in force.
 */
export async function subProcessorChangeWorkflow(input: SubProcessorChangeWorkflowInput): Promise<SubProcessorChangeSnapshot> {
  const { changeId } = input;
  const ledger: SubProcessorChangeLedger = openLedger(subProcessorChangeStream, changeId, input.carried);
  setHandler(subProcessorChangeSnapshotQuery, () => ledger.snapshot());
  const announce = (a: AnnounceSubProcessorChangeInput['announcement'], at: string): SubProcessorChangeCommand => ({
    type: 'AnnounceSubProcessorChange',
    data: { changeId, ...a, announcedAt: at },
  });
  setHandler(
    announceSubProcessorChangeUpdate,
    ({ announcement, actor }) =>
      ledger.serially(async () => {
        const events = await ledger.commit(announce(announcement, now()), actor);
        return { ...ledger.snapshot(), created: events.length > 0 };
      }),
    { validator: ({ announcement }) => ledger.admit(announce(announcement, now())) },
  );

  await runEntity(subProcessorChangeStream, ledger, {
    async step() {
      const s = ledger.state;
      if (s.status !== 'announced') return;
      const { kind, subProcessor, location, replaces, announcedAt, objectionPeriod, objectionDeadline, effectiveAt } = s;
      const reached = await fan.openSubProcessorNotices({ change: { changeId, kind, subProcessor, location, replaces, announcedAt, objectionPeriod, objectionDeadline, effectiveAt } });
      await ledger.serially(() => ledger.commit({ type: 'RecordNoticesOpened', data: { ...reached, actedAt: now() } }, ENGINE));
    },
    continueAsNew: (carried) => continueAsNew<typeof subProcessorChangeWorkflow>({ changeId, carried }),
  });
  return ledger.snapshot();
}
