import { describe, expect, it } from 'vitest';
import { type WorkflowStartUpdateInput, type WorkflowStartUpdateOutput, type WorkflowStartUpdateWithStartInput, type WorkflowStartUpdateWithStartOutput } from '@temporalio/client';
import { resendUnprocessedUpdates } from './unprocessed-updates';

const unprocessed = { failure: { message: "Workflow Update is rejected because it wasn't processed by worker.", applicationFailureInfo: { type: 'UnprocessedUpdate' } } };
const refused = { failure: { message: 'contract.ended', applicationFailureInfo: { type: 'DomainFailure' } } };
const done = { success: { payloads: [] } };
const input = { updateName: 'acceptRenewal', args: [], workflowExecution: { workflowId: 'contract-1' }, headers: {}, options: {} } as unknown as WorkflowStartUpdateInput;

/** A server that answers the given outcomes in turn, recording each update id it was sent. */
function server<O>(outcomes: readonly unknown[], shape: (outcome: unknown) => O) {
  const ids: (string | undefined)[] = [];
  return { ids, next: async (i: { options?: { updateId?: string }; updateOptions?: { updateId?: string } }) => (ids.push((i.options ?? i.updateOptions)?.updateId), shape(outcomes[ids.length - 1])) };
}

describe('resendUnprocessedUpdates', () => {
  const resends: number[] = [];
  const interceptor = resendUnprocessedUpdates((attempt) => resends.push(attempt), 4, 1);

  it('sends an update the server rejected as unprocessed again, under a new id, until it is processed', async () => {
    const s = server([unprocessed, unprocessed, done], (outcome) => ({ updateId: 'u', workflowRunId: 'r', outcome }) as WorkflowStartUpdateOutput);
    const output = await interceptor.startUpdate!(input, s.next as never);
    expect(output.outcome).toEqual(done);
    expect(s.ids).toHaveLength(3);
    expect(s.ids[0]).toBeUndefined();
    expect(new Set(s.ids.slice(1)).size).toBe(2);
    expect(resends.splice(0)).toEqual([1, 2]);
  });

  it('answers any other outcome at once, a refusal included', async () => {
    const s = server([refused, done], (outcome) => ({ updateId: 'u', workflowRunId: 'r', outcome }) as WorkflowStartUpdateOutput);
    expect((await interceptor.startUpdate!(input, s.next as never)).outcome).toEqual(refused);
    expect(s.ids).toHaveLength(1);
    expect(resends).toEqual([]);
  });

  it('gives up after its attempts, answering the last rejection', async () => {
    const s = server([unprocessed, unprocessed, unprocessed, unprocessed, done], (outcome) => ({ updateId: 'u', workflowRunId: 'r', outcome }) as WorkflowStartUpdateOutput);
    expect((await interceptor.startUpdate!(input, s.next as never)).outcome).toEqual(unprocessed);
    expect(s.ids).toHaveLength(4);
    expect(resends.splice(0)).toEqual([1, 2, 3]);
  });

  const withStart = (workflowIdConflictPolicy: string, workflowIdReusePolicy: string) =>
    ({ workflowType: 'fileWorkflow', updateName: 'command', updateArgs: [], updateOptions: {}, updateHeaders: {}, workflowStartHeaders: {}, workflowStartOptions: { workflowId: 'w', workflowIdConflictPolicy, workflowIdReusePolicy } }) as unknown as WorkflowStartUpdateWithStartInput;
  const startAnswers = (...outcomes: unknown[]) => server(outcomes, (updateOutcome) => ({ workflowExecution: { workflowId: 'w', runId: 'r' }, updateId: 'u', updateOutcome }) as WorkflowStartUpdateWithStartOutput);

  it('does the same for an update with start that goes to the run it started (USE_EXISTING, REJECT_DUPLICATE)', async () => {
    const s = startAnswers(unprocessed, done);
    expect((await interceptor.startUpdateWithStart!(withStart('USE_EXISTING', 'REJECT_DUPLICATE'), s.next as never)).updateOutcome).toEqual(done);
    expect(s.ids).toHaveLength(2);
    expect(s.ids[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(resends.splice(0)).toEqual([1]);
  });

  it('never sends again an update with a start that could begin a second run', async () => {
    for (const [conflict, reuse] of [['FAIL', 'REJECT_DUPLICATE'], ['USE_EXISTING', 'ALLOW_DUPLICATE'], ['TERMINATE_EXISTING', 'REJECT_DUPLICATE']]) {
      const s = startAnswers(unprocessed, done);
      expect((await interceptor.startUpdateWithStart!(withStart(conflict!, reuse!), s.next as never)).updateOutcome).toEqual(unprocessed);
      expect(s.ids).toHaveLength(1);
    }
    expect(resends).toEqual([]);
  });
});
