import { allHandlersFinished, condition, continueAsNew, ParentClosePolicy, setHandler, sleep, startChild, workflowInfo } from '@temporalio/workflow';
import { DEFAULT_ESCALATION_MARGIN, isEnded, nextTimer } from '../../../../libs/domain/src';
import { destructionWorkflowId, snapshotQuery, snapshotUpdate, type ContractSnapshot, type ContractWorkflowInput } from '../../../../libs/infra/src/temporal/messages';
import { dataDestructionWorkflow } from './destruction.workflow';
import { contractLedger, ENGINE, handleContractCommands, isDomainFailure, isDue, msUntil, now, store, UNEXPECTED_FAILURE_BACKOFF } from './support';

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

  setHandler(snapshotQuery, () => ledger.snapshot());
  setHandler(snapshotUpdate, async () => {
    await condition(ordered);
    return ledger.snapshot();
  });
  // Only an accepted renewal that extended the term starts a new run; a repeated one changes nothing.
  handleContractCommands(ledger, contractId, () => {
    renewed = true;
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
    const woke = !timer ? (await condition(changed), true) : isDue(timer.at) ? false : await condition(changed, msUntil(timer.at));
    if (!woke && timer && ledger.version === seen) {
      try {
        await ledger.serially(() => ledger.commit(timer.command, ENGINE));
      } catch (e) {
        // A refusal means a command got in first (a renewal before expiry): the loop looks again.
        // Anything else (the store refusing the append) must not spin: wait, then try again.
        if (!isDomainFailure(e)) await sleep(UNEXPECTED_FAILURE_BACKOFF);
      }
    }
  }

  // L7 then L8–L11: credentials are shredded at once; destruction outlives this workflow.
  await ledger.serially(async () => {
    if (ledger.state.status !== 'none' && ledger.state.credentialsRevokedAt === null) {
      await store.shredCredentials({ contractId });
      await ledger.commit({ type: 'RevokeCredentials', data: { revokedAt: now() } }, ENGINE);
    }
    if (ledger.state.status !== 'none' && ledger.state.destruction.status === 'none') {
      const schedule = (escalationMargin: string) => ledger.commit({ type: 'ScheduleDestruction', data: { scheduledAt: now(), escalationMargin } }, ENGINE);
      // A configured margin the domain refuses must not leave the data without a destruction (L8).
      await schedule(input.settings.escalationMargin).catch((e: unknown) => {
        if (!isDomainFailure(e)) throw e;
        return schedule(DEFAULT_ESCALATION_MARGIN);
      });
    }
    ledger.handOff(destructionWorkflowId(contractId));
  });
  await condition(allHandlersFinished);
  await startChild(dataDestructionWorkflow, {
    workflowId: destructionWorkflowId(contractId),
    args: [{ contractId, carried: ledger.snapshot() }],
    parentClosePolicy: ParentClosePolicy.ABANDON,
  });
  return ledger.snapshot();
}
