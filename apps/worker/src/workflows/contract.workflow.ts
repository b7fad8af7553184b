import { allHandlersFinished, condition, continueAsNew, ParentClosePolicy, setHandler, startChild, workflowInfo } from '@temporalio/workflow';
import { isEnded, nextTimer, type ContractEvent } from '../../../../libs/domain/src';
import { destructionWorkflowId, snapshotQuery, snapshotUpdate, type ContractSnapshot, type ContractWorkflowInput } from '../../../../libs/infra/src/temporal/messages';
import { dataDestructionWorkflow } from './destruction.workflow';
import { contractLedger, ENGINE, handleContractCommands, isDue, msUntil, now, store } from './support';

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
