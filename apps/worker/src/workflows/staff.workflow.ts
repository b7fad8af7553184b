import { continueAsNew, setHandler } from '@temporalio/workflow';
import { staffStream, type EmailSent, type StaffCommand, type StaffEvent, type StaffState } from '#domain';
import {
  authorisePersonUpdate,
  recordTrainingUpdate,
  registerStaffUpdate,
  revokeAuthorisationUpdate,
  signConfidentialityUpdate,
  staffSnapshotQuery,
  type StaffSnapshot,
  type StaffWorkflowInput,
} from '#infra/temporal/messages';
import { openLedger, runEntity, type FileLedger } from '../kit/entity';
import { now } from '../kit/ledger';

type StaffLedger = FileLedger<StaffCommand, StaffEvent | EmailSent, StaffState>;

/**
 * One person on the processor's roster (P3, P4; DESIGN §3.4): the only writer of their stream,
 * their authorisations on contracts included, so that a clearance is checked and an authorisation
 * recorded in one step. Account management is reminded P30D before their training lapses; at the
 * lapse the gap is recorded, and the DPO told when the person is still on a contract.
 */
export async function staffWorkflow(input: StaffWorkflowInput): Promise<StaffSnapshot> {
  const { staffId } = input;
  const ledger: StaffLedger = openLedger(staffStream, staffId, input.carried);
  setHandler(staffSnapshotQuery, () => ledger.snapshot());
  const register = (name: unknown, email: unknown): StaffCommand => ({ type: 'RegisterStaff', data: { staffId, name, email, recordedAt: now() } });
  setHandler(
    registerStaffUpdate,
    ({ name, email, actor }) =>
      ledger.serially(async () => {
        const events = await ledger.commit(register(name, email), actor);
        return { ...ledger.snapshot(), created: events.length > 0 };
      }),
    { validator: ({ name, email }) => ledger.admit(register(name, email)) },
  );
  ledger.onCommand(signConfidentialityUpdate, ({ signedAt }, at) => ({ type: 'SignConfidentiality', data: { signedAt, recordedAt: at } }));
  ledger.onCommand(recordTrainingUpdate, ({ completedAt, course, validFor }, at) => ({ type: 'RecordTraining', data: { completedAt, course, validFor, recordedAt: at } }));
  ledger.onCommand(authorisePersonUpdate, ({ contractId }, at) => ({ type: 'AuthorisePerson', data: { contractId, recordedAt: at } }));
  ledger.onCommand(revokeAuthorisationUpdate, ({ contractId }, at) => ({ type: 'RevokeAuthorisation', data: { contractId, recordedAt: at } }));

  await runEntity(staffStream, ledger, {
    async afterTimer(_timer, events) {
      const s = ledger.state as Extract<StaffState, { status: 'registered' }>;
      for (const e of events) {
        if (e.type !== 'TrainingLapseReminded' && e.type !== 'TrainingLapsed') continue;
        const facts = { staffId, name: s.name, trainingValidUntil: e.data.dueAt };
        if (e.type === 'TrainingLapseReminded') await ledger.mail.send({ kind: 'training-lapse-reminder', ...facts, contracts: s.assignments.filter((a) => a.until === null).map((a) => a.contractId) });
        // The lapse opens a gap only on the contracts the person is on: the DPO is told of those.
        if (e.type === 'TrainingLapsed' && e.data.contracts.length > 0) await ledger.mail.send({ kind: 'training-lapsed', ...facts, contracts: e.data.contracts });
      }
    },
    continueAsNew: (carried) => continueAsNew<typeof staffWorkflow>({ staffId, carried }),
  });
  return ledger.snapshot();
}
