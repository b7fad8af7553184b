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
  const interceptor = resendUnprocessedUpdates(4, 1);

  it('sends an update the server rejected as unprocessed again, under a new id, until it is processed', async () => {
    const s = server([unprocessed, unprocessed, done], (outcome) => ({ updateId: 'u', workflowRunId: 'r', outcome }) as WorkflowStartUpdateOutput);
    const output = await interceptor.startUpdate!(input, s.next as never);
    expect(output.outcome).toEqual(done);
    expect(s.ids).toHaveLength(3);
    expect(s.ids[0]).toBeUndefined();
    expect(new Set(s.ids.slice(1)).size).toBe(2);
  });

  it('answers any other outcome at once, a refusal included', async () => {
    const s = server([refused, done], (outcome) => ({ updateId: 'u', workflowRunId: 'r', outcome }) as WorkflowStartUpdateOutput);
    expect((await interceptor.startUpdate!(input, s.next as never)).outcome).toEqual(refused);
    expect(s.ids).toHaveLength(1);
  });

  it('gives up after its attempts, answering the last rejection', async () => {
    const s = server([unprocessed, unprocessed, unprocessed, unprocessed, done], (outcome) => ({ updateId: 'u', workflowRunId: 'r', outcome }) as WorkflowStartUpdateOutput);
    expect((await interceptor.startUpdate!(input, s.next as never)).outcome).toEqual(unprocessed);
    expect(s.ids).toHaveLength(4);
  });

  it('does the same for an update with start', async () => {
    const withStart = { workflowType: 'fileWorkflow', updateName: 'command', updateArgs: [], updateOptions: {}, updateHeaders: {}, workflowStartHeaders: {}, workflowStartOptions: {} } as unknown as WorkflowStartUpdateWithStartInput;
    const s = server([unprocessed, done], (updateOutcome) => ({ workflowExecution: { workflowId: 'w', runId: 'r' }, updateId: 'u', updateOutcome }) as WorkflowStartUpdateWithStartOutput);
    expect((await interceptor.startUpdateWithStart!(withStart, s.next as never)).updateOutcome).toEqual(done);
    expect(s.ids).toHaveLength(2);
    expect(s.ids[1]).toMatch(/^[0-9a-f-]{36}$/);
  });
});
