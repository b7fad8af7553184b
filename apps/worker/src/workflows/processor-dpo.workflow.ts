import { continueAsNew, proxyActivities, setHandler } from '@temporalio/workflow';
import { changeToCommunicate, dpoContactOf, PROCESSOR_DPO_ID, processorDpoStream, type EmailSent, type ProcessorDpoCommand, type ProcessorDpoEvent, type ProcessorDpoState } from '#domain';
import { processorDpoSnapshotQuery, setDpoUpdate, type ProcessorDpoSnapshot, type ProcessorDpoWorkflowInput } from '#infra/temporal/messages';
import type { DpoActivities } from '../activities';
import { openLedger, runEntity, type FileLedger } from '../kit/entity';
import { ENGINE, FAN_OUT_ACTIVITY, now } from '../kit/ledger';

type ProcessorDpoLedger = FileLedger<ProcessorDpoCommand, ProcessorDpoEvent | EmailSent, ProcessorDpoState>;

const fan = proxyActivities<DpoActivities>(FAN_OUT_ACTIVITY);

/**
 * The processor's DPO (P12; DESIGN §3.6): the only writer of the processor's DPO stream, for good.
 * The configured value is its first version; each change is written once to every controller with
 * a contract active or awaiting destruction, and the stream records to how many and which (a
 * digest). One workflow owns it, so two workers never send a change twice.
 */
export async function processorDpoWorkflow(input: ProcessorDpoWorkflowInput): Promise<ProcessorDpoSnapshot> {
  const { configured } = input;
  const ledger: ProcessorDpoLedger = openLedger(processorDpoStream, PROCESSOR_DPO_ID, input.carried);
  setHandler(processorDpoSnapshotQuery, () => ledger.snapshot());
  const set = (name: unknown, email: unknown, phone: unknown): ProcessorDpoCommand => ({ type: 'SetDpo', data: { name, email, phone, source: 'admin', recordedAt: now() } });
  setHandler(
    setDpoUpdate,
    ({ name, email, phone, actor }) =>
      ledger.serially(async () => {
        // The configured first value goes on record before the first change.
        if (ledger.state.status === 'none') await ledger.commit({ type: 'SetDpo', data: { ...dpoContactOf(configured), source: 'configuration', recordedAt: now() } }, ENGINE);
        const events = await ledger.commit(set(name, email, phone), actor);
        return { ...ledger.snapshot(), created: events.length > 0 };
      }),
    { validator: ({ name, email, phone }) => ledger.admit(set(name, email, phone)) },
  );

  await runEntity(processorDpoStream, ledger, {
    async step() {
      // A change that came in while the last one was being written goes out next, in this same turn
      // (the loop would not wake for it: the stream moved before it started waiting).
      for (let change = changeToCommunicate(ledger.state); change; change = changeToCommunicate(ledger.state)) {
        const { version } = change;
        const { controllers, digest } = await fan.communicateDpoChange({ version, dpo: dpoContactOf(change) });
        // Superseded meanwhile: this record records nothing, and the newer change is written next.
        await ledger.serially(() => ledger.commit({ type: 'RecordDpoChangeCommunicated', data: { version, controllers, digest, actedAt: now() } }, ENGINE));
      }
    },
    continueAsNew: (carried) => continueAsNew<typeof processorDpoWorkflow>({ configured, carried }),
  });
  return ledger.snapshot();
}
