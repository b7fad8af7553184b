import {
  allHandlersFinished,
  condition,
  continueAsNew,
  ParentClosePolicy,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { isEnded, nextTimer, type ContractEvent } from '../../../../libs/domain/src';
import {
  acceptRenewalUpdate,
  cancelUpdate,
  destructionWorkflowId,
  handOverCredentialsUpdate,
  noticeNonRenewalUpdate,
  rejectRenewalUpdate,
  renewalAcceptedSignal,
  snapshotQuery,
  snapshotUpdate,
  terminateUpdate,
  withdrawRenewalUpdate,
  type AcceptRenewalInput,
  type ContractSnapshot,
  type ContractWorkflowInput,
} from '../../../../libs/infra/src/temporal/messages';
import { dataDestructionWorkflow } from './destruction.workflow';
import { contractLedger, ENGINE, msUntil, now, store, validate } from './support';

/*
 * Changing this workflow safely: a running contract replays its history through the new code, so
 * the commands it issues must stay the same for the same history. Add behaviour behind
 * `patched('<change-id>')` (and later `deprecatePatch`), never reorder activities or timers in
 * place; `npm run test:int` replays the histories under test/histories to catch mistakes.
 */

/** One contract, from its order to the hand-off of its data to destruction (DESIGN §2). */
export async function contractWorkflow(input: ContractWorkflowInput): Promise<ContractSnapshot> {
  const { contractId } = input;
  const ledger = contractLedger(contractId, input.carried);
  let renewed = false;
  const ordered = () => ledger.state.status !== 'none';

  const acceptRenewal = ({ invoiceId, coveredPeriod, acceptedAt, actor }: AcceptRenewalInput) =>
    ledger.execute(() => ({ type: 'AcceptRenewal', data: { invoiceId, coveredPeriod, acceptedAt } }), actor).then((snapshot) => {
      renewed = true;
      return snapshot;
    });

  setHandler(snapshotQuery, () => ledger.snapshot());
  setHandler(snapshotUpdate, async () => {
    await condition(ordered);
    return ledger.snapshot();
  });
  setHandler(
    handOverCredentialsUpdate,
    ({ credentialId, kind, host, sealed, actor }) => {
      const at = now();
      return ledger.serially(async () => {
        // Validate before the sealed secret is stored anywhere; store it before the event says it is.
        validate({ type: 'HandOverCredentials', data: { credentialId, kind, host, handedOverAt: at } }, ledger.state);
        await store.storeCredential({ contractId, credentialId, kind, host, sealed });
        await ledger.commit({ type: 'HandOverCredentials', data: { credentialId, kind, host, handedOverAt: at } }, actor);
        return ledger.snapshot();
      });
    },
    { validator: ({ credentialId, kind, host }) => validate({ type: 'HandOverCredentials', data: { credentialId, kind, host, handedOverAt: now() } }, ledger.state) },
  );
  setHandler(acceptRenewalUpdate, acceptRenewal, {
    validator: ({ invoiceId, coveredPeriod, acceptedAt }) => validate({ type: 'AcceptRenewal', data: { invoiceId, coveredPeriod, acceptedAt } }, ledger.state),
  });
  // Fire-and-forget: a refusal has no one to answer it; it changes nothing.
  setHandler(renewalAcceptedSignal, (input) => acceptRenewal(input).then(() => undefined, () => undefined));
  setHandler(rejectRenewalUpdate, ({ invoiceId, reason, actor }) => ledger.execute((at) => ({ type: 'RejectRenewal', data: { invoiceId, reason, rejectedAt: at } }), actor), {
    validator: ({ invoiceId, reason }) => validate({ type: 'RejectRenewal', data: { invoiceId, reason, rejectedAt: now() } }, ledger.state),
  });
  setHandler(withdrawRenewalUpdate, ({ invoiceId, reason, actor }) => ledger.execute((at) => ({ type: 'WithdrawRenewal', data: { invoiceId, reason, withdrawnAt: at } }), actor), {
    validator: ({ invoiceId, reason }) => validate({ type: 'WithdrawRenewal', data: { invoiceId, reason, withdrawnAt: now() } }, ledger.state),
  });
  setHandler(noticeNonRenewalUpdate, ({ reason, actor }) => ledger.execute((at) => ({ type: 'NoticeNonRenewal', data: { reason, noticedAt: at } }), actor), {
    validator: ({ reason }) => validate({ type: 'NoticeNonRenewal', data: { reason, noticedAt: now() } }, ledger.state),
  });
  setHandler(terminateUpdate, ({ reason, actor }) => ledger.execute((at) => ({ type: 'TerminateContract', data: { reason, terminatedAt: at } }), actor), {
    validator: ({ reason }) => validate({ type: 'TerminateContract', data: { reason, terminatedAt: now() } }, ledger.state),
  });
  setHandler(cancelUpdate, ({ reason, actor }) => ledger.execute((at) => ({ type: 'CancelContract', data: { reason, cancelledAt: at } }), actor), {
    validator: ({ reason }) => validate({ type: 'CancelContract', data: { reason, cancelledAt: now() } }, ledger.state),
  });

  if (input.order && !ordered()) {
    await ledger.serially(() => ledger.commit({ type: 'OrderContract', data: input.order! }, input.actor ?? ENGINE));
  }

  // L2–L5: wait for commands, or for the term (and grace) to run out.
  while (!isEnded(ledger.state)) {
    if (renewed || workflowInfo().continueAsNewSuggested) {
      // Long life: one run per term keeps histories short. Pending handlers finish first.
      await condition(allHandlersFinished);
      return continueAsNew<typeof contractWorkflow>({ contractId, settings: input.settings, carried: ledger.snapshot() });
    }
    const timer = nextTimer(ledger.state);
    const seen = ledger.version;
    const changed = () => ledger.version !== seen || renewed;
    const woke = timer ? await condition(changed, msUntil(timer.at)) : (await condition(changed), true);
    if (!woke && timer && ledger.version === seen) {
      await ledger.serially(() => ledger.commit(timer.command, ENGINE).catch(() => [] as ContractEvent[]));
    }
  }

  // L7 then L8–L11: credentials are shredded at once; destruction outlives this workflow.
  await ledger.serially(async () => {
    if (ledger.state.status !== 'none' && ledger.state.credentialsRevokedAt === null) {
      await store.shredCredentials({ contractId });
      await ledger.commit({ type: 'RevokeCredentials', data: { revokedAt: now() } }, ENGINE);
    }
    if (ledger.state.status !== 'none' && ledger.state.destruction.status === 'none') {
      await ledger.commit({ type: 'ScheduleDestruction', data: { scheduledAt: now(), escalationMargin: input.settings.escalationMargin } }, ENGINE);
    }
  });
  await startChild(dataDestructionWorkflow, {
    workflowId: destructionWorkflowId(contractId),
    args: [{ contractId, carried: ledger.snapshot() }],
    parentClosePolicy: ParentClosePolicy.ABANDON,
  });
  await condition(allHandlersFinished);
  return ledger.snapshot();
}
