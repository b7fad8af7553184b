import { randomUUID } from 'node:crypto';
import { type WorkflowClientInterceptor } from '@temporalio/client';
import { type temporal } from '@temporalio/proto';

/**
 * The server's answer to an update it delivered to a worker in a workflow task that completed
 * without accepting or rejecting it (under load, a task of many updates at once: 50 acceptances
 * of one invoice, say): "Workflow Update is rejected because it wasn't processed by worker". The
 * workflow never saw it, so nothing was recorded: it is sent again, under a new update id.
 */
export const UNPROCESSED_UPDATE = 'UnprocessedUpdate';

export const isUnprocessed = (outcome: temporal.api.update.v1.IOutcome | null | undefined): boolean => outcome?.failure?.applicationFailureInfo?.type === UNPROCESSED_UPDATE;

/**
 * A client interceptor that sends an update again when the server rejected it as unprocessed, up
 * to `attempts` times in all, a little later each time; the last answer is the caller's whatever
 * it is; `onResend` hears of each resend. Updates with start too, when the start can make no second
 * run (USE_EXISTING, REJECT_DUPLICATE: the run the first attempt started is the one it goes to; a
 * run closed meanwhile refuses the start).
 */
export function resendUnprocessedUpdates(onResend: (attempt: number) => void = () => {}, attempts = 6, pauseMs = 50): WorkflowClientInterceptor {
  const pause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, pauseMs * attempt));
  return {
    async startUpdate(input, next) {
      for (let attempt = 1; ; attempt++) {
        const output = await next(attempt === 1 ? input : { ...input, options: { ...input.options, updateId: randomUUID() } });
        if (attempt >= attempts || !isUnprocessed(output.outcome)) return output;
        onResend(attempt);
        await pause(attempt);
      }
    },
    async startUpdateWithStart(input, next) {
      // Sent again only where the start cannot make a second run: to the one the first attempt started.
      const { workflowIdConflictPolicy, workflowIdReusePolicy } = input.workflowStartOptions as { workflowIdConflictPolicy?: unknown; workflowIdReusePolicy?: unknown };
      const again = String(workflowIdConflictPolicy) === 'USE_EXISTING' && String(workflowIdReusePolicy) === 'REJECT_DUPLICATE';
      for (let attempt = 1; ; attempt++) {
        const output = await next(attempt === 1 ? input : { ...input, updateOptions: { ...input.updateOptions, updateId: randomUUID() } });
        if (!again || attempt >= attempts || !isUnprocessed(output.updateOutcome)) return output;
        onResend(attempt);
        await pause(attempt);
      }
    },
  };
}
