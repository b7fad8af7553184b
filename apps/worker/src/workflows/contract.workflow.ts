import { continueAsNew, isCancellation, log, proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import {
  contractStream,
  DEFAULT_ESCALATION_MARGIN,
  isDomainError,
  isEnded,
  maxInstant,
  type ContractCommand,
  type ContractState,
} from '#domain';
import {
  acceptRenewalUpdate,
  cancelUpdate,
  changeStorageLocationsUpdate,
  handOverCredentialsUpdate,
  noticeNonRenewalUpdate,
  orderUpdate,
  rejectRenewalUpdate,
  requestDataExportUpdate,
  snapshotQuery,
  terminateUpdate,
  withdrawRenewalUpdate,
  type ContractSnapshot,
  type ContractWorkflowInput,
  type EngineSettings,
} from '#infra/temporal/messages';
import type { Activities } from '../activities';
import type { FollowerActivities } from '../activities/followers';
import { openLedger, runEntity } from '../kit/entity';
import { DATABASE_ACTIVITY, DATABASE_LOCAL_ACTIVITY, ENGINE, now } from '../kit/ledger';
import { destructionPhase, type ContractLedger } from './contract.destruction';

/*
 * Changing this workflow safely: a running contract replays its history through the new code, so
 * the commands it issues must stay the same for the same history. Once contracts run in production,
 * add behaviour behind `patched('<change-id>')` (and later `deprecatePatch`), never reorder
 * activities or timers in place; `npm run test:int` replays the histories under test/histories to
 * catch mistakes. Until then a change re-records them (docs/testing.md).
 */

const vault = proxyActivities<Pick<Activities, 'shredCredentials'>>(DATABASE_ACTIVITY);
/**
 * DESIGN §3.10: the controller's files that follow its contracts (its contact check) hear when one
 * starts and ends processing; inside the workflow task (a local activity), so no activity task goes
 * through the server and no further workflow task follows.
 */
const followers = proxyLocalActivities<FollowerActivities>({ ...DATABASE_LOCAL_ACTIVITY, retry: { ...DATABASE_LOCAL_ACTIVITY.retry, maximumAttempts: 10 } });

/**
 * L7–L8: the end of processing and its destruction plan (deadline end + P2M) are one append, so no
 * read ever sees an ended contract without its deadline. A configured margin the domain refuses
 * must not leave the data without a destruction: the default margin applies then.
 */
function destructionPlan(settings: EngineSettings): (state: ContractState) => ContractCommand[] {
  return (state) => {
    if (!isEnded(state) || state.destruction.status !== 'none') return [];
    // An expiry acted on late is scheduled when the engine acted, never before the end.
    const scheduledAt = maxInstant(state.endedAt, now());
    const schedule = (escalationMargin: string): ContractCommand => ({ type: 'ScheduleDestruction', data: { scheduledAt, escalationMargin } });
    try {
      contractStream.decide(schedule(settings.escalationMargin), state);
      return [schedule(settings.escalationMargin)];
    } catch (e) {
      if (!isDomainError(e)) throw e;
      return [schedule(DEFAULT_ESCALATION_MARGIN)];
    }
  };
}

/**
 * One contract, from its order to its destruction certificate (DESIGN §2): the only writer of the
 * contract's stream for its whole life. Ordered by update-with-start; commands arrive as updates
 * validated by the domain; timers come from the domain; at the end it shreds the credentials, then
 * runs the destruction phase (L8–L11) itself.
 */
export async function contractWorkflow(input: ContractWorkflowInput): Promise<ContractSnapshot> {
  const { contractId, settings } = input;
  const ledger: ContractLedger = openLedger(contractStream, contractId, input.carried);
  const ends = destructionPlan(settings);
  const destruction = destructionPhase(contractId, ledger, input.destruction);

  setHandler(snapshotQuery, () => ledger.snapshot());
  setHandler(
    orderUpdate,
    ({ order, actor }) =>
      ledger.serially(async () => {
        const events = await ledger.commit({ type: 'OrderContract', data: order }, actor);
        return { ...ledger.snapshot(), created: events.length > 0 };
      }),
    { validator: ({ order }) => ledger.admit({ type: 'OrderContract', data: order }) },
  );
  // L2: the sealed secret is in the vault already (the API stored it); the event says it was handed over.
  ledger.onCommand(handOverCredentialsUpdate, ({ credentialId, kind, host, dpo }, at) => ({ type: 'HandOverCredentials', data: { credentialId, kind, host, handedOverAt: at, dpo: dpo ?? null } }));
  ledger.onCommand(acceptRenewalUpdate, ({ invoiceId, coveredPeriod, acceptedAt }, at) => ({ type: 'AcceptRenewal', data: { invoiceId, coveredPeriod, acceptedAt, receivedAt: at } }));
  ledger.onCommand(rejectRenewalUpdate, ({ invoiceId, reason }, at) => ({ type: 'RejectRenewal', data: { invoiceId, reason, rejectedAt: at } }));
  ledger.onCommand(withdrawRenewalUpdate, ({ invoiceId, reason }, at) => ({ type: 'WithdrawRenewal', data: { invoiceId, reason, withdrawnAt: at } }));
  ledger.onCommand(noticeNonRenewalUpdate, ({ reason }, at) => ({ type: 'NoticeNonRenewal', data: { reason, noticedAt: at } }));
  ledger.onCommand(terminateUpdate, ({ reason }, at) => ({ type: 'TerminateContract', data: { reason, terminatedAt: at } }), ends);
  ledger.onCommand(cancelUpdate, ({ reason }, at) => ({ type: 'CancelContract', data: { reason, cancelledAt: at } }), ends);
  ledger.onCommand(requestDataExportUpdate, ({ requestId }, at) => ({ type: 'RequestDataExport', data: { requestId, requestedAt: at } }));
  // DESIGN §3.8: a sub-processor change the controller did not object to, on its effective date.
  ledger.onCommand(changeStorageLocationsUpdate, ({ changeId, added, removed, dueAt }, at) => ({ type: 'ChangeStorageLocations', data: { changeId, added, removed, dueAt, actedAt: at } }));

  // A hand-over in this run (not one before it: those were told by the backfill) is news to the followers.
  let ordered = ledger.state.status === 'none' || ledger.state.status === 'ordered';
  const told = (started: boolean) => {
    const s = ledger.state as Exclude<ContractState, { status: 'none' }>;
    const { name, email, customerId, dpoEmail } = s.controller;
    // The contract's own work (its timers, its destruction) never waits on its controller's files.
    return followers.followProcessing({ contractId, controller: { name, email, customerId, dpoEmail }, started }).catch((e: unknown) => {
      if (isCancellation(e)) throw e;
      log.warn("the contract's controller could not be told", { error: (e as Error)?.name });
    });
  };
  await runEntity(contractStream, ledger, {
    async step() {
      if (ordered && ledger.state.status !== 'none' && ledger.state.processingStartedAt !== null) {
        ordered = false;
        await told(true);
      }
      const s = ledger.state;
      // P12: the DPO recorded with the hand-over goes to the controller by email, once.
      if (s.status !== 'none' && s.dpoCommunicated) {
        const d = s.dpoCommunicated;
        await ledger.mail.send({
          kind: 'dpo-communicated',
          contractId,
          dpo: { name: d.name, email: d.email, phone: d.phone },
          version: d.dpoVersion,
          controllerName: s.controller.name,
          controllerEmail: s.controller.email,
          controllerDpoEmail: s.controller.dpoEmail,
          contractReference: s.reference,
        });
      }
      // L7: at the end of processing every credential is shredded at once (the state read again:
      // a termination may have landed while the email above was being queued).
      const current = ledger.state;
      if (isEnded(current) && current.credentialsRevokedAt === null) {
        await ledger.serially(async () => {
          await vault.shredCredentials({ contractId });
          await ledger.commit({ type: 'RevokeCredentials', data: { revokedAt: now() } }, ENGINE);
        });
      }
      if (isEnded(ledger.state) && ledger.state.credentialsRevokedAt !== null) await destruction.step();
    },
    wakeTimes: destruction.wakeTimes,
    wakes: destruction.wakes,
    consequences: ends,
    afterTimer: destruction.afterTimer,
    idle: destruction.idle,
    continueAsNew: (carried) => continueAsNew<typeof contractWorkflow>({ contractId, settings, carried, destruction: destruction.progress() }),
  });
  // Destroyed (L10): its controller has one contract less in processing.
  if (ledger.state.status !== 'none' && ledger.state.processingStartedAt !== null) await told(false);
  return ledger.snapshot();
}
