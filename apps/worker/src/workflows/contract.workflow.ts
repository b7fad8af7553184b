import { continueAsNew, proxyActivities, setHandler } from '@temporalio/workflow';
import {
  contractStream,
  DEFAULT_ESCALATION_MARGIN,
  isDomainError,
  inProcessing,
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
import { openLedger, runEntity } from '../kit/entity';
import { DATABASE_ACTIVITY, ENGINE, now, type CommitNews } from '../kit/ledger';
import type { Notice } from '../mail/notice';
import { destructionPhase, type ContractLedger } from './contract.destruction';

/*
 * Changing this workflow safely: a running contract replays its history through the new code, so
 * the commands it issues must stay the same for the same history. Once contracts run in production,
 * add behaviour behind `patched('<change-id>')` (and later `deprecatePatch`), never reorder
 * activities or timers in place; `npm run test:int` replays the histories under test/histories to
 * catch mistakes. Until then a change re-records them (docs/testing.md).
 */

const vault = proxyActivities<Pick<Activities, 'shredCredentials'>>(DATABASE_ACTIVITY);

/** P12: the email a contract owes once its hand-over recorded the processor's DPO (sent once: the outbox keys it). */
function dpoNotices(contractId: string, s: ContractState): Notice[] {
  if (s.status === 'none' || !s.dpoCommunicated) return [];
  const d = s.dpoCommunicated;
  return [
    {
      kind: 'dpo-communicated',
      contractId,
      dpo: { name: d.name, email: d.email, phone: d.phone },
      version: d.dpoVersion,
      controllerName: s.controller.name,
      controllerEmail: s.controller.email,
      controllerDpoEmail: s.controller.dpoEmail,
      contractReference: s.reference,
    },
  ];
}

/**
 * DESIGN §3.10: the controller's files that follow its contracts (its contact check) hear when one
 * starts processing (its hand-over) and ends it (its destruction), from the local activity that
 * stores the events (Ledger.followedBy): no activity of its own, no further workflow task.
 */
function processingNews(contractId: string): CommitNews<ContractState> {
  return (before, after) => {
    if (after.status === 'none' || inProcessing(before) === inProcessing(after)) return null;
    const { name, email, customerId, dpoEmail } = after.controller;
    return { contractId, controller: { name, email, customerId, dpoEmail }, started: inProcessing(after) };
  };
}

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
  // Before any handler runs: the hand-over's events and the destruction's last carry their news.
  ledger.followedBy(processingNews(contractId));

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
  // P12: the DPO recorded with the hand-over goes to the controller by email, once: put in the outbox with the hand-over's events.
  const dpoMail = ledger.mail.owedBy((state: ContractState) => dpoNotices(contractId, state));
  ledger.onCommand(handOverCredentialsUpdate, ({ credentialId, kind, host, dpo }, at) => ({ type: 'HandOverCredentials', data: { credentialId, kind, host, handedOverAt: at, dpo: dpo ?? null } }), undefined, dpoMail);
  ledger.onCommand(acceptRenewalUpdate, ({ invoiceId, coveredPeriod, acceptedAt }, at) => ({ type: 'AcceptRenewal', data: { invoiceId, coveredPeriod, acceptedAt, receivedAt: at } }));
  ledger.onCommand(rejectRenewalUpdate, ({ invoiceId, reason }, at) => ({ type: 'RejectRenewal', data: { invoiceId, reason, rejectedAt: at } }));
  ledger.onCommand(withdrawRenewalUpdate, ({ invoiceId, reason }, at) => ({ type: 'WithdrawRenewal', data: { invoiceId, reason, withdrawnAt: at } }));
  ledger.onCommand(noticeNonRenewalUpdate, ({ reason }, at) => ({ type: 'NoticeNonRenewal', data: { reason, noticedAt: at } }));
  ledger.onCommand(terminateUpdate, ({ reason }, at) => ({ type: 'TerminateContract', data: { reason, terminatedAt: at } }), ends);
  ledger.onCommand(cancelUpdate, ({ reason }, at) => ({ type: 'CancelContract', data: { reason, cancelledAt: at } }), ends);
  ledger.onCommand(requestDataExportUpdate, ({ requestId }, at) => ({ type: 'RequestDataExport', data: { requestId, requestedAt: at } }));
  // DESIGN §3.8: a sub-processor change the controller did not object to, on its effective date.
  ledger.onCommand(changeStorageLocationsUpdate, ({ changeId, added, removed, dueAt }, at) => ({ type: 'ChangeStorageLocations', data: { changeId, added, removed, dueAt, actedAt: at } }));

  // P12: the DPO's email, unless the hand-over put it in the outbox already (one the outbox refused is owed again).
  const dpoOwed = () => ledger.mail.sendOwed(dpoNotices(contractId, ledger.state));
  // The contract's own work at a turn of its loop, once it has ended.
  async function ended(): Promise<void> {
    await dpoOwed();
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
  }

  await runEntity(contractStream, ledger, {
    // Most turns of a contract in processing have nothing to do: they make no promise.
    step: () => (isEnded(ledger.state) ? ended() : dpoOwed()),
    wakeTimes: destruction.wakeTimes,
    wakes: destruction.wakes,
    consequences: ends,
    afterTimer: destruction.afterTimer,
    idle: destruction.idle,
    continueAsNew: (carried) => continueAsNew<typeof contractWorkflow>({ contractId, settings, carried, destruction: destruction.progress() }),
  });
  return ledger.snapshot();
}
